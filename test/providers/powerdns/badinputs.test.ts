/**
 * Bad inputs fail at `pulumi preview` (the providers' `check`) with a message that names the field
 * and the fix, through the real engine, and nothing on the server changes.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { startPowerDns, useService } from "../../harness";
import type { PowerDnsService } from "../../harness/types";
import {
  PowerDnsRecordSet,
  PowerDnsRecordSetArgs,
  PowerDnsZone,
  PowerDnsZoneArgs,
} from "../../../providers/powerdns";
import { clientFor, powerDnsStack, zoneSnapshot } from "./helpers";

type Case =
  | { what: string; rrset: Partial<PowerDnsRecordSetArgs>; expect: RegExp }
  | { what: string; zone: Partial<PowerDnsZoneArgs>; expect: RegExp };

const Z = "bad.test.";
/** A key given the old way, as a secret input: no message may show it. */
const OLD_STYLE_KEY = "old-style-key-9f3b27c1d6";
const rr = (what: string, rrset: Partial<PowerDnsRecordSetArgs>, expect: RegExp): Case => ({
  what,
  rrset,
  expect,
});

const CASES: Case[] = [
  rr(
    "A content that is no IPv4",
    { type: "A", records: ["1.2.3"] },
    /records\[0\]: "1\.2\.3" is not an IPv4 address/,
  ),
  rr("IPv4 in AAAA", { type: "AAAA", records: ["192.0.2.1"] }, /is an IPv4 address; put it in an A record/),
  rr(
    "two CNAME targets",
    { name: "app.bad.test.", type: "CNAME", records: ["a.bad.test.", "b.bad.test."] },
    /a CNAME record set holds exactly one target; got 2/,
  ),
  rr(
    "CNAME at the apex",
    { name: Z, type: "CNAME", records: ["x.example.org."] },
    /CNAME cannot be at the zone apex/,
  ),
  rr(
    "MX without preference",
    { type: "MX", records: ["mail.bad.test."] },
    /must be "<preference> <mail host>"/,
  ),
  rr("MX to an IP", { type: "MX", records: ["10 192.0.2.1"] }, /MX host "192\.0\.2\.1" is an IP address/),
  rr("TXT with an open quote", { type: "TXT", records: ['"unterminated'] }, /unterminated quote/),
  rr(
    "SRV without _service._proto",
    { type: "SRV", records: ["0 1 5060 sip.bad.test."] },
    /must start with _service\._proto/,
  ),
  rr(
    "SRV port out of range",
    { name: "_sip._udp.bad.test.", type: "SRV", records: ["0 1 70000 sip.bad.test."] },
    /SRV port 70000 is too large; the maximum is 65535/,
  ),
  rr(
    "CAA unknown tag",
    { type: "CAA", records: ['0 issuer "letsencrypt.org"'] },
    /CAA tag "issuer" is unknown; use one of issue/,
  ),
  rr(
    "TLSA digest of the wrong length",
    { name: "_443._tcp.bad.test.", type: "TLSA", records: ["3 1 1 abcd"] },
    /TLSA matching type 1 \(SHA-256\) needs 64 hex digits; got 4/,
  ),
  rr("PTR to an IP", { type: "PTR", records: ["192.0.2.1"] }, /PTR target "192\.0\.2\.1" is an IP address/),
  rr("negative TTL", { ttl: -1 }, /ttl -1 must be a whole number of seconds/),
  rr("fractional TTL", { ttl: 1.5 }, /ttl 1\.5 must be a whole number of seconds/),
  rr(
    "name outside the zone",
    { name: "www.other.test." },
    /name "www\.other\.test\." is not inside zone "bad\.test\."/,
  ),
  rr("relative name", { name: "www" }, /name "www" is not fully qualified/),
  rr(
    "label longer than 63",
    { name: `${"x".repeat(64)}.bad.test.` },
    /is 64 bytes; a label may have at most 63/,
  ),
  rr("label with a space", { name: "my host.bad.test." }, /label "my host" may only contain/),
  rr(
    "no type name",
    { type: "A RECORD" },
    /type "A RECORD" is not a DNS record type name; use e\.g\. A, AAAA/,
  ),
  rr("no records", { records: [] }, /records must be a non-empty list/),
  rr(
    "the same record twice",
    { records: ["192.0.2.1", " 192.0.2.1"] },
    /records\[1\] is the same record as records\[0\]/,
  ),
  rr(
    "apex NS as a record set",
    { name: Z, type: "NS", records: ["ns9.example.org."] },
    /apex NS records are managed by the zone/,
  ),
  rr(
    "API URL without scheme",
    { apiUrl: "127.0.0.1:8081" },
    /apiUrl "127\.0\.0\.1:8081" is not an http\(s\) URL/,
  ),
  rr(
    "the API key as a resource input (secret)",
    { apiKey: pulumi.secret(OLD_STYLE_KEY) } as Partial<PowerDnsRecordSetArgs>,
    /apiKey is no longer a resource input .* pulumi config set --secret sovereign:powerdnsApiKey/,
  ),
  rr(
    "API key config that is no config key",
    { apiKeyConfig: "powerdnsApiKey" },
    /apiKeyConfig "powerdnsApiKey" must name a stack config key such as "sovereign:powerdnsApiKey"/,
  ),
  rr(
    "SOA below the apex",
    { type: "SOA", records: ["a. b. 1 2 3 4 5"] },
    /an SOA record set belongs at the zone apex/,
  ),
  rr("a meta type", { type: "AXFR" }, /type AXFR is a query or transaction type/),
  {
    what: "unknown zone kind",
    zone: { kind: "Primary" as "Native" },
    expect: /kind "Primary" is not supported; use one of Native, Master, Slave/,
  },
  {
    what: "zone name with an empty label",
    zone: { name: "new..test." },
    expect: /zone name "new\.\.test\." has an empty label/,
  },
  {
    what: "zone without nameservers",
    zone: { nameservers: [] },
    expect: /nameservers is empty; a Native zone needs its name servers/,
  },
  { what: "Slave zone without masters", zone: { kind: "Slave" }, expect: /a Slave zone needs masters/ },
  {
    what: "Slave zone master with a port out of range",
    zone: { kind: "Slave", masters: ["1.1.1.1:111111"] },
    expect: /masters\[0\] "1\.1\.1\.1:111111" has port 111111; a port is a number from 1 to 65535/,
  },
  {
    what: "unknown SOA-EDIT-API",
    zone: { soaEditApi: "SOMETIMES" },
    expect: /soaEditApi "SOMETIMES" is unknown/,
  },
];

