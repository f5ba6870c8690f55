import * as assert from "assert";
import fc from "fast-check";
import { planMailRecords, MailRecordsInput } from "../../../sdk/mail/records";
import { spfLookups, spfRecord, SpfPolicy } from "../../../sdk/dns/mail";
import { sameOrganisation } from "../../../sdk/mail/dmarcReports";

const base: MailRecordsInput = {
  domain: "example.org",
  mailHost: "mail.example.org.",
  mx: [{ priority: 10, host: "mail.example.org." }],
  zones: ["example.org.", "reports.test."],
};
const byName = (r: ReturnType<typeof planMailRecords>): Record<string, string[]> =>
  Object.fromEntries(
    r.records.map((x) => [`${x.name} ${x.type}${x.zone ? ` in ${x.zone}` : ""}`, x.records]),
  );

describe("mail records plan", () => {
  it("plans MX, SPF, DMARC, MTA-STS, TLS-RPT, autoconfig and the RFC 6186 SRV records", () => {
    const r = planMailRecords({
      ...base,
      dmarc: { policy: "reject", rua: ["dmarc@example.org"] },
      tlsRpt: { rua: ["tls@example.org"] },
      mtaSts: { mode: "enforce", webHost: "web.example.org." },
    });
    assert.deepStrictEqual(r.problems, []);
    const id = r.mtaSts!.record.replace("v=STSv1; id=", "");
    assert.match(id, /^[0-9a-f]{20}$/);
    assert.deepStrictEqual(byName(r), {
      "example.org. MX": ["10 mail.example.org."],
      "example.org. TXT": ["v=spf1 mx -all"],
      "_dmarc.example.org. TXT": ["v=DMARC1; p=reject; rua=mailto:dmarc@example.org"],
      "_smtp._tls.example.org. TXT": ["v=TLSRPTv1; rua=mailto:tls@example.org"],
      "_mta-sts.example.org. TXT": [`v=STSv1; id=${id}`],
      "mta-sts.example.org. CNAME": ["web.example.org."],
      "autoconfig.example.org. CNAME": ["mail.example.org."],
      "autodiscover.example.org. CNAME": ["mail.example.org."],
      "_submission._tcp.example.org. SRV": ["0 1 587 mail.example.org."],
      "_imaps._tcp.example.org. SRV": ["0 1 993 mail.example.org."],
    });
    assert.strictEqual(
      r.mtaSts!.policy,
      "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 604800\r\n",
    );
    assert.strictEqual(r.mtaSts!.url, "https://mta-sts.example.org/.well-known/mta-sts.txt");
  });

  it("changes the MTA-STS id exactly when the policy changes", () => {
    const id = (mode: "enforce" | "testing", host = "mail.example.org."): string =>
      planMailRecords({ ...base, mx: [{ priority: 10, host }], mtaSts: { mode } }).mtaSts!.record;
    assert.strictEqual(id("enforce"), id("enforce"));
    assert.notStrictEqual(id("enforce"), id("testing"));
    assert.notStrictEqual(id("enforce"), id("enforce", "mx2.example.org."));
  });

  it("publishes the RFC 7489 §7.1 authorisation in a managed zone, trusts a declared one, refuses the rest", () => {
    const r = planMailRecords({
      ...base,
      dmarc: {
        policy: "quarantine",
        rua: ["agg@reports.test", "mailto:dmarc@sub.example.org", "x@vendor.example"],
        ruf: ["forensic@reports.test"],
        externallyAuthorized: ["vendor.example."],
      },
    });
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(byName(r)["example.org._report._dmarc.reports.test. TXT in reports.test."], [
      "v=DMARC1",
    ]);
    assert.strictEqual(r.records.filter((x) => x.name.includes("_report")).length, 1);

    const bad = planMailRecords({ ...base, dmarc: { policy: "none", rua: ["a@elsewhere.example"] } });
    assert.strictEqual(bad.problems.length, 1);
    assert.strictEqual(bad.problems[0].field, "dmarc.rua[0]");
    assert.match(
      bad.problems[0].message,
      /elsewhere\.example publishes example\.org\._report\._dmarc\.elsewhere\.example\. TXT "v=DMARC1".*dmarc\.externallyAuthorized/,
    );
  });

  it("names the field of every bad record input", () => {
    const fields = (i: Partial<MailRecordsInput>): string[] =>
      planMailRecords({ ...base, ...i }).problems.map((p) => p.field);
    assert.deepStrictEqual(fields({ dmarc: { policy: "block" as "none" } }), ["dmarc"]);
    assert.match(
      planMailRecords({ ...base, dmarc: { policy: "block" as "none" } }).problems[0].message,
      /DMARC policy "block" must be one of none, quarantine, reject/,
    );
    assert.deepStrictEqual(fields({ dmarc: { policy: "none", rua: ["not-an-address"] } }), ["dmarc.rua[0]"]);
    assert.deepStrictEqual(fields({ mx: [] }), ["mx"]);
    assert.deepStrictEqual(fields({ mx: [{ priority: 70000, host: "m.example.org." }] }), ["mx[0].priority"]);
    assert.deepStrictEqual(fields({ mtaSts: { mode: "on" as "none" } }), ["mtaSts.mode"]);
    assert.deepStrictEqual(fields({ mtaSts: { maxAgeSeconds: 40_000_000 } }), ["mtaSts.maxAgeSeconds"]);
    assert.deepStrictEqual(fields({ tlsRpt: { rua: [] } }), ["tlsRpt.rua"]);
    assert.deepStrictEqual(
      fields({ spf: { include: Array.from({ length: 10 }, (_, i) => `i${i}.example.net`) } }),
      ["spf"],
    );
  });
});

