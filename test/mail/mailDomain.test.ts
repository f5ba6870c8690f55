/**
 * MailDomain through the real engine on the local site's generator (built-in Node-crypto keys):
 * the records are answered by the real PowerDNS, the DKIM record matches the private key in the
 * state (which is a secret there), a selector rotation keeps both keys published until retire, and
 * every bad input fails at preview with its field.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "crypto";
import * as path from "path";
import { repoRoot } from "../harness/repo";
import type { OutputMap } from "@pulumi/pulumi/automation";
import { startPowerDns, useService } from "../harness";
import type { PowerDnsService } from "../harness/types";
import type { TestStack } from "../harness/workspace";
import { backendFilesText, cliStackExport, powerDnsStack, zoneSnapshot } from "../providers/powerdns/helpers";
import { dig } from "../harness/dig";
import { DnsZone } from "../../sdk/dns/dnsZone";
import { MailDomain, MailDomainArgs } from "../../sdk/mail/mailDomain";
import { DkimArgs, planDkimRotation } from "../../sdk/mail/dkimRotation";
import { builtinSecrets } from "../../sdk/secrets/builtinSecrets";

const quiet = { color: "never" as const };

/** The text of a TXT answer: its character-strings joined. */
async function txt(s: PowerDnsService, name: string): Promise<string[]> {
  return (await dig(s, name, "TXT")).map((l) => l.replace(/^"|"$/g, "").replace(/" "/g, ""));
}

/** Signs a message with the key and verifies it with dkimpy against the real PowerDNS's answer. */
function dkimpyVerifies(s: PowerDnsService, privatePem: string, selector: string, domain: string): boolean {
  const key = createPrivateKey(privatePem).export({ type: "pkcs1", format: "pem" }).toString();
  const out = execFileSync("/usr/bin/python3", [path.join(repoRoot(), "test", "mail", "dkim-verify.py")], {
    input: JSON.stringify({ key, selector, domain, server: s.dnsAddress, port: s.dnsPort }),
    encoding: "utf8",
  });
  return (JSON.parse(out) as { verified: boolean }).verified;
}

/** The base64 SPKI of a PEM private key: what its DKIM record must publish as p=. */
const publicOf = (privatePem: string): string =>
  createPublicKey(privatePem).export({ type: "spki", format: "der" }).toString("base64");

function zones(s: PowerDnsService, mailZone = "mail.test."): { mail: DnsZone; reports: DnsZone } {
  const connection = { apiUrl: s.apiUrl };
  return {
    mail: new DnsZone("mail", {
      connection,
      zone: mailZone,
      nameservers: ["ns1.mail.test."],
      protect: false,
    }),
    reports: new DnsZone("rep", {
      connection,
      zone: "reports.test.",
      nameservers: ["ns1.reports.test."],
      protect: false,
    }),
  };
}

function mailArgs(zone: DnsZone, reports: DnsZone, dkim: DkimArgs): MailDomainArgs {
  return {
    zone,
    mailHost: "mx1",
    dmarc: { policy: "quarantine", rua: ["dmarc@reports.test"] },
    reportZones: [reports],
    tlsRpt: { rua: ["tls@mail.test"] },
    mtaSts: { mode: "enforce", webHost: "web" },
    mailboxes: [{ address: "alice", quota: "1G" }, { address: "bob" }],
    aliases: [{ address: "postmaster", to: ["alice"] }],
    catchAll: "postmaster",
    dkim,
    secrets: builtinSecrets(),
    protect: false,
  };
}

