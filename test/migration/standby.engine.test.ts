/**
 * Warm standby through the real engine: a site serves at dc-a with `standby: dc-b`; its database
 * streams to dc-b, its dataset and bucket follow on each up, the lag is an output read fresh on
 * refresh and up; then the site is promoted (datacenter dc-b) by the ordinary migration, whose
 * plan has no pre-seed for what the standby kept warm, and dc-b holds everything.
 */
import * as assert from "assert";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { useService } from "../harness";
import { dig } from "../harness/dig";
import { backendFilesText, cliStackExport } from "../harness/stateFiles";
import { createTestStack, type TestStack } from "../harness/workspace";
import { appDefinition } from "../../sdk/apps/catalog";
import { Migration, Standby } from "../../sdk/migration";
import { SiteData } from "../../sdk/migration/siteData";
import { psql, tableChecksums } from "../../sdk/replication/postgresCopy";
import { s3Client } from "../../sdk/storage/s3Sync";
import type { MigrationOutputs } from "../../providers/migration/migrationProvider";
import type { StandbyOutputs } from "../../providers/migration/standbyProvider";
import * as fx from "./fixtures";
import { dependentSteps } from "../support/steps";

const run = randomBytes(3).toString("hex");
// The datacenters' addresses are the same for every run on this machine: a port of the run's own
// keeps another run's app from answering for this one.
const APP_PORT = 20000 + (parseInt(run, 16) % 20000);
const SITE = `stb${run}`;
const DOMAIN = `${SITE}.coop.test`;

const siteConfig = (datacenter: string, standby?: string) =>
  fx.siteConfigFor(SITE, datacenter, [{ app: "pixelfed", host: "web1", domain: DOMAIN }], standby);

/** The site program: the Migration as always, and a Standby while the config names one. */
function program(pdnsApiUrl: string) {
  return async () => {
    const { site, datacenters, items, appName } = fx.readSiteConfig();
    const migration = new Migration("site-location", {
      site: site.name,
      datacenter: site.datacenter,
      ...(site.standby ? { standby: site.standby } : {}),
      datacenters,
      items,
      keepSource: false,
      app: fx.webApp(`/tmp/sovereign-app-${run}-{datacenter}.pid`, APP_PORT),
      dns: fx.dnsSwitchOf(pdnsApiUrl, site, appName, 1),
    });
    const standby = site.standby
      ? new Standby(
          "site-standby",
          { site: site.name, primary: site.datacenter, standby: site.standby, datacenters, items },
          { dependsOn: [migration] },
        )
      : undefined;
    fx.servedRecord(pdnsApiUrl, site.domain, appName, site.dns.ttl, migration.servingAddress);
    return { servingAt: migration.servingAt, standbyLag: standby?.lag };
  };
}

