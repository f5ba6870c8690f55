/**
 * The safety rules (issue 7) through the real engine and a real pdns_server: ownership between
 * stacks, endpoint spelling, adopt keeping settings, kind changes in place, a lost POST reply,
 * key rotation, a moved checkout, and every record type converging to an empty preview.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, PulumiFn } from "@pulumi/pulumi/automation";
import { startPowerDns, useService } from "../../harness";
import { makeEngineEnv, pulumiCommand } from "../../harness/engine";
import { repoRoot } from "../../harness/repo";
import type { TestStack } from "../../harness/workspace";
import {
  PowerDnsRecordSet,
  PowerDnsRecordSetArgs,
  PowerDnsZone,
  PowerDnsZoneArgs,
} from "../../../providers/powerdns";
import { PowerDnsClient } from "../../../providers/powerdns/client";
import { launchPdnsServer } from "../../harness/powerdns";
import {
  clientFor,
  cliStackExport,
  dig,
  powerDnsStack,
  setPowerDnsKey,
  stopServer,
  zoneSnapshot,
} from "./helpers";

const quiet = { color: "never" as const };
type Rec = Omit<PowerDnsRecordSetArgs, "apiUrl" | "zone">;

function zoneProgram(
  apiUrl: () => string,
  zone: () => Partial<PowerDnsZoneArgs> & { name: string },
  records: () => Record<string, Rec> = () => ({}),
): PulumiFn {
  return async () => {
    const z = new PowerDnsZone("zone", { apiUrl: apiUrl(), ...zone() });
    for (const [key, r] of Object.entries(records()))
      new PowerDnsRecordSet(key, { apiUrl: apiUrl(), zone: z.name, ...r });
    return {
      zoneId: z.zoneId,
      dnssec: z.dnssec,
      kind: z.kind,
      nameservers: z.nameservers,
      adopted: z.adopted,
    };
  };
}

describe("PowerDNS safety rules through the real engine", function () {
  this.timeout(600_000);
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks.reverse()) await t.dispose().catch(() => undefined);
  });
  const pdns = useService(() => startPowerDns({ extraConfig: { "gsqlite3-dnssec": "yes" } }));
  async function stack(name: string, program: PulumiFn): Promise<TestStack> {
    const t = await powerDnsStack(name, pdns(), program);
    stacks.push(t);
    return t;
  }

  it("two stacks on one zone: the second is refused naming both owners; adopt takes over; delete leaves what another stack holds", async () => {
    const s = pdns();
    const www: Rec = { name: "www.own.test.", type: "A", records: ["192.0.2.1"] };
    const a = await stack(
      "pdns-a",
      zoneProgram(
        () => s.apiUrl,
        () => ({ name: "own.test.", nameservers: ["ns1.own.test."] }),
        () => ({ www }),
      ),
    );
    await a.stack.up(quiet);
    let bRecords: Record<string, Rec> = { www };
    const b = await stack("pdns-b", async () => {
      for (const [key, r] of Object.entries(bRecords))
        new PowerDnsRecordSet(key, { apiUrl: s.apiUrl, zone: "own.test.", ...r });
    });
    await assert.rejects(
      b.stack.up(quiet),
      /creating record set www\.own\.test\. A in zone own\.test\.: it already exists and belongs to "pdns-a\/test\/www", not to "pdns-b\/test\/www"\. Set "adopt: true"/,
    );
    bRecords = {
      www: { ...www, records: ["192.0.2.99"], adopt: true },
      extra: { name: "b.own.test.", type: "A", records: ["192.0.2.2"] },
    };
    await b.stack.up(quiet);
    assert.deepStrictEqual(await dig(s, "www.own.test.", "A"), ["192.0.2.99"]);

    // A's destroy: its record set now belongs to B (left, with a warning); the zone holds B's
    // records, so deleting it is refused.
    const refused = await a.stack.destroy(quiet).then(
      () => "destroyed",
      (e: Error) => e.message,
    );
    assert.match(refused, /left in place: it now belongs to "pdns-b\/test\/www"/);
    assert.match(
      refused,
      /deleting zone own\.test\.: refused: it holds record sets this stack does not own: .*b\.own\.test\. A \("pdns-b\/test\/extra"\)/,
    );
    assert.deepStrictEqual(await dig(s, "www.own.test.", "A"), ["192.0.2.99"], "B's record is still served");
    await b.stack.destroy(quiet);
    assert.deepStrictEqual(await dig(s, "b.own.test.", "A"), []);
    await a.stack.destroy(quiet);
    assert.strictEqual(await clientFor(s).getZone("own.test."), undefined);
  });

  it("two resources of one program on the same record set are refused naming both", async () => {
    const s = pdns();
    const t = await stack(
      "pdns-twice",
      zoneProgram(
        () => s.apiUrl,
        () => ({ name: "twice.test.", nameservers: ["ns1.twice.test."] }),
        () => ({
          first: { name: "www.twice.test.", type: "A", records: ["192.0.2.1"] },
          second: { name: "www.twice.test.", type: "A", records: ["192.0.2.2"] },
        }),
      ),
    );
    await assert.rejects(
      t.stack.up(quiet),
      /"pdns-twice\/test\/(first|second)"[^]*"pdns-twice\/test\/(second|first)"/,
    );
  });

  it("another spelling of the API URL, a kind change and a rename through aliases are updates that keep every record", async () => {
    const s = pdns();
    let apiUrl = s.apiUrl;
    let kind: "Native" | "Master" = "Native";
    let recordName = "www";
    const t = await stack("pdns-spelling", async () => {
      const z = new PowerDnsZone("zone", {
        apiUrl,
        name: "spell.test.",
        nameservers: ["ns1.spell.test."],
        kind,
      });
      new PowerDnsRecordSet(
        recordName,
        { apiUrl, zone: z.name, name: "www.spell.test.", type: "A", records: ["192.0.2.5"] },
        recordName === "www" ? {} : { aliases: [{ name: "www" }] },
      );
      return { zoneId: z.zoneId };
    });
    const first = await t.stack.up(quiet);
    apiUrl = s.apiUrl.replace("127.0.0.1", "localhost");
    const preview = await t.stack.preview(quiet);
    assert.deepStrictEqual(preview.changeSummary, { same: 1, update: 2 }, preview.stdout);
    await t.stack.up(quiet);
    kind = "Master";
    recordName = "www-renamed";
    const up = await t.stack.up(quiet);
    assert.deepStrictEqual(up.summary.resourceChanges, { same: 1, update: 2 });
    assert.strictEqual(up.outputs.zoneId.value, first.outputs.zoneId.value, "the same zone");
    assert.strictEqual((await clientFor(s).getZone("spell.test.", { rrsets: false }))?.kind, "Master");
    assert.deepStrictEqual(await dig(s, "www.spell.test.", "A"), ["192.0.2.5"]);
    const snapshot = await zoneSnapshot(s, "spell.test.");
    assert.ok(snapshot.some((l) => l.startsWith("www.spell.test. A")));
    const rrset = (await clientFor(s).getZone("spell.test."))?.rrsets?.find(
      (r) => r.name === "www.spell.test.",
    );
    assert.deepStrictEqual(
      rrset?.comments?.map((c) => c.content),
      ["sovereign-owner:pdns-spelling/test/www-renamed"],
    );
    assert.deepStrictEqual((await t.stack.preview(quiet)).changeSummary, { same: 3 });
  });

  it("adopting a signed zone keeps DNSSEC and its apex NS; preview shows a given value that differs; delete needs forceDelete", async () => {
    const s = pdns();
    await clientFor(s).createZone({
      name: "signed-adopt.test.",
      kind: "Native",
      nameservers: ["ns1.elsewhere.test."],
      dnssec: true,
    });
    let zone: Partial<PowerDnsZoneArgs> & { name: string } = { name: "signed-adopt.test.", adopt: true };
    const t = await stack(
      "pdns-adopt-signed",
      zoneProgram(
        () => s.apiUrl,
        () => zone,
      ),
    );
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.outputs.dnssec.value, true, "DNSSEC stays on");
    assert.deepStrictEqual(up.outputs.nameservers.value, ["ns1.elsewhere.test."], "the apex NS stay");
    assert.strictEqual(up.outputs.adopted.value, true);
    assert.ok((await dig(s, "signed-adopt.test.", "DNSKEY")).length >= 1);
    assert.deepStrictEqual((await t.stack.preview(quiet)).changeSummary, { same: 2 });
    zone = { ...zone, dnssec: false };
    const preview = await t.stack.preview({ ...quiet, diff: true });
    assert.deepStrictEqual(preview.changeSummary, { same: 1, update: 1 });
    assert.match(preview.stdout, /dnssec\s*:\s*true\s*=>\s*false/);
    zone = { ...zone, dnssec: undefined };
    await assert.rejects(
      t.stack.destroy(quiet),
      /refused: this stack adopted the zone, it did not create it; set "forceDelete: true"/,
    );
    assert.ok(await clientFor(s).getZone("signed-adopt.test.", { rrsets: false }), "the zone is still there");
    zone = { ...zone, forceDelete: true };
    await t.stack.up(quiet);
    await t.stack.destroy(quiet);
    assert.strictEqual(await clientFor(s).getZone("signed-adopt.test."), undefined);
  });

  it("a zone whose POST reply was lost is recognised as its own on the next up", async () => {
    const s = pdns();
    let dropPostReply = true;
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        void fetch(s.apiUrl + req.url, {
          method: req.method,
          headers: Object.fromEntries(
            Object.entries(req.headers).filter(
              ([k]) => !["host", "connection", "content-length"].includes(k),
            ),
          ) as Record<string, string>,
          body: body.length ? body : undefined,
        }).then(async (r) => {
          const text = await r.text();
          if (dropPostReply && req.method === "POST") {
            req.socket.destroy();
            return;
          }
          res
            .writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" })
            .end(text);
        });
      });
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      const t = await stack(
        "pdns-lost",
        zoneProgram(
          () => proxyUrl,
          () => ({ name: "lost.test.", nameservers: ["ns1.lost.test."] }),
        ),
      );
      await assert.rejects(t.stack.up(quiet), /POST .* did not answer: .*may or may not have been applied/);
      assert.ok(await clientFor(s).getZone("lost.test.", { rrsets: false }), "the POST was applied");
      dropPostReply = false;
      const up = await t.stack.up(quiet);
      assert.deepStrictEqual(up.summary.resourceChanges, { create: 1, same: 1 });
      assert.deepStrictEqual(await clientFor(s).getMetadata("lost.test.", "X-SOVEREIGN-OWNER"), [
        "sovereign-owner:pdns-lost/test/zone",
      ]);
      await t.stack.destroy(quiet);
    } finally {
      proxy.close();
    }
  });

  it("after a key rotation (one config change) refresh and delete use the new key; a refused key never means 'gone'", async () => {
    const s = pdns();
    const t = await stack(
      "pdns-rotate",
      zoneProgram(
        () => s.apiUrl,
        () => ({ name: "rotate.test.", nameservers: ["ns1.rotate.test."] }),
        () => ({ www: { name: "www.rotate.test.", type: "A", records: ["192.0.2.8"] } }),
      ),
    );
    await t.stack.up(quiet);
    const newKey = "rotated-" + Math.random().toString(36).slice(2);
    await stopServer(s);
    const conf = path.join(s.dir, "pdns.conf");
    fs.writeFileSync(conf, fs.readFileSync(conf, "utf8").replace(/^api-key=.*$/m, `api-key=${newKey}`));
    await launchPdnsServer({ ...s, apiKey: newKey });
    const stale = await t.stack.refresh(quiet).then(
      () => "refreshed",
      (e: Error) => e.message,
    );
    assert.match(stale, /HTTP 401/, "the old key is refused");
    assert.ok(!stale.includes(newKey) && !stale.includes(s.apiKey));
    await setPowerDnsKey(t, newKey);
    // Plain refresh/destroy use the provider config recorded at the last `up`; with the program
    // run (or after an `up`) they use the config as it is now.
    assert.deepStrictEqual(
      (await t.stack.refresh({ ...quiet, runProgram: true })).summary.resourceChanges,
      { same: 3 },
      "nothing was taken as gone",
    );
    await t.stack.destroy({ ...quiet, runProgram: true });
    const c = new PowerDnsClient({ apiUrl: s.apiUrl, apiKey: newKey, serverId: "localhost" });
    assert.strictEqual(await c.getZone("rotate.test."), undefined, "deleted with the new key");
    // Leave the server with the harness's key for the tests after this one.
    await stopServer(s);
    fs.writeFileSync(conf, fs.readFileSync(conf, "utf8").replace(/^api-key=.*$/m, `api-key=${s.apiKey}`));
    await launchPdnsServer(s);
  });

  it("a moved checkout refreshes and destroys what it deployed (the state holds no path)", async () => {
    const s = pdns();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-moved-"));
    const before = path.join(root, "checkout-a");
    const after = path.join(root, "checkout-b");
    fs.mkdirSync(path.join(before, "work"), { recursive: true });
    fs.cpSync(path.join(repoRoot(), "bin"), path.join(before, "bin"), { recursive: true });
    fs.copyFileSync(path.join(repoRoot(), "package.json"), path.join(before, "package.json"));
    fs.symlinkSync(path.join(repoRoot(), "node_modules"), path.join(before, "node_modules"));
    const engine = makeEngineEnv("moved");
    const program = zoneProgram(
      () => s.apiUrl,
      () => ({ name: "moved.test.", nameservers: ["ns1.moved.test."] }),
      () => ({ www: { name: "www.moved.test.", type: "A", records: ["192.0.2.30"] } }),
    );
    const open = async (dir: string) =>
      LocalWorkspace.createOrSelectStack(
        { stackName: "test", projectName: "pdns-moved", program },
        {
          workDir: path.join(dir, "work"),
          envVars: engine.env,
          pulumiCommand: await pulumiCommand(engine),
          projectSettings: { name: "pdns-moved", runtime: "nodejs" },
        },
      );
    try {
      const first = await open(before);
      await first.setConfig("sovereign:powerdnsApiKey", { value: s.apiKey, secret: true });
      await first.up(quiet);
      // Only what the providers wrote: the engine's own debug positions (sourcePosition,
      // stackTrace) name the test's files and play no part in refresh or destroy.
      const state = JSON.stringify(
        JSON.parse(cliStackExport(engine.env, path.join(before, "work")), (k, v: unknown) =>
          k === "sourcePosition" || k === "stackTrace" ? undefined : v,
        ),
      );
      for (const dir of [before, repoRoot()]) {
        const at = state.indexOf(dir);
        assert.ok(at < 0, `a machine path in the state: ${state.slice(Math.max(0, at - 300), at + 100)}`);
      }
      fs.renameSync(before, after);
      const moved = await open(after);
      assert.deepStrictEqual((await moved.refresh(quiet)).summary.resourceChanges, { same: 3 });
      await moved.destroy(quiet);
      assert.strictEqual(await clientFor(s).getZone("moved.test."), undefined);
    } finally {
      engine.cleanup();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
