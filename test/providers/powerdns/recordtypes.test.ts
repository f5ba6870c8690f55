/**
 * Every record type PowerDNS 4.7 stores, through the real engine: created, served, and then a
 * preview and a refresh with no changes (contents compared in the server's canonical form).
 */
import * as assert from "assert";
import { startPowerDns, useService } from "../../harness";
import type { TestStack } from "../../harness/workspace";
import { PowerDnsRecordSet, PowerDnsRecordSetArgs, PowerDnsZone } from "../../../providers/powerdns";
import { dig, powerDnsStack } from "./helpers";

const Z = "types.test.";
const hex64 = "AB".repeat(32);
type Rec = Omit<PowerDnsRecordSetArgs, "apiUrl" | "zone">;

/** Contents deliberately not in the server's canonical spelling where the type allows it. */
const RECORDS: Record<string, Rec> = {
  hinfo: { name: `hinfo.${Z}`, type: "HINFO", records: ['"PC-Intel-700mhz" "Debian"'] },
  loc: { name: `loc.${Z}`, type: "LOC", records: ["52 22 23 N 4 53 32 E -2m 1m 10000m 10m"] },
  naptr: { name: `naptr.${Z}`, type: "NAPTR", records: ['100 10 "S" "SIP+D2U" "" _sip._udp.types.test.'] },
  spf: { name: `spf.${Z}`, type: "SPF", records: ["v=spf1 ip4:192.0.2.0/24 -all"] },
  sshfp: { name: `host.${Z}`, type: "SSHFP", records: [`4 2 ${hex64}`] },
  alias: { name: `alias.${Z}`, type: "ALIAS", records: ["target.example.org."] },
  soa: { name: Z, type: "SOA", records: [`ns1.${Z} hostmaster.${Z} 1 10800 3600 604800 300`], adopt: true },
  https: { name: `https.${Z}`, type: "HTTPS", records: ['1 . alpn="h2,h3"'] },
  svcb: { name: `_8443._foo.svcb.${Z}`, type: "SVCB", records: [`1 svc.${Z} port=8443`] },
  ds: { name: `child.${Z}`, type: "DS", records: [`12345 13 2 ${hex64}`] },
  childNs: { name: `child.${Z}`, type: "NS", records: ["ns1.child.types.test."] },
  dname: { name: `dname.${Z}`, type: "DNAME", records: ["other.example.org."] },
  openpgpkey: {
    name: `c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6._openpgpkey.${Z}`,
    type: "OPENPGPKEY",
    records: ["mDMEXEcE6RYJKwYBBAHaRw8BAQdArjWwk3FAqyiFbFBKT4TzXcVBqPTB3gmzlC/Ub7O1u120JkFsaWNlIExvdmVsYWNl"],
  },
  smimea: { name: `hash._smimecert.${Z}`, type: "SMIMEA", records: [`3 1 1 ${hex64}`] },
  uri: { name: `_http._tcp.${Z}`, type: "URI", records: ['10 1 "https://www.types.test/"'] },
  caa: { name: Z, type: "CAA", records: ['0 issue "letsencrypt.org"'] },
};

describe("every record type PowerDNS stores, through the real engine", function () {
  this.timeout(600_000);
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks) await t.dispose().catch(() => undefined);
  });
  const pdns = useService(() => startPowerDns());

  it(`creates ${Object.keys(RECORDS).length} record sets of ${new Set(Object.values(RECORDS).map((r) => r.type)).size} types; the next preview and refresh change nothing`, async () => {
    const s = pdns();
    let records = RECORDS;
    const t = await powerDnsStack("pdns-types", s, async () => {
      const z = new PowerDnsZone("zone", { apiUrl: s.apiUrl, name: Z, nameservers: [`ns1.${Z}`] });
      for (const [key, r] of Object.entries(records))
        new PowerDnsRecordSet(key, { apiUrl: s.apiUrl, zone: z.name, ...r });
    });
    stacks.push(t);
    const n = Object.keys(RECORDS).length + 2;
    await t.stack.up({ color: "never" });
    assert.deepStrictEqual(await dig(s, `hinfo.${Z}`, "HINFO"), ['"PC-Intel-700mhz" "Debian"']);
    const sshfp = (await dig(s, `host.${Z}`, "SSHFP")).map((x) => x.replace(/\s+/g, "").toLowerCase());
    assert.deepStrictEqual(sshfp, [`42${hex64.toLowerCase()}`]);
    const preview = await t.stack.preview({ color: "never", diff: true });
    assert.deepStrictEqual(preview.changeSummary, { same: n }, preview.stdout);
    const refresh = await t.stack.refresh({ color: "never" });
    assert.deepStrictEqual(refresh.summary.resourceChanges, { same: n }, refresh.stdout);
    assert.deepStrictEqual((await t.stack.preview({ color: "never" })).changeSummary, { same: n });

    // A content the server refuses: its own message, with the fields to fix.
    records = { ...RECORDS, badLoc: { name: `badloc.${Z}`, type: "LOC", records: ["somewhere nice"] } };
    await assert.rejects(
      t.stack.up({ color: "never" }),
      /creating record set badloc\.types\.test\. LOC in zone types\.test\.: PowerDNS API PATCH .* failed with HTTP 422: .*\(the server refused "records" or "type"/,
    );
  });
});