const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("warm standby at dc-b and its promotion (real engine, two datacenters)", function () {
  this.timeout(600_000);
  dependentSteps(this); // each test builds on the one before
  const dcA = useService("datacenter", { instance: "dc-a", timeoutMs: 300_000 });
  const dcB = useService("datacenter", { instance: "dc-b", timeoutMs: 300_000 });
  const pdns = useService("powerdns");
  let test: TestStack;
  let data: { a: SiteData; b: SiteData };
  const items = appDefinition("pixelfed").state.map((state) => ({ app: "pixelfed", state }));
  const [dbItem, dirItem, bucketItem] = ["database", "directory", "bucket"].map((kind) =>
    items.find((i) => i.state.kind === kind)!,
  );
  const files: Record<string, string> = {};
  const objects: Record<string, string> = {};
  let replicationPassword = "";

  const setSite = (datacenter: string, standby?: string) =>
    test.stack.setConfig("sovereign:site", { value: JSON.stringify(siteConfig(datacenter, standby)) });
  const outputsOf = async <T>(type: string): Promise<T | undefined> => {
    const state = (await test.stack.exportStack()).deployment as {
      resources?: { type: string; outputs: T }[];
    };
    return state.resources?.find((r) => r.type.endsWith(type))?.outputs;
  };
  const standbyOutputs = async () => {
    const outs = await outputsOf<StandbyOutputs>("Standby");
    assert.ok(outs, "the stack has a Standby resource");
    return outs;
  };
  const rowsAt = async (d: SiteData) =>
    (await psql(d.database(dbItem), "SELECT count(*) FROM posts").catch(() => "none")).trim();
  const until = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) assert.fail(`${what} within ${ms / 1000} s`);
      await sleep(200);
    }
  };
  const putObject = async (key: string) => {
    const location = await data.a.bucket(bucketItem);
    const client = s3Client(location);
    try {
      const body = randomBytes(3000);
      objects[key] = sha(body);
      await client.send(new PutObjectCommand({ Bucket: location.bucket, Key: key, Body: body }));
    } finally {
      client.destroy();
    }
  };
  const dbLabel = "pixelfed:database:pixelfed";
  const bucketLabel = "pixelfed:bucket:media";
  const dirLabel = "pixelfed:directory:/var/lib/pixelfed";

  before(async function () {
    this.timeout(300_000);
    test = await createTestStack("standby", program(pdns().apiUrl));
    await test.stack.setConfig("sovereign:powerdnsApiKey", { value: pdns().apiKey, secret: true });
    const sides = await fx.configureDatacenters(test.stack, SITE, [dcA(), dcB()]);
    data = { a: sides["dc-a"], b: sides["dc-b"] };
  });

  after(async function () {
    this.timeout(300_000);
    // Destroying the stack ends the replicas (the Standby's delete) before the data goes.
    await test?.dispose().catch((e: Error) => console.log(`      destroy: ${e.message}`));
    for (const d of data ? [data.a, data.b] : []) {
      await d.runApp(fx.stopAllApps(`/tmp/sovereign-app-${run}-*.pid`), "stop").catch(() => undefined);
      // A replica left by a failed run would keep a slot (and WAL) at dc-a.
      await psql(d.database(dbItem), `DROP SUBSCRIPTION IF EXISTS sov_${d.where(dbItem)}`).catch(
        () => undefined,
      );
      await d.ssh.run(["zfs", "destroy", "-r", d.side.zfsRoot], { allowFailure: true });
      await psql(
        { ...d.database(dbItem), database: "postgres" },
        `DROP DATABASE IF EXISTS ${d.where(dbItem)} WITH (FORCE)`,
      ).catch(() => undefined);
      d.close();
    }
  });

  it("serves at dc-a with a standby at dc-b: up starts the replicas and shows the lag", async () => {
    await setSite("dc-a", "dc-b");
    await test.stack.up({ color: "never" });
    const outs = await standbyOutputs();
    assert.deepStrictEqual(Object.keys(outs.lag.databases), [dbLabel]);
    assert.strictEqual(outs.lag.databases[dbLabel].streaming, true, JSON.stringify(outs.lag));
    assert.strictEqual(outs.lag.buckets[bucketLabel].differing, 0);
    assert.ok(outs.lag.datasets[dirLabel].snapshotAgeSeconds >= 0, JSON.stringify(outs.lag));
    assert.ok(outs.current.includes(dbLabel) && outs.current.includes(dirLabel));
    const stackOutputs = await test.stack.outputs();
    assert.deepStrictEqual(stackOutputs.standbyLag.value, outs.lag, "the lag is a stack output");
  });

  it("data written at dc-a shows as lag on refresh; the next up brings the standby level", async () => {
    const mount = await data.a.mountpoint(data.a.where(dirItem));
    for (let i = 0; i < 5; i++) {
      const text = randomBytes(4000).toString("base64");
      files[`photo-${i}.txt`] = sha(text);
      fs.writeFileSync(path.join(mount, `photo-${i}.txt`), text);
    }
    await psql(
      data.a.database(dbItem),
      "CREATE TABLE posts (id serial primary key, body text); INSERT INTO posts (body) SELECT 'post ' || g FROM generate_series(1, 300) g;",
    );
    await putObject("media/1.bin");
    await putObject("media/2.bin");
    const before = await standbyOutputs();
    await sleep(1100);
    await test.stack.refresh({ color: "never" });
    const refreshed = await standbyOutputs();
    assert.notStrictEqual(refreshed.readAt, before.readAt, "refresh read the lag again");
    assert.strictEqual(refreshed.lag.buckets[bucketLabel].differing, 2, "two objects not at the standby yet");
    assert.ok(!refreshed.current.includes(bucketLabel));
    assert.ok(
      refreshed.lag.datasets[dirLabel].snapshotAgeSeconds > before.lag.datasets[dirLabel].snapshotAgeSeconds,
      "the standby's newest snapshot got older",
    );
    // A table made after the replica started is joined by the next round.
    assert.strictEqual(await rowsAt(data.b), "none");

    await test.stack.up({ color: "never" });
    const after = await standbyOutputs();
    assert.strictEqual(after.lag.buckets[bucketLabel].differing, 0, JSON.stringify(after.lag));
    assert.ok(
      after.lastRound.some((l) => /new tables: posts/.test(l)),
      after.lastRound.join("\n"),
    );
    assert.strictEqual(await rowsAt(data.b), "300");
    const bMount = await data.b.mountpoint(data.b.where(dirItem));
    for (const [file, digest] of Object.entries(files))
      assert.strictEqual(sha(fs.readFileSync(path.join(bMount, file))), digest, file);
  });

  it("rows written at dc-a stream to the standby without an up", async () => {
    await psql(
      data.a.database(dbItem),
      "INSERT INTO posts (body) SELECT 'later ' || g FROM generate_series(1, 50) g;",
    );
    await until("350 rows at dc-b", async () => (await rowsAt(data.b)) === "350");
    const lag = (await standbyOutputs()).lag.databases[dbLabel];
    assert.strictEqual(typeof lag.bytes, "number");
    assert.strictEqual(typeof lag.seconds, "number");
  });

  it("the replication password is only in dc-b's subscription, never in the state or the engine's output", async () => {
    const conninfo = (
      await psql(
        data.b.database(dbItem),
        "SELECT subconninfo FROM pg_subscription WHERE subname LIKE 'sov_%'",
      )
    ).trim();
    replicationPassword = /password=(\S+)/.exec(conninfo)?.[1] ?? "";
    assert.ok(replicationPassword.length >= 24, "the subscription logs in with a generated password");
    const up = await test.stack.up({ color: "never" });
    const seen =
      backendFilesText(test.engine.backendDir) +
      cliStackExport(test.engine.env, test.workDir) +
      up.stdout +
      up.stderr;
    assert.ok(!seen.includes(replicationPassword), "the replication password is in the state or output");
  });

  it("promotion: datacenter dc-b is the migration without the standby's pre-seed; dc-b then holds all data", async () => {
    await psql(data.a.database(dbItem), "INSERT INTO posts (body) VALUES ('last before the switch');");
    await putObject("media/3.bin");
    await setSite("dc-b");
    const preview = await test.stack.preview({ color: "never", diff: true });
    for (const step of [
      "stop-writes",
      `final-sync:${dbLabel}`,
      `final-sync:${dirLabel}`,
      `verify:${bucketLabel}`,
      "switch-dns",
    ])
      assert.ok(preview.stdout.includes(step), `${step} missing from the preview:\n${preview.stdout}`);
    assert.ok(!preview.stdout.includes("preseed:"), `the promotion re-seeds:\n${preview.stdout}`);

    const expected = await tableChecksums(data.a.database(dbItem));
    await test.stack.up({ color: "never" });
    const outs = await outputsOf<MigrationOutputs>("Migration");
    assert.strictEqual(outs?.servingAt, "dc-b");
    assert.strictEqual(outs?.migration?.status, "done");
    assert.ok(
      !outs?.migration?.completed.some((id) => id.startsWith("preseed:")),
      outs?.migration?.completed.join(" "),
    );
    assert.strictEqual(await outputsOf("Standby"), undefined, "the standby resource is gone");
    assert.deepStrictEqual(await dig(pdns(), `pixelfed.${DOMAIN}`, "A"), [dcB().address]);

    assert.deepStrictEqual(await tableChecksums(data.b.database(dbItem)), expected);
    assert.match(expected.posts, /^351 /);
    const bMount = await data.b.mountpoint(data.b.where(dirItem));
    for (const [file, digest] of Object.entries(files))
      assert.strictEqual(sha(fs.readFileSync(path.join(bMount, file))), digest, file);
    await fx.assertObjects(data.b, bucketItem, objects);
    // The promoted database is its own: no subscription left, and it takes writes.
    assert.strictEqual(
      (await psql(data.b.database(dbItem), "SELECT count(*) FROM pg_subscription")).trim(),
      "0",
    );
    await psql(data.b.database(dbItem), "INSERT INTO posts (body) VALUES ('at dc-b');");
    // dc-a keeps no replication role, slot or copy.
    const leftovers = await psql(
      { ...data.a.database(dbItem), database: "postgres" },
      `SELECT count(*) FROM pg_roles WHERE rolname = 'sov_repl_${data.a.where(dbItem)}'
       UNION ALL SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'sov_${data.a.where(dbItem)}'`,
    );
    assert.deepStrictEqual(leftovers.trim().split("\n"), ["0", "0"]);
  });
});