describe("SPF lookup count (RFC 7208 §4.6.4)", () => {
  it("counts a, mx, include, exists and redirect, and what included policies declare", () => {
    assert.strictEqual(spfLookups({ mx: false, ip4: ["192.0.2.1"], ip6: ["2001:db8::1"] }).total, 0);
    assert.strictEqual(spfLookups({ a: true, exists: ["%{i}.x.example"], redirect: "r.example" }).total, 4);
    assert.strictEqual(spfLookups({ include: [{ domain: "_spf.google.com", lookups: 3 }] }).total, 5);
    assert.strictEqual(spfRecord({ redirect: "_spf.example.net." }), "v=spf1 mx redirect=_spf.example.net");
    assert.throws(
      () => spfRecord({ mx: true, a: ["a.example"], include: [{ domain: "big.example", lookups: 9 }] }),
      /at most 10 DNS lookups \(RFC 7208 §4\.6\.4\); this policy needs 12 \(mx, a:a\.example, include:big\.example \(\+9 inside\)\)/,
    );
  });
  it("accepts exactly the policies of at most 10 lookups", () => {
    const policy = fc.record({
      mx: fc.boolean(),
      a: fc.oneof(fc.boolean(), fc.array(fc.constantFrom("a.example", "b.example"), { maxLength: 4 })),
      include: fc.array(
        fc.oneof(
          fc.constant("i.example"),
          fc.record({ domain: fc.constant("j.example"), lookups: fc.nat(10) }),
        ),
        { maxLength: 6 },
      ),
      exists: fc.array(fc.constant("e.example"), { maxLength: 3 }),
      ip4: fc.array(fc.constant("192.0.2.0/24"), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(policy, (p: SpfPolicy) => {
        const expected =
          (p.mx ? 1 : 0) +
          (p.a === true ? 1 : Array.isArray(p.a) ? p.a.length : 0) +
          (p.include ?? []).reduce((n, i) => n + 1 + (typeof i === "string" ? 0 : i.lookups), 0) +
          (p.exists ?? []).length;
        assert.strictEqual(spfLookups(p).total, expected);
        if (expected <= 10) assert.match(spfRecord(p), /^v=spf1 .*-all$/);
        else assert.throws(() => spfRecord(p), /at most 10 DNS lookups/);
      }),
    );
  });
});

describe("same organisation (report authorisation needed or not)", () => {
  it("is symmetric and holds for a domain and its subdomains only", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 2, maxLength: 4 }), label, (labels, extra) => {
        const d = labels.join(".");
        assert.ok(sameOrganisation(d, `${extra}.${d}`));
        assert.ok(sameOrganisation(`${extra}.${d}`, d));
        assert.ok(!sameOrganisation(d, `${extra}x${d}`));
      }),
    );
  });
});
