import * as assert from "assert";
import fc from "fast-check";
import { isIPv6 } from "net";
import {
  canonicalIPv6,
  chunkTxt,
  normalizeContent,
  normalizeDomainName,
  normalizeTxt,
  parseQuotedTxt,
  qualifyName,
  txtText,
} from "../../../providers/powerdns/records";

const owner = { what: "name", wildcard: true, underscore: true };

describe("powerdns records: names", () => {
  it("normalises case, the trailing dot and IDN labels (punycode)", () => {
    assert.deepStrictEqual(normalizeDomainName("WWW.Example.ORG", owner), {
      ok: true,
      value: "www.example.org.",
    });
    assert.deepStrictEqual(normalizeDomainName("bücher.example.org.", owner), {
      ok: true,
      value: "xn--bcher-kva.example.org.",
    });
    assert.deepStrictEqual(normalizeDomainName("*.example.org.", owner), {
      ok: true,
      value: "*.example.org.",
    });
    assert.deepStrictEqual(normalizeDomainName("_25._tcp.mail.example.org.", owner), {
      ok: true,
      value: "_25._tcp.mail.example.org.",
    });
  });

  it("refuses bad names with the reason and the fix", () => {
    const reason = (n: string, rules: Parameters<typeof normalizeDomainName>[1] = owner): string => {
      const r = normalizeDomainName(n, rules);
      assert.ok(!r.ok, `${n} should be refused`);
      return r.reason;
    };
    assert.match(reason("www"), /not fully qualified.*"www\.example\.org\."/);
    assert.match(reason("a..example.org."), /empty label/);
    assert.match(reason(`${"a".repeat(64)}.example.org.`), /at most 63/);
    assert.match(reason(`${"abcdefghi.".repeat(26)}org.`), /at most 253/);
    assert.match(reason("www.*.example.org."), /only allowed as the first label/);
    assert.match(reason("-bad.example.org."), /may only contain/);
    assert.match(
      reason("_srv.example.org.", { what: "MX host" }),
      /MX host "_srv.example.org.": label "_srv" may only contain letters, digits and inner '-'/,
    );
    assert.match(reason(""), /is empty/);
  });

  it("is idempotent and always absolute, lower-case and short enough (property)", () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 2, maxLength: 6 }), fc.boolean(), (labels, dot) => {
        const r = normalizeDomainName(labels.join(".") + (dot ? "." : ""), owner);
        assert.ok(r.ok);
        assert.ok(r.value.endsWith(".") && r.value === r.value.toLowerCase() && r.value.length <= 254);
        assert.deepStrictEqual(normalizeDomainName(r.value, owner), r);
      }),
    );
  });

  it("qualifies relative names against the zone", () => {
    assert.strictEqual(qualifyName("@", "example.org."), "example.org.");
    assert.strictEqual(qualifyName("www", "example.org."), "www.example.org.");
    assert.strictEqual(qualifyName("www.other.net.", "example.org."), "www.other.net.");
  });
});

describe("powerdns records: TXT quoting and 255-byte chunks", () => {
  it("quotes, escapes and splits plain text", () => {
    assert.deepStrictEqual(normalizeTxt("v=spf1 -all"), { ok: true, value: '"v=spf1 -all"' });
    assert.deepStrictEqual(normalizeTxt('say "hi" \\o/'), { ok: true, value: '"say \\"hi\\" \\\\o/"' });
    assert.deepStrictEqual(normalizeTxt("é"), { ok: true, value: '"\\195\\169"' });
    const long = normalizeTxt("x".repeat(600));
    assert.ok(long.ok);
    assert.deepStrictEqual(
      long.value.split(" ").map((c) => c.length - 2),
      [255, 255, 90],
    );
  });

  it("takes quoted input as zone-file strings and refuses broken quoting", () => {
    assert.deepStrictEqual(normalizeTxt('"a" "b"'), { ok: true, value: '"a" "b"' });
    assert.deepStrictEqual(normalizeTxt('"h\\195\\169"'), { ok: true, value: '"h\\195\\169"' });
    assert.ok(!normalizeTxt('"open').ok);
    assert.ok(!normalizeTxt(`"${"y".repeat(256)}"`).ok);
    assert.ok(!parseQuotedTxt('"a" b').ok);
    assert.ok(!parseQuotedTxt('"\\300"').ok);
  });

  it("round-trips any text and keeps every string within 255 bytes (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 700 }).filter((s) => !s.trimStart().startsWith('"')),
        (text) => {
          const n = normalizeTxt(text);
          assert.ok(n.ok);
          const parsed = parseQuotedTxt(n.value);
          assert.ok(parsed.ok);
          assert.ok(parsed.value.every((c) => c.length <= 255));
          assert.strictEqual(txtText(n.value), text);
          assert.deepStrictEqual(normalizeTxt(n.value), n, "normalising the stored form changes nothing");
          assert.ok(/^[\x20-\x7e]*$/.test(n.value), "the stored form is printable ASCII");
        },
      ),
    );
  });

  it("chunks by bytes, not characters", () => {
    const chunks = chunkTxt("€".repeat(100));
    assert.deepStrictEqual(
      chunks.map((c) => c.length),
      [255, 45],
    );
  });
});