function programFor(s: PowerDnsService, c: Case) {
  return async () => {
    const conn = { apiUrl: s.apiUrl };
    if ("zone" in c) {
      new PowerDnsZone("zone", { ...conn, name: "new.test.", nameservers: ["ns1.new.test."], ...c.zone });
    } else {
      new PowerDnsRecordSet("rrset", {
        ...conn,
        zone: Z,
        name: "host.bad.test.",
        type: "A",
        records: ["192.0.2.1"],
        ...c.rrset,
      } as PowerDnsRecordSetArgs);
    }
  };
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe("PowerDNS bad inputs fail at preview through the real engine", function () {
  this.timeout(600_000);
  const pdns = useService(() => startPowerDns());

  it(`rejects ${CASES.length} kinds of bad input with messages that name the field and the fix, changing nothing`, async () => {
    const s = pdns();
    const c = clientFor(s);
    await c.createZone({ name: Z, kind: "Native", nameservers: ["ns1.bad.test."] });
    await c.patchRRSets(Z, [
      {
        name: "host.bad.test.",
        type: "A",
        ttl: 60,
        changetype: "REPLACE",
        records: [{ content: "198.51.100.5" }],
      },
    ]);
    const before = await zoneSnapshot(s, Z);
    const problems: string[] = [];
    await inBatches(CASES, 4, async (bad) => {
      const t = await powerDnsStack("pdns-bad", s, programFor(s, bad));
      try {
        const outcome = await t.stack.preview({ color: "never" }).then(
          () => "the preview succeeded",
          (e: unknown) => (e as Error).message,
        );
        if (!bad.expect.test(outcome)) problems.push(`${bad.what}: expected ${bad.expect}, got:\n${outcome}`);
        for (const key of [s.apiKey, OLD_STYLE_KEY])
          if (outcome.includes(key)) problems.push(`${bad.what}: the message shows an API key:\n${outcome}`);
      } finally {
        await t.dispose();
      }
    });
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(await zoneSnapshot(s, Z), before, "no record changed");
    assert.strictEqual(await c.getZone("new.test."), undefined, "no zone was created");
  });
});
