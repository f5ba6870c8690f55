/**
 * PowerDnsRecordCollection (one resource per zone and stack) through the real engine and a real
 * pdns_server: create, update and delete each in one zone read and one PATCH, every record set
 * owner-marked, the preview naming each record set that changes, others' record sets refused
 * (naming the owner, nothing changed), adopt, and a delete that leaves what was taken over.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { startPowerDns, useService } from "../../harness";
import type { TestStack } from "../../harness/workspace";
import {
  PowerDnsCollectionRRSet,
  PowerDnsRecordCollection,
  PowerDnsRecordSet,
  PowerDnsZone,
} from "../../../providers/powerdns";
import { clientFor, dig, powerDnsStack, requestLog } from "./helpers";

const quiet = { color: "never" as const };

describe("PowerDNS record collection through the real engine", function () {
  this.timeout(600_000);
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks.reverse()) await t.dispose().catch(() => undefined);
  });
  const pdns = useService(() => startPowerDns());
  async function stack(name: string, program: () => Promise<void>): Promise<TestStack> {
    const t = await powerDnsStack(name, pdns(), program);
    stacks.push(t);
    return t;
  }
  /** Runs `work` with the provider process logging its requests; returns the log's lines. */
  async function logged(t: TestStack, work: () => Promise<unknown>): Promise<string[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdns-coll-"));
    const env = (t.stack.workspace as LocalWorkspace).envVars;
    env.SOVEREIGN_PDNS_REQUEST_LOG = path.join(dir, "requests.log");
    try {
      await work();
      return requestLog(env.SOVEREIGN_PDNS_REQUEST_LOG);
    } finally {
      delete env.SOVEREIGN_PDNS_REQUEST_LOG;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  async function ownerComments(zone: string): Promise<Record<string, string[]>> {
    const z = await clientFor(pdns()).getZone(zone);
    return Object.fromEntries(
      (z?.rrsets ?? [])
        .filter((r) => r.type !== "SOA" && r.type !== "NS")
        .map((r) => [`${r.name} ${r.type}`, (r.comments ?? []).map((c) => c.content)]),
    );
  }

  it("creates, updates and deletes with one zone read and one PATCH each; every record set carries the owner; the preview names each change", async () => {
    const s = pdns();
    let rrsets: PowerDnsCollectionRRSet[] = [
      { name: "www.coll.test.", type: "A", records: ["192.0.2.1"] },
      { name: "coll.test.", type: "TXT", records: ["v=spf1 -all"] },
      { name: "coll.test.", type: "MX", records: ["10 mail.coll.test."] },
    ];
    const t = await stack("pdns-coll", async () => {
      const z = new PowerDnsZone("zone", {
        apiUrl: s.apiUrl,
        name: "coll.test.",
        nameservers: ["ns1.coll.test."],
      });
      new PowerDnsRecordCollection("records", { apiUrl: s.apiUrl, zone: z.name, rrsets });
    });
    await t.stack.up(quiet);
    assert.deepStrictEqual(await dig(s, "www.coll.test.", "A"), ["192.0.2.1"]);
    assert.deepStrictEqual(await dig(s, "coll.test.", "MX"), ["10 mail.coll.test."]);
    assert.deepStrictEqual(await ownerComments("coll.test."), {
      "www.coll.test. A": ["sovereign-owner:pdns-coll/test/records"],
      "coll.test. TXT": ["sovereign-owner:pdns-coll/test/records"],
      "coll.test. MX": ["sovereign-owner:pdns-coll/test/records"],
    });
    assert.strictEqual(
      (await t.stack.preview(quiet)).changeSummary.update ?? 0,
      0,
      "a second preview is empty",
    );

    rrsets = [
      { name: "www.coll.test.", type: "A", records: ["192.0.2.9"] },
      { name: "coll.test.", type: "MX", records: ["10 mail.coll.test."] },
      { name: "api.coll.test.", type: "A", records: ["192.0.2.3"] },
    ];
    const preview = await t.stack.preview({ ...quiet, diff: true });
    for (const key of ["www.coll.test. A", "api.coll.test. A", "coll.test. TXT"])
      assert.ok(preview.stdout.includes(key), `the preview names ${key}:\n${preview.stdout}`);
    assert.ok(!preview.stdout.includes('"coll.test. MX"'), "an unchanged record set is not listed");
    const requests = await logged(t, () => t.stack.up(quiet));
    assert.deepStrictEqual(
      requests.map((r) => r.split("?")[0]),
      ["GET /api/v1/servers/localhost/zones/coll.test.", "PATCH /api/v1/servers/localhost/zones/coll.test."],
    );
    assert.deepStrictEqual(await dig(s, "www.coll.test.", "A"), ["192.0.2.9"]);
    assert.deepStrictEqual(await dig(s, "api.coll.test.", "A"), ["192.0.2.3"]);
    assert.deepStrictEqual(await dig(s, "coll.test.", "TXT"), []);

    await t.stack.destroy(quiet);
    assert.strictEqual(await clientFor(s).getZone("coll.test."), undefined);
  });

  it("refuses record sets another stack owns, naming the owner and changing nothing; adopt takes over; delete leaves what was taken back", async () => {
    const s = pdns();
    let otherAdopts = false;
    const other = await stack("pdns-coll-other", async () => {
      const z = new PowerDnsZone("zone", {
        apiUrl: s.apiUrl,
        name: "shared.test.",
        nameservers: ["ns1.shared.test."],
      });
      new PowerDnsRecordSet("www", {
        apiUrl: s.apiUrl,
        zone: z.name,
        name: "www.shared.test.",
        type: "A",
        records: [otherAdopts ? "192.0.2.77" : "192.0.2.7"],
        adopt: otherAdopts,
      });
    });
    await other.stack.up(quiet);

    let adopt = false;
    const mine = await stack("pdns-coll-mine", async () => {
      new PowerDnsRecordCollection("records", {
        apiUrl: s.apiUrl,
        zone: "shared.test.",
        adopt,
        rrsets: [
          { name: "www.shared.test.", type: "A", records: ["192.0.2.1"] },
          { name: "new.shared.test.", type: "A", records: ["192.0.2.2"] },
        ],
      });
    });
    await assert.rejects(
      mine.stack.up(quiet),
      /1 record set\(s\) refused, nothing was changed:[^]*www\.shared\.test\. A: it already exists and belongs to "pdns-coll-other\/test\/www", not to "pdns-coll-mine\/test\/records"\. Set "adopt: true"/,
    );
    assert.deepStrictEqual(
      await dig(s, "new.shared.test.", "A"),
      [],
      "nothing of the refused write was applied",
    );
    assert.deepStrictEqual(await dig(s, "www.shared.test.", "A"), ["192.0.2.7"]);

    adopt = true;
    await mine.stack.up(quiet);
    assert.deepStrictEqual(await dig(s, "www.shared.test.", "A"), ["192.0.2.1"]);
    assert.deepStrictEqual((await ownerComments("shared.test."))["www.shared.test. A"], [
      "sovereign-owner:pdns-coll-mine/test/records",
    ]);

    // The other stack takes it back; our destroy then leaves it, with a warning, and removes ours.
    otherAdopts = true;
    await other.stack.up(quiet);
    const destroyed = await mine.stack.destroy(quiet);
    assert.match(
      destroyed.stdout + destroyed.stderr,
      /www\.shared\.test\. A: left in place: it now belongs to "pdns-coll-other\/test\/www"/,
    );
    assert.deepStrictEqual(await dig(s, "www.shared.test.", "A"), ["192.0.2.77"]);
    assert.deepStrictEqual(await dig(s, "new.shared.test.", "A"), []);
  });

  it("refuses bad record sets at preview, naming the entry and the field", async () => {
    const s = pdns();
    const t = await stack("pdns-coll-bad", async () => {
      new PowerDnsRecordCollection("records", {
        apiUrl: s.apiUrl,
        zone: "bad.test.",
        rrsets: [
          { name: "www.bad.test.", type: "A", records: ["192.0.2.1"] },
          { name: "www.bad.test.", type: "A", records: ["192.0.2.2"] },
          { name: "mx.bad.test.", type: "MX", records: ["mail.bad.test."] },
        ],
      });
    });
    await assert.rejects(
      t.stack.preview(quiet),
      (e: Error) =>
        /rrsets\[1\][^\n]*www\.bad\.test\. A is listed twice/.test(e.message) &&
        /rrsets\[2\]\.records[^\n]*MX content "mail\.bad\.test\." must be/.test(e.message),
    );
  });
});