describe("MailDomain through the real engine and PowerDNS", function () {
  this.timeout(600_000);
  let t: TestStack | undefined;
  after(async () => t?.dispose());
  const pdns = useService(() => startPowerDns());

  it("publishes every mail record, a DKIM key matching the secret signing key, and rotates selectors without a gap", async () => {
    const s = pdns();
    let dkim: DkimArgs = { selectors: [{ selector: "s1" }], signWith: "s1" };
    t = await powerDnsStack("mail-domain", s, async () => {
      const z = zones(s);
      z.mail.host("mx1", { ipv4: ["127.0.0.1"] });
      z.mail.host("web", { ipv4: ["127.0.0.2"] });
      const m = new MailDomain("mail", mailArgs(z.mail, z.reports, dkim));
      return {
        signingSelector: m.signingSelector,
        signingKeyPem: m.signingKeyPem,
        mtaStsPolicy: m.mtaStsPolicy,
        delivery: m.mailboxes.delivery,
      };
    });
    await t.stack.up(quiet);
    assert.deepStrictEqual(await dig(s, "mail.test.", "MX"), ["10 mx1.mail.test."]);
    assert.deepStrictEqual(await txt(s, "mail.test."), ["v=spf1 mx -all"]);
    assert.deepStrictEqual(await txt(s, "_dmarc.mail.test."), [
      "v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.test",
    ]);
    assert.deepStrictEqual(await txt(s, "mail.test._report._dmarc.reports.test."), ["v=DMARC1"]);
    assert.deepStrictEqual(await txt(s, "_smtp._tls.mail.test."), ["v=TLSRPTv1; rua=mailto:tls@mail.test"]);
    const [sts] = await txt(s, "_mta-sts.mail.test.");
    assert.match(sts, /^v=STSv1; id=[0-9a-f]{20}$/);
    assert.deepStrictEqual(await dig(s, "mta-sts.mail.test.", "CNAME"), ["web.mail.test."]);
    assert.deepStrictEqual(await dig(s, "autoconfig.mail.test.", "CNAME"), ["mx1.mail.test."]);
    assert.deepStrictEqual(await dig(s, "autodiscover.mail.test.", "CNAME"), ["mx1.mail.test."]);
    assert.deepStrictEqual(await dig(s, "_submission._tcp.mail.test.", "SRV"), ["0 1 587 mx1.mail.test."]);
    assert.deepStrictEqual(await dig(s, "_imaps._tcp.mail.test.", "SRV"), ["0 1 993 mx1.mail.test."]);

    const out = await t.stack.outputs();
    assert.strictEqual(out.signingKeyPem.secret, true, "the signing key is a secret output");
    assert.match(
      out.mtaStsPolicy.value as string,
      /^version: STSv1\r\nmode: enforce\r\nmx: mx1\.mail\.test\r\n/,
    );
    assert.deepStrictEqual((out.delivery.value as Record<string, string[]>)["@mail.test"], [
      "alice@mail.test",
    ]);
    const key1 = out.signingKeyPem.value as string;
    const [dkim1] = await txt(s, "s1._domainkey.mail.test.");
    assert.strictEqual(dkim1, `v=DKIM1; k=rsa; p=${publicOf(key1)}`);
    assert.strictEqual(createPublicKey(key1).asymmetricKeyDetails?.modulusLength, 2048);
    assert.ok(
      dkimpyVerifies(s, key1, "s1", "mail.test"),
      "dkimpy verifies a signature against the published key",
    );
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    assert.ok(
      !dkimpyVerifies(s, stranger.export({ type: "pkcs8", format: "pem" }).toString(), "s1", "mail.test"),
      "a key that is not published fails",
    );

    // No private key in plain text where users look.
    const keyLine = key1.split("\n")[5];
    assert.ok(keyLine.length >= 60, "a line from the middle of the key");
    assert.ok(!backendFilesText(t.engine.backendDir).includes(keyLine), "private key in the backend's files");
    assert.ok(
      !cliStackExport(t.engine.env, t.workDir).includes(keyLine),
      "private key in `pulumi stack export`",
    );

    // Rotation: every phase through the engine; both selectors answer until retire.
    const seen: string[] = [];
    for (const phase of planDkimRotation(dkim, "s2", "2099-01-01T00:00:00Z")) {
      dkim = phase.dkim;
      await t.stack.up(quiet);
      const o: OutputMap = await t.stack.outputs();
      const s1 = await txt(s, "s1._domainkey.mail.test.");
      const s2 = await txt(s, "s2._domainkey.mail.test.");
      seen.push(
        `${phase.phase}: signs ${o.signingSelector.value}, s1 ${s1.length ? "published" : "gone"}, s2 ${s2.length ? "published" : "gone"}`,
      );
      const signed = o.signingKeyPem.value as string;
      const published: string[] = o.signingSelector.value === "s1" ? s1 : s2;
      assert.deepStrictEqual(
        published,
        [`v=DKIM1; k=rsa; p=${publicOf(signed)}`],
        `${phase.phase}: signing key is published`,
      );
      if (phase.phase !== "retire-old") assert.deepStrictEqual(s1, [dkim1], `${phase.phase}: s1 unchanged`);
      if (phase.phase === "switch-signing") {
        assert.ok(dkimpyVerifies(s, signed, "s2", "mail.test"), "mail signed with the new selector verifies");
        assert.ok(dkimpyVerifies(s, key1, "s1", "mail.test"), "mail signed before the switch still verifies");
      }
    }
    assert.deepStrictEqual(seen, [
      "publish-new: signs s1, s1 published, s2 published",
      "switch-signing: signs s2, s1 published, s2 published",
      "retire-old: signs s2, s1 gone, s2 published",
    ]);
  });

  it("fails at preview for every bad input, naming each field, and changes nothing", async () => {
    const s = pdns();
    const bad = await powerDnsStack("mail-bad", s, async () => {
      const z = zones(s, "bad.test.");
      new MailDomain("bad", {
        ...mailArgs(z.mail, z.reports, {
          bits: 1024,
          selectors: [{ selector: "bad_selector" }],
          signWith: "bad_selector",
        }),
        dmarc: { policy: "block" as "none", rua: ["reports@elsewhere.example"] },
        spf: { include: Array.from({ length: 10 }, (_, i) => `i${i}.example.net`) },
        mailboxes: [{ address: "al ice" }, { address: "carol", quota: "100K" }],
        aliases: [
          { address: "x", to: ["y"] },
          { address: "y", to: ["x"] },
          { address: "sales", to: ["nobody"] },
        ],
        catchAll: undefined,
      });
    });
    try {
      const err = await bad.stack.preview(quiet).then(
        () => assert.fail("preview succeeded"),
        (e: Error) => e.message,
      );
      for (const expected of [
        /MailDomain bad \(bad\.test\): 8 problems/,
        /- spf: SPF allows at most 10 DNS lookups .* this policy needs 11/,
        /- dmarc\.rua\[0\]: reports@elsewhere\.example is outside bad\.test .* add "elsewhere\.example" to dmarc\.externallyAuthorized/,
        /- mailboxes\[0\]\.address: "al ice": "al ice" is not a plain local part/,
        /- mailboxes\[1\]\.quota: 100K is below 1 MiB; give at least "1M"/,
        /- aliases\[2\]\.to\[0\]: nobody@bad\.test is neither a mailbox nor an alias of bad\.test/,
        /- aliases\[1\]\.to: alias loop x@bad\.test -> y@bad\.test -> x@bad\.test/,
        /- dkim\.bits: 1024-bit RSA keys are too weak for DKIM; use 2048/,
        /- dkim\.selectors\[0\]\.selector: DKIM selector "bad_selector" is not a DNS label/,
      ]) {
        assert.match(err, expected);
      }
      assert.deepStrictEqual(await zoneSnapshot(s, "bad.test."), [], "nothing was created");
    } finally {
      await bad.dispose();
    }
    // The DMARC policy is judged once the report address is fixed.
    const policy = await powerDnsStack("mail-bad-policy", s, async () => {
      const z = zones(s, "bad.test.");
      new MailDomain("bad", {
        ...mailArgs(z.mail, z.reports, { selectors: [{ selector: "s1" }], signWith: "s1" }),
        dmarc: { policy: "block" as "none" },
      });
    });
    try {
      await assert.rejects(
        policy.stack.preview(quiet),
        /- dmarc: DMARC policy "block" must be one of none, quarantine, reject/,
      );
    } finally {
      await policy.dispose();
    }
  });
});
