/**
 * The DnsZone component through the real engine: components publish host, app and mail records;
 * a cut-over is one record change, made with the lower-TTL-before-switch plan.
 */
import * as assert from "assert";
import { generateKeyPairSync } from "crypto";
import { startPowerDns, useService } from "../../harness";
import type { TestStack } from "../../harness/workspace";
import { clientFor, powerDnsStack, zoneSnapshot } from "./helpers";
import type { PowerDnsService } from "../../harness/types";
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

  /** Owner comments of each record set but the SOA and the apex NS (the zone's own). */
  async function ownerComments(s: PowerDnsService, zone: string): Promise<Record<string, string[]>> {
    const z = await clientFor(s).getZone(zone);
    return Object.fromEntries(
      (z?.rrsets ?? [])
        .filter((r) => !(r.name === zone && (r.type === "SOA" || r.type === "NS")))
        .map((r) => [`${r.name} ${r.type}`, (r.comments ?? []).map((c) => c.content)]),
    );
  }

  // One zone, published into by hosts, an app and mail: 8 record sets.
  function publish(zone: DnsZone, app: { ttl: number; records: string[] }): void {
    zone.host("web1", { ipv4: ["192.0.2.1"], ipv6: ["2001:db8::1"] });
    zone.host("web2", { ipv4: ["192.0.2.2"] });
    zone.alias("app", app.records[0], app.ttl);
    zone.mail({
      mx: [{ priority: 10, host: "web1" }],
      spf: { ip4: ["192.0.2.0/24"] },
      dkim: [{ selector: "s1", publicKey: dkimKey }],
      dmarc: { policy: "reject", rua: ["dmarc@site.test"] },
    });
  }

  async function assertPublished(s: PowerDnsService, appTtl: number): Promise<void> {
    assert.deepStrictEqual(await dig(s, "app.site.test.", "CNAME"), ["web1.site.test."]);
    assert.deepStrictEqual(await dig(s, "web1.site.test.", "AAAA"), ["2001:db8::1"]);
    assert.deepStrictEqual(await dig(s, "site.test.", "MX"), ["10 web1.site.test."]);
    assert.deepStrictEqual(await dig(s, "site.test.", "TXT"), ['"v=spf1 mx ip4:192.0.2.0/24 -all"']);
    assert.deepStrictEqual(await dig(s, "_dmarc.site.test.", "TXT"), [
      '"v=DMARC1; p=reject; rua=mailto:dmarc@site.test"',
    ]);
    assert.strictEqual(
      (await dig(s, "s1._domainkey.site.test.", "TXT")).join("").replace(/" "|"/g, ""),
      `v=DKIM1; k=rsa; p=${dkimKey}`,
    );
    assert.deepStrictEqual(await digAnswer(s, "app.site.test.", "CNAME"), [
      `${appTtl} CNAME web1.site.test.`,
    ]);
  }

  // The default puts the 8 record sets into one record collection (stack, DnsZone, zone, collection);
  // "rrsets" makes one resource each (stack, DnsZone, zone, 8 record sets). A cut-over is one update.
  for (const [mode, creates, same] of [
    ["collection", 4, 3],
    ["rrsets", 11, 10],
  ] as const) {
    it(`publishes hosts, apps and mail, and cuts an app over with one record change after lowering its TTL (records: ${mode})`, async () => {
      const s = pdns();
      const cutover: TtlSwitchInput = {
        what: "app.site.test. CNAME",
        current: { ttl: 3, records: ["web1.site.test."] },
        target: ["web2.site.test."],
        lowTtl: 1,
      };
      let phase: TtlSwitchPhase | "not-started" = "not-started";
      await t?.dispose();
      t = await powerDnsStack(`pdns-dnszone-${mode}`, s, async () => {
        const zone = new DnsZone("site", {
          connection: { apiUrl: s.apiUrl },
          zone: "site.test",
          nameservers: ["ns1.site.test."],
          protect: false,
          records: mode === "collection" ? undefined : mode,
        });
        publish(zone, recordAt(cutover, phase));
        return { zoneId: zone.zone.zoneId };
      });
      const up = await t.stack.up(quiet);
      assert.strictEqual(
        up.summary.resourceChanges?.create,
        creates,
        JSON.stringify(up.summary.resourceChanges),
      );
      await assertPublished(s, 3);
      if (mode === "collection") {
        const owners = new Set(Object.values(await ownerComments(s, "site.test.")).flat());
        assert.deepStrictEqual([...owners], ["sovereign-owner:pdns-dnszone-collection/test/site-records"]);
      }

      const seen: string[] = [];
      await runTtlSwitch(planTtlSwitch(cutover), {
        apply: async (next) => {
          phase = next;
          const r = await t!.stack.up(quiet);
          assert.deepStrictEqual(
            r.summary.resourceChanges,
            { same, update: 1 },
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
      await t.dispose();
      t = undefined;
    });
  }

  it('upgrading a stack from records: "rrsets" to the collection keeps every record (the collection takes them over; the old resources leave them)', async () => {
    const s = pdns();
    let mode: "rrsets" | undefined = "rrsets";
    const app = { ttl: 3, records: ["web1.site.test."] };
    await t?.dispose();
    t = await powerDnsStack("pdns-dnszone-upgrade", s, async () => {
      const zone = new DnsZone("site", {
        connection: { apiUrl: s.apiUrl },
        zone: "site.test",
        nameservers: ["ns1.site.test."],
        protect: false,
        records: mode,
      });
      publish(zone, app);
    });
    await t.stack.up(quiet);
    const before = await zoneSnapshot(s, "site.test.");
    mode = undefined;
    const preview = await t.stack.preview(quiet);
    assert.deepStrictEqual(preview.changeSummary, { create: 1, delete: 8, same: 3 });
    const up = await t.stack.up(quiet);
    assert.deepStrictEqual(up.summary.resourceChanges, { create: 1, delete: 8, same: 3 });
    assert.match(up.stdout, /left in place: it now belongs to "pdns-dnszone-upgrade\/test\/site-records"/);
    assert.deepStrictEqual(await zoneSnapshot(s, "site.test."), before, "no record set changed or went away");
    await assertPublished(s, 3);
    const owners = new Set(Object.values(await ownerComments(s, "site.test.")).flat());
    assert.deepStrictEqual([...owners], ["sovereign-owner:pdns-dnszone-upgrade/test/site-records"]);
    assert.deepStrictEqual((await t.stack.preview(quiet)).changeSummary, { same: 4 });
    // The stack still destroys cleanly: the collection deletes its record sets, then the zone goes.
    await t.stack.destroy(quiet);
    assert.deepStrictEqual(await zoneSnapshot(s, "site.test."), []);
    await t.dispose();
    t = undefined;
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
