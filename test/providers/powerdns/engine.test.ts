/**
 * The PowerDNS providers through the real Pulumi engine (Automation API, inline programs, local
 * backend) against a real pdns_server; DNS answers are checked with dig.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, OutputMap } from "@pulumi/pulumi/automation";
import { startPowerDns, useService } from "../../harness";
import type { PowerDnsService } from "../../harness/types";
import { TestStack } from "../../harness/workspace";
import { PowerDnsRecordSet, PowerDnsZone } from "../../../providers/powerdns";
import {
  backendFilesText,
  clientFor,
  cliStackExport,
  dig,
  powerDnsStack,
  requestLog,
  restartServer,
  stopServer,
  zoneSnapshot,
} from "./helpers";

interface RecordSpec {
  name: string;
  type: string;
  records: string[];
  ttl?: number;
  disabled?: boolean;
  adopt?: boolean;
}

interface ProgramSpec {
  zone: string;
  nameservers?: string[];
  adoptZone?: boolean;
  dnssec?: boolean;
  records: Record<string, RecordSpec>;
}

/** An inline program reading `spec()` at run time, so one stack can be driven through several versions. */
function program(service: () => PowerDnsService, spec: () => ProgramSpec) {
  return async (): Promise<Record<string, unknown>> => {
    const s = service();
    const p = spec();
    const conn = { apiUrl: s.apiUrl };
    const zone = new PowerDnsZone("zone", {
      ...conn,
      name: p.zone,
      nameservers: p.nameservers ?? [`ns1.${p.zone}`],
      adopt: p.adoptZone,
      dnssec: p.dnssec,
    });
    for (const [key, r] of Object.entries(p.records)) {
      new PowerDnsRecordSet(key, { ...conn, zone: zone.name, ...r });
    }
    return { zoneId: zone.zoneId, dnssecKeys: zone.dnssecKeys };
  };
}

const quiet = { color: "never" as const };