describe("powerdns records: contents per type", () => {
  const ok = (
    type: Parameters<typeof normalizeContent>[0],
    content: string,
    want: string,
    name = "x.example.org.",
  ) => assert.deepStrictEqual(normalizeContent(type, content, name), { ok: true, value: want });
  const bad = (
    type: Parameters<typeof normalizeContent>[0],
    content: string,
    re: RegExp,
    name = "x.example.org.",
  ) => {
    const r = normalizeContent(type, content, name);
    assert.ok(!r.ok, `${type} ${content} should be refused`);
    assert.match(r.reason, re);
  };

  it("normalises valid contents to what PowerDNS returns", () => {
    ok("A", " 192.0.2.1 ", "192.0.2.1");
    ok("AAAA", "2001:DB8:0:0::1", "2001:db8::1");
    ok("CNAME", "Target.Example.org", "target.example.org.");
    ok("MX", "10   Mail.example.org.", "10 mail.example.org.");
    ok("MX", "0 .", "0 .");
    ok("SRV", "0 5 5269 xmpp.example.org", "0 5 5269 xmpp.example.org.", "_xmpp-server._tcp.example.org.");
    ok("CAA", "0 ISSUE letsencrypt.org", '0 issue "letsencrypt.org"');
    ok("CAA", '128 iodef "mailto:ca@example.org"', '128 iodef "mailto:ca@example.org"');
    ok("TLSA", `3 1 1 ${"AB".repeat(32)}`, `3 1 1 ${"ab".repeat(32)}`, "_443._tcp.example.org.");
    ok("PTR", "host.example.org.", "host.example.org.");
    ok("NS", "ns1.example.net", "ns1.example.net.");
  });

  it("refuses invalid contents naming the part to fix", () => {
    bad("A", "256.1.1.1", /not an IPv4 address/);
    bad("A", "2001:db8::1", /not an IPv4 address/);
    bad("AAAA", "fe80::1%eth0", /not an IPv6 address/);
    bad("CNAME", "192.0.2.1", /IP address; it must be a host name/);
    bad("MX", "10", /"<preference> <mail host>"/);
    bad("MX", "x mail.example.org.", /MX preference "x" must be a whole number/);
    bad("MX", "70000 mail.example.org.", /MX preference 70000 is too large/);
    bad("SRV", "0 5 5269 xmpp.example.org.", /must start with _service._proto/);
    bad("SRV", "0 5 xmpp.example.org.", /"<priority> <weight> <port> <target>"/, "_a._tcp.example.org.");
    bad("CAA", "0 issue", /"<flags> <tag> <value>"/);
    bad("CAA", "256 issue x", /CAA flags 256 is too large/);
    bad("CAA", '0 iodef "ftp://x"', /mailto: or http/);
    bad("TLSA", "4 1 1 ab", /TLSA usage 4 is too large/, "_443._tcp.example.org.");
    bad("TLSA", "3 1 2 abcd", /needs 128 hex digits/, "_443._tcp.example.org.");
    bad("TLSA", "3 1 0 abc", /even number of hex digits/, "_443._tcp.example.org.");
    bad("TLSA", `3 1 1 ${"ab".repeat(32)}`, /must start with _port._proto/);
    bad("PTR", "host", /not fully qualified/);
  });

  it("gives IPv6 one canonical form (property)", () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const c = canonicalIPv6(ip);
        assert.ok(isIPv6(c));
        assert.strictEqual(canonicalIPv6(c), c);
        assert.strictEqual(c, c.toLowerCase());
      }),
    );
  });
});
