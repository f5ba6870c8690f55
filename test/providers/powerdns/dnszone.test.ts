/**
 * The DnsZone component through the real engine: components publish host, app and mail records;
 * a cut-over is one record change, made with the lower-TTL-before-switch plan.
 */
import * as assert from "assert";
import { generateKeyPairSync } from "crypto";
import { startPowerDns, useService } from "../../harness";
import type { TestStack } from "../../harness/workspace";
import { powerDnsStack } from "./helpers";
import { DnsZone } from "../../../sdk/dns/dnsZone";
import {
  planTtlSwitch,
  recordAt,
  runTtlSwitch,
  TtlSwitchInput,
  TtlSwitchPhase,
} from "../../../sdk/dns/ttlSwitch";
import { dig, digAnswer } from "../../harness/dig";

const quiet = { color: "never" as const };
const dkimKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .publicKey.export({ type: "spki", format: "der" })
  .toString("base64");

describe("DnsZone through the real engine", function () {
  this.timeout(600_000);
  let t: TestStack | undefined;
  // Registered before useService's own `after`, so the stack is destroyed while the server still runs.
  after(async () => t?.dispose());
  const pdns = useService(() => startPowerDns());

  it("publishes hosts, apps and mail, and cuts an app over with one record change after lowering its TTL", async () => {
    const s = pdns();
    const cutover: TtlSwitchInput = {
      what: "app.site.test. CNAME",
      current: { ttl: 3, records: ["web1.site.test."] },
      target: ["web2.site.test."],
      lowTtl: 1,
    };
    let phase: TtlSwitchPhase | "not-started" = "not-started";
    t = await powerDnsStack("pdns-dnszone", s, async () => {
      const zone = new DnsZone("site", {
        connection: { apiUrl: s.apiUrl },
        zone: "site.test",
        nameservers: ["ns1.site.test."],
        protect: false,
      });
      zone.host("web1", { ipv4: ["192.0.2.1"], ipv6: ["2001:db8::1"] });
      zone.host("web2", { ipv4: ["192.0.2.2"] });
      const app = recordAt(cutover, phase);
      zone.alias("app", app.records[0], app.ttl);
      zone.mail({
        mx: [{ priority: 10, host: "web1" }],
        spf: { ip4: ["192.0.2.0/24"] },
        dkim: [{ selector: "s1", publicKey: dkimKey }],
        dmarc: { policy: "reject", rua: ["dmarc@site.test"] },
      });
      return { zoneId: zone.zone.zoneId };
    });
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.summary.resourceChanges?.create, 11, JSON.stringify(up.summary.resourceChanges));
    assert.deepStrictEqual(await dig(s, "app.site.test.", "CNAME"), ["web1.site.test."]);
    assert.deepStrictEqual(await dig(s, "site.test.", "MX"), ["10 web1.site.test."]);
    assert.deepStrictEqual(await dig(s, "site.test.", "TXT"), ['"v=spf1 mx ip4:192.0.2.0/24 -all"']);
    assert.deepStrictEqual(await dig(s, "_dmarc.site.test.", "TXT"), [
      '"v=DMARC1; p=reject; rua=mailto:dmarc@site.test"',
    ]);
    assert.strictEqual(
      (await dig(s, "s1._domainkey.site.test.", "TXT")).join("").replace(/" "|"/g, ""),
      `v=DKIM1; k=rsa; p=${dkimKey}`,
    );
    assert.deepStrictEqual(await digAnswer(s, "app.site.test.", "CNAME"), ["3 CNAME web1.site.test."]);

    const seen: string[] = [];
    await runTtlSwitch(planTtlSwitch(cutover), {
      apply: async (next) => {
        phase = next;
        const r = await t!.stack.up(quiet);
        assert.deepStrictEqual(
          r.summary.resourceChanges,
          { same: 10, update: 1 },
          `${next} is one record change`,
        );
        seen.push(`${next}: ${(await digAnswer(s, "app.site.test.", "CNAME")).join(", ")}`);
      },
    });
    assert.deepStrictEqual(seen, [
      "lower-ttl: 1 CNAME web1.site.test.",
      "switch: 1 CNAME web2.site.test.",
      "restore-ttl: 3 CNAME web2.site.test.",
    ]);
  });

  it("refuses to publish a CNAME beside other records of the same name, at preview", async () => {
    const s = pdns();
    const bad = await powerDnsStack("pdns-dnszone-bad", s, async () => {
      const zone = new DnsZone("bad", {
        connection: { apiUrl: s.apiUrl },
        zone: "bad.test.",
        nameservers: ["ns1.bad.test."],
        protect: false,
      });
      zone.host("www", { ipv4: ["192.0.2.1"] });
      zone.alias("www", "web1.bad.test.");
    });
    try {
      await assert.rejects(
        bad.stack.preview(quiet),
        /www\.bad\.test\. cannot have a CNAME and other records \(A published by host www\); a CNAME must be alone at its name/,
      );
    } finally {
      await bad.dispose();
    }
  });
});