describe("PowerDNS providers through the real engine", function () {
  this.timeout(600_000);
  const stacks: TestStack[] = [];
  // Registered before useService's own `after`, so stacks are destroyed while the server still runs.
  after(async () => {
    const failures: string[] = [];
    for (const t of stacks) await t.dispose().catch((e: Error) => failures.push(e.message));
    assert.deepStrictEqual(failures, [], "every stack was destroyed");
  });
  const pdns = useService(() => startPowerDns({ extraConfig: { "gsqlite3-dnssec": "yes" } }));
  async function stackFor(name: string, spec: () => ProgramSpec): Promise<TestStack> {
    const t = await powerDnsStack(name, pdns(), program(pdns, spec));
    stacks.push(t);
    return t;
  }

  it("creates, updates and deletes zones and record sets; the server answers them; no plain-text key in state", async () => {
    const s = pdns();
    const longText = "v=DKIM1; k=rsa; p=" + "A".repeat(400);
    let spec: ProgramSpec = {
      zone: "lifecycle.test.",
      records: {
        www: { name: "www.lifecycle.test.", type: "A", records: ["192.0.2.1", "192.0.2.2"], ttl: 300 },
        www6: { name: "www.lifecycle.test", type: "AAAA", records: ["2001:DB8:0:0::1"] },
        app: { name: "app.lifecycle.test.", type: "CNAME", records: ["www.lifecycle.test."] },
        mx: { name: "lifecycle.test.", type: "MX", records: ["10 mail.lifecycle.test."] },
        dkim: { name: "s1._domainkey.lifecycle.test.", type: "TXT", records: [longText] },
        srv: { name: "_imaps._tcp.lifecycle.test.", type: "SRV", records: ["0 1 993 mail.lifecycle.test."] },
        caa: { name: "lifecycle.test.", type: "CAA", records: ['0 issue "letsencrypt.org"'] },
        idn: { name: "bücher.lifecycle.test.", type: "A", records: ["192.0.2.7"] },
      },
    };
    const t = await stackFor("pdns-lifecycle", () => spec);
    const up1 = await t.stack.up(quiet);
    assert.strictEqual(up1.summary.resourceChanges?.create, 10);
    assert.deepStrictEqual(await dig(s, "www.lifecycle.test.", "A"), ["192.0.2.1", "192.0.2.2"]);
    assert.deepStrictEqual(await dig(s, "www.lifecycle.test.", "AAAA"), ["2001:db8::1"]);
    assert.deepStrictEqual(await dig(s, "app.lifecycle.test.", "CNAME"), ["www.lifecycle.test."]);
    assert.deepStrictEqual(await dig(s, "lifecycle.test.", "MX"), ["10 mail.lifecycle.test."]);
    assert.deepStrictEqual(await dig(s, "_imaps._tcp.lifecycle.test.", "SRV"), [
      "0 1 993 mail.lifecycle.test.",
    ]);
    assert.deepStrictEqual(await dig(s, "lifecycle.test.", "CAA"), ['0 issue "letsencrypt.org"']);
    assert.deepStrictEqual(await dig(s, "xn--bcher-kva.lifecycle.test.", "A"), ["192.0.2.7"]);
    const dkim = await dig(s, "s1._domainkey.lifecycle.test.", "TXT");
    assert.strictEqual(dkim.length, 1);
    const chunks = [...dkim[0].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    assert.deepStrictEqual(
      chunks.map((c) => c.length),
      [255, longText.length - 255],
    );
    assert.strictEqual(chunks.join(""), longText);

    // A second up with nothing changed changes nothing; a refresh reads back exactly what was written
    // (contents of every type normalised as the server stores them).
    const same = await t.stack.up(quiet);
    assert.deepStrictEqual(same.summary.resourceChanges, { same: 10 });
    const refreshed = await t.stack.refresh(quiet);
    assert.deepStrictEqual(refreshed.summary.resourceChanges, { same: 10 });

    spec = {
      ...spec,
      nameservers: ["ns1.lifecycle.test.", "ns2.lifecycle.test."],
      records: {
        ...spec.records,
        www: { name: "www.lifecycle.test.", type: "A", records: ["192.0.2.3"], ttl: 60 },
        mx: {
          name: "lifecycle.test.",
          type: "MX",
          records: ["10 mail.lifecycle.test.", "20 mx2.lifecycle.test."],
        },
        caa: undefined as unknown as RecordSpec,
        ftp: { name: "ftp.lifecycle.test.", type: "A", records: ["192.0.2.9"], disabled: true },
      },
    };
    delete spec.records.caa;
    const up2 = await t.stack.up(quiet);
    assert.deepStrictEqual(up2.summary.resourceChanges, { create: 1, delete: 1, update: 3, same: 6 });
    assert.deepStrictEqual(await dig(s, "lifecycle.test.", "NS"), [
      "ns1.lifecycle.test.",
      "ns2.lifecycle.test.",
    ]);
    assert.deepStrictEqual(await dig(s, "www.lifecycle.test.", "A"), ["192.0.2.3"]);
    assert.deepStrictEqual(await dig(s, "lifecycle.test.", "MX"), [
      "10 mail.lifecycle.test.",
      "20 mx2.lifecycle.test.",
    ]);
    assert.deepStrictEqual(await dig(s, "lifecycle.test.", "CAA"), []);
    assert.deepStrictEqual(
      await dig(s, "ftp.lifecycle.test.", "A"),
      [],
      "a disabled record set is not served",
    );
    assert.ok(
      (await zoneSnapshot(s, "lifecycle.test.")).includes("ftp.lifecycle.test. A 3600 192.0.2.9 (disabled)"),
    );

    // The API key: only in the stack config, encrypted; in no file the backend wrote, in no export.
    const onDisk = backendFilesText(t.engine.backendDir);
    assert.ok(onDisk.includes("lifecycle.test."), "the state files were found");
    assert.ok(!onDisk.includes(s.apiKey), "the API key appears in plain text in the backend's files");
    const exported = cliStackExport(t.engine.env, t.workDir);
    assert.ok(!exported.includes(s.apiKey), "the API key appears in plain text in `pulumi stack export`");
    assert.ok(!exported.includes('"apiKey"'), "no resource carries the key, even encrypted");
    const stackConfig = fs.readFileSync(path.join(t.workDir, "Pulumi.test.yaml"), "utf8");
    assert.match(stackConfig, /sovereign:powerdnsApiKey:\s+secure: /);
    assert.ok(!stackConfig.includes(s.apiKey));
    assert.ok(!exported.includes(path.resolve(__dirname, "../../..")), "no machine path in the state");

    await t.stack.destroy(quiet);
    assert.strictEqual(await clientFor(s).getZone("lifecycle.test."), undefined, "destroy removed the zone");
  });

  it("refresh finds records changed behind its back, and up puts them back", async () => {
    const s = pdns();
    const spec: ProgramSpec = {
      zone: "drift.test.",
      records: {
        www: { name: "www.drift.test.", type: "A", records: ["192.0.2.10"], ttl: 120 },
        txt: { name: "drift.test.", type: "TXT", records: ["hello"] },
        gone: { name: "gone.drift.test.", type: "A", records: ["192.0.2.11"] },
      },
    };
    const t = await stackFor("pdns-drift", () => spec);
    await t.stack.up(quiet);
    const before = await zoneSnapshot(s, "drift.test.");

    await clientFor(s).patchRRSets("drift.test.", [
      {
        name: "www.drift.test.",
        type: "A",
        ttl: 5,
        changetype: "REPLACE",
        records: [{ content: "203.0.113.66" }],
      },
      {
        name: "drift.test.",
        type: "TXT",
        ttl: 3600,
        changetype: "REPLACE",
        records: [{ content: '"tampered"' }],
      },
      { name: "gone.drift.test.", type: "A", changetype: "DELETE" },
    ]);
    assert.deepStrictEqual(await dig(s, "www.drift.test.", "A"), ["203.0.113.66"]);

    const refresh = await t.stack.refresh(quiet);
    assert.deepStrictEqual(refresh.summary.resourceChanges, { same: 2, update: 2, delete: 1 });
    const state = (await t.stack.exportStack()).deployment as {
      resources: { urn: string; outputs?: OutputMap }[];
    };
    const www = state.resources.find((r) => r.urn.endsWith("::www"));
    assert.deepStrictEqual(www?.outputs?.records, ["203.0.113.66"], "refresh recorded what the server holds");
    assert.ok(
      !backendFilesText(t.engine.backendDir).includes(s.apiKey),
      "after refresh, the key is still encrypted",
    );

    const preview = await t.stack.preview(quiet);
    assert.deepStrictEqual(
      preview.changeSummary,
      { same: 2, update: 2, create: 1 },
      preview.stdout + preview.stderr,
    );
    await t.stack.up(quiet);
    assert.deepStrictEqual(await zoneSnapshot(s, "drift.test."), before);
    assert.deepStrictEqual(await dig(s, "www.drift.test.", "A"), ["192.0.2.10"]);
    assert.deepStrictEqual(await dig(s, "gone.drift.test.", "A"), ["192.0.2.11"]);
  });

  it("refuses to take over an existing zone or record set unless told to adopt it", async () => {
    const s = pdns();
    const c = clientFor(s);
    await c.createZone({ name: "adopt.test.", kind: "Native", nameservers: ["ns1.adopt.test."] });
    await c.patchRRSets("adopt.test.", [
      {
        name: "www.adopt.test.",
        type: "A",
        ttl: 60,
        changetype: "REPLACE",
        records: [{ content: "198.51.100.1" }],
      },
      {
        name: "keep.adopt.test.",
        type: "A",
        ttl: 60,
        changetype: "REPLACE",
        records: [{ content: "198.51.100.2" }],
      },
    ]);
    let spec: ProgramSpec = {
      zone: "adopt.test.",
      records: { www: { name: "www.adopt.test.", type: "A", records: ["192.0.2.50"] } },
    };
    const t = await stackFor("pdns-adopt", () => spec);
    const before = await zoneSnapshot(s, "adopt.test.");
    await assert.rejects(
      t.stack.up(quiet),
      /creating zone adopt\.test\.: it already exists.*Set "adopt: true"/s,
    );
    spec = { ...spec, adoptZone: true };
    await assert.rejects(
      t.stack.up(quiet),
      /creating record set www\.adopt\.test\. A in zone adopt\.test\.: it already exists \(ttl 60, records \["198\.51\.100\.1"\]\)\. Set "adopt: true"/,
    );
    assert.deepStrictEqual(await zoneSnapshot(s, "adopt.test."), before, "the failed ups changed no record");

    spec = { ...spec, records: { www: { ...spec.records.www, adopt: true } } };
    await t.stack.up(quiet);
    assert.deepStrictEqual(await dig(s, "www.adopt.test.", "A"), ["192.0.2.50"]);
    assert.deepStrictEqual(
      await dig(s, "keep.adopt.test.", "A"),
      ["198.51.100.2"],
      "records not declared are kept",
    );
  });

  it("stops with a clear error when the server goes away mid-up, and a later up converges", async () => {
    const s = pdns();
    const records: Record<string, RecordSpec> = {};
    for (let i = 0; i < 40; i++)
      records[`h${i}`] = { name: `h${i}.outage.test.`, type: "A", records: [`192.0.2.${i}`] };
    const spec: ProgramSpec = { zone: "outage.test.", records };
    const t = await stackFor("pdns-outage", () => spec);
    let stopping: Promise<void> | undefined;
    let created = 0;
    const error = await t.stack
      .up({
        ...quiet,
        parallel: 4,
        onEvent: (e) => {
          if (e.resOutputsEvent?.metadata.type.endsWith(":RecordSet") && ++created === 5)
            stopping = stopServer(s);
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    await stopping;
    assert.ok(error, "the up failed");
    assert.match(
      error.message,
      /PowerDNS API (PATCH|GET) http:\/\/127\.0\.0\.1:\d+\/api\/v1\/.* did not answer/,
    );
    assert.match(error.message, /Is pdns_server running/);
    assert.ok(!error.message.includes(s.apiKey), "the error does not show the key");

    await restartServer(s);
    const up = await t.stack.up(quiet);
    assert.ok((up.summary.resourceChanges?.create ?? 0) > 0);
    const snapshot = await zoneSnapshot(s, "outage.test.");
    const want = Object.values(records).map((r) => `${r.name} A 3600 ${r.records[0]}`);
    assert.deepStrictEqual(
      snapshot.filter((l) => / A /.test(l)),
      want.sort(),
      "every record exactly once, none lost, none doubled",
    );
    const again = await t.stack.preview(quiet);
    assert.deepStrictEqual(again.changeSummary, { same: 42 });
    assert.deepStrictEqual(await dig(s, "h39.outage.test.", "A"), ["192.0.2.39"]);
  });

  it("sends the record sets of one zone in a few PATCH requests and reads the zone once", async () => {
    const s = pdns();
    const records: Record<string, RecordSpec> = {};
    for (let i = 0; i < 60; i++)
      records[`r${i}`] = { name: `r${i}.batch.test.`, type: "A", records: [`192.0.2.${i}`] };
    const t = await stackFor("pdns-batch", () => ({ zone: "batch.test.", records }));
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pdns-requests-")), "requests.log");
    const env = (t.stack.workspace as LocalWorkspace).envVars;
    env.SOVEREIGN_PDNS_REQUEST_LOG = log;
    await t.stack.up({ ...quiet, parallel: 64 });
    delete env.SOVEREIGN_PDNS_REQUEST_LOG;
    const sent = requestLog(log);
    const patches = sent.filter((l) => l.startsWith("PATCH"));
    const zoneReads = sent.filter((l) => /^GET .*\/zones\/batch\.test\.$/.test(l));
    console.log(
      `      (60 record sets: ${patches.length} PATCH, ${zoneReads.length} zone GET, ${sent.length} requests)`,
    );
    assert.ok(
      patches.length <= 12,
      `60 record sets took ${patches.length} PATCH requests:\n${sent.join("\n")}`,
    );
    assert.ok(zoneReads.length <= patches.length + 1, `zone reads: ${zoneReads.length}`);
    assert.strictEqual((await zoneSnapshot(s, "batch.test.")).filter((l) => / A /.test(l)).length, 60);
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
  });

  it("a record set the server refuses fails alone, with the HTTP status and the server's text", async () => {
    const s = pdns();
    const records: Record<string, RecordSpec> = {};
    for (let i = 0; i < 12; i++)
      records[`ok${i}`] = { name: `ok${i}.refuse.test.`, type: "A", records: [`192.0.2.${i}`] };
    // Someone else's A record at the name where we want a CNAME: PowerDNS refuses the CNAME.
    records.clash = { name: "clash.refuse.test.", type: "CNAME", records: ["ok1.refuse.test."] };
    const spec: ProgramSpec = { zone: "refuse.test.", records: {} };
    const t = await stackFor("pdns-refuse", () => spec);
    await t.stack.up(quiet);
    await clientFor(s).patchRRSets("refuse.test.", [
      {
        name: "clash.refuse.test.",
        type: "A",
        ttl: 60,
        changetype: "REPLACE",
        records: [{ content: "198.51.100.7" }],
      },
    ]);
    spec.records = records;
    await assert.rejects(
      t.stack.up({ ...quiet, parallel: 64 }),
      /creating record set clash\.refuse\.test\. CNAME in zone refuse\.test\.: PowerDNS API PATCH \/api\/v1\/servers\/localhost\/zones\/refuse\.test\. failed with HTTP 422: RRset clash\.refuse\.test\. IN CNAME: Conflicts with pre-existing RRset/,
    );
    const served = (await zoneSnapshot(s, "refuse.test.")).filter((l) => l.startsWith("ok"));
    assert.strictEqual(served.length, 12, "the other record sets of the same batch were created");
    assert.deepStrictEqual(
      await dig(s, "clash.refuse.test.", "A"),
      ["198.51.100.7"],
      "the other party's record is untouched",
    );

    // Turning that name into a CNAME of ours is a replacement that removes the old type first.
    await clientFor(s).patchRRSets("refuse.test.", [
      { name: "clash.refuse.test.", type: "A", changetype: "DELETE" },
    ]);
    spec.records = { ...records, clash: { name: "clash.refuse.test.", type: "A", records: ["192.0.2.200"] } };
    await t.stack.up(quiet);
    spec.records = {
      ...records,
      clash: { name: "clash.refuse.test.", type: "CNAME", records: ["ok1.refuse.test."] },
    };
    const swap = await t.stack.up(quiet);
    assert.strictEqual(swap.summary.resourceChanges?.replace, 1);
    assert.deepStrictEqual(await dig(s, "clash.refuse.test.", "CNAME"), ["ok1.refuse.test."]);
  });

  it("creates Master and Slave zones with their settings", async () => {
    const s = pdns();
    const t = await powerDnsStack("pdns-kinds", s, async () => {
      const conn = { apiUrl: s.apiUrl };
      new PowerDnsZone("primary", {
        ...conn,
        name: "primary.test.",
        kind: "Master",
        nameservers: ["ns1.primary.test."],
        soaEditApi: "EPOCH",
        account: "coop",
      });
      new PowerDnsZone("secondary", {
        ...conn,
        name: "secondary.test.",
        kind: "Slave",
        masters: ["192.0.2.53"],
      });
    });
    stacks.push(t);
    await t.stack.up(quiet);
    const primary = await clientFor(s).getZone("primary.test.", { rrsets: false });
    assert.deepStrictEqual(
      [primary?.kind, primary?.soa_edit_api, primary?.account],
      ["Master", "EPOCH", "coop"],
    );
    const secondary = await clientFor(s).getZone("secondary.test.", { rrsets: false });
    assert.deepStrictEqual([secondary?.kind, secondary?.masters], ["Slave", ["192.0.2.53"]]);
    const again = await t.stack.preview(quiet);
    assert.deepStrictEqual(
      again.changeSummary,
      { same: 3 },
      "what the server reports matches what was asked",
    );
    const refresh = await t.stack.refresh(quiet);
    assert.deepStrictEqual(refresh.summary.resourceChanges, { same: 3 });
  });

  it("signs a zone with DNSSEC and publishes its keys as outputs", async () => {
    const s = pdns();
    let spec: ProgramSpec = { zone: "signed.test.", dnssec: true, records: {} };
    const t = await stackFor("pdns-dnssec", () => spec);
    const up = await t.stack.up(quiet);
    const keys = up.outputs.dnssecKeys.value as { keytype: string; ds: string[]; dnskey: string }[];
    assert.ok(keys.length >= 1);
    assert.ok(keys[0].ds.length >= 1 && keys[0].dnskey.startsWith("257 3 "));
    assert.strictEqual((await dig(s, "signed.test.", "DNSKEY")).length >= 1, true);
    spec = { ...spec, dnssec: false };
    const off = await t.stack.up(quiet);
    assert.deepStrictEqual(off.outputs.dnssecKeys.value, []);
    assert.deepStrictEqual(await dig(s, "signed.test.", "DNSKEY"), []);
  });
});
