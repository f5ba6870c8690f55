/**
 * Migration by switching stack config, through the real engine: a site runs at dc-a (sshd, ZFS
 * pool, PostgreSQL and Garage on 127.0.10.1), its config's `datacenter` changes to dc-b
 * (127.0.20.1), preview prints the plan, up moves the data and switches DNS. A failure injected
 * at verify leaves dc-a serving, and the next up completes.
 */
import * as assert from "assert";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { useService } from "../harness";
import { dig } from "../harness/dig";
import { backendFilesText, cliStackExport } from "../harness/stateFiles";
import { createTestStack, type TestStack } from "../harness/workspace";
import { appDefinition } from "../../sdk/apps/catalog";
import { Migration } from "../../sdk/migration";
import { SiteData } from "../../sdk/migration/siteData";
import { psql, tableChecksums } from "../../sdk/replication/postgresCopy";
import { s3Client } from "../../sdk/storage/s3Sync";
import { NetboxClient, NetboxSite } from "../../providers/netbox";
import type { MigrationOutputs } from "../../providers/migration/migrationProvider";
import {
  assertObjects,
  configureDatacenters,
  servedRecord,
  stopAllApps,
  webApp,
  dnsSwitchOf,
  readSiteConfig,
  siteConfigFor,
} from "./fixtures";
import { dependentSteps } from "../support/steps";

const run = randomBytes(3).toString("hex");
// The datacenters' addresses are the same for every run on this machine: a port of the run's own
// keeps another run's app from answering for this one.
const APP_PORT = 20000 + (parseInt(run, 16) % 20000);
const DOMAIN = `mig${run}.coop.test`;
const SITE = `mig${run}`;

const siteConfig = (datacenter: string) =>
  siteConfigFor(SITE, datacenter, [
    { app: "pixelfed", host: "web1", domain: DOMAIN },
    { app: "edumeet", host: "web1" },
  ]);

/** The site program, as a site stack would write it: the config's datacenter decides everything. */
function program(pdnsApiUrl: string, dnsServer: string, netboxUrl: string) {
  return async () => {
    const { config, site, datacenters, items, appName } = readSiteConfig();
    const pidFile = `/tmp/sovereign-app-${run}-{datacenter}.pid`;
    const migration = new Migration("site-location", {
      site: site.name,
      datacenter: site.datacenter,
      datacenters,
      items,
      keepSource: site.migration?.keepSource ?? false,
      // The "app": a web server on the datacenter's address serving the site's datasets.
      app: webApp(pidFile, APP_PORT),
      dns: dnsSwitchOf(pdnsApiUrl, site, appName, 2),
      probe: { name: appName, dnsServer, port: APP_PORT },
      inventory: { url: netboxUrl, siteSlug: site.name },
      failAt: config.get("failAt"),
    });
    // The site's inventory entry follows the serving datacenter, as SiteInventoryRegistration writes it.
    new NetboxSite("inventory-site", {
      url: netboxUrl,
      name: site.name,
      slug: site.name,
      status: "active",
      description: pulumi.interpolate`datacenter: ${migration.servingAt}`,
    });
    servedRecord(pdnsApiUrl, site.domain, appName, site.dns.ttl, migration.servingAddress);
    return { servingAt: migration.servingAt, plan: migration.plan, migration: migration.migration };
  };
}

const sha = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

describe("migration by switching the site's datacenter (real engine, two datacenters)", function () {
  this.timeout(600_000);
  // Each test builds on the previous one's state.
  dependentSteps(this);
  const dcA = useService("datacenter", { instance: "dc-a", timeoutMs: 300_000 });
  const dcB = useService("datacenter", { instance: "dc-b", timeoutMs: 300_000 });
  const pdns = useService("powerdns");
  const netbox = useService("netbox", { timeoutMs: 900_000 });
  const inventoryDatacenter = async () => {
    const client = new NetboxClient({ url: netbox().url, token: netbox().token });
    const [site] = await client.list("site", { slug: SITE });
    return site?.description;
  };
  let test: TestStack;
  const items = appDefinition("pixelfed").state.map((state) => ({ app: "pixelfed", state }));
  const [dbItem, dirItem, bucketItem] = ["database", "directory", "bucket"].map((kind) =>
    items.find((i) => i.state.kind === kind)!,
  );
  // edumeet declares one small directory (its configuration), copied whole with the app stopped.
  const [configItem] = appDefinition("edumeet").state.map((state) => ({ app: "edumeet", state }));
  const configText = JSON.stringify({ listenPort: 443, secret: randomBytes(16).toString("hex") });
  const files: Record<string, string> = {};
  const objects: Record<string, string> = {};
  let data: { a: SiteData; b: SiteData };

  const setSite = (datacenter: string) =>
    test.stack.setConfig("sovereign:site", { value: JSON.stringify(siteConfig(datacenter)) });
  const migrationOutputs = async (): Promise<MigrationOutputs> => {
    const state = (await test.stack.exportStack()).deployment as {
      resources: { type: string; outputs: MigrationOutputs }[];
    };
    const found = state.resources.find((r) => r.type.endsWith("Migration"));
    assert.ok(found, "the stack has a Migration resource");
    return found.outputs;
  };
  const appAnswers = async (address: string) =>
    (
      await fetch(`http://${address}:${APP_PORT}/`, { signal: AbortSignal.timeout(3000) }).catch(
        () => undefined,
      )
    )?.status === 200;

  before(async function () {
    this.timeout(300_000);
    const p = pdns();
    test = await createTestStack(
      "migration",
      program(p.apiUrl, `${p.dnsAddress}:${p.dnsPort}`, netbox().url),
    );
    await test.stack.setConfig("sovereign:powerdnsApiKey", { value: p.apiKey, secret: true });
    await test.stack.setConfig("sovereign:netboxToken", { value: netbox().token, secret: true });
    const sides = await configureDatacenters(test.stack, SITE, [dcA(), dcB()]);
    data = { a: sides["dc-a"], b: sides["dc-b"] };
  });

  after(async function () {
    this.timeout(300_000);
    for (const d of data ? [data.a, data.b] : []) {
      await d.runApp(stopAllApps(`/tmp/sovereign-app-${run}-*.pid`), "stop").catch(() => undefined);
      // Databases and buckets live in clusters every site at the datacenter shares.
      await d.retire(items).catch(() => undefined);
      await d.ssh.run(["zfs", "destroy", "-r", d.side.zfsRoot], { allowFailure: true });
      d.close();
    }
    await test?.dispose();
  });

  it("runs at dc-a: up provisions the site there and starts its app; DNS answers dc-a", async () => {
    await setSite("dc-a");
    await test.stack.up({ color: "never" });
    assert.strictEqual((await migrationOutputs()).servingAt, "dc-a");
    assert.deepStrictEqual(await dig(pdns(), `pixelfed.${DOMAIN}`, "A"), [dcA().address]);
    assert.ok(await appAnswers(dcA().address), "the app answers at dc-a");
    assert.strictEqual(await inventoryDatacenter(), "datacenter: dc-a");
  });

  it("holds data written at dc-a: files on ZFS, rows, objects", async () => {
    const mount = await data.a.mountpoint(data.a.where(dirItem));
    for (let i = 0; i < 20; i++) {
      const text = randomBytes(2048 + i).toString("base64");
      files[`photo-${i}.txt`] = sha(text);
      fs.writeFileSync(path.join(mount, `photo-${i}.txt`), text);
    }
    fs.writeFileSync(path.join(await data.a.plainDirectory(configItem), "config.json"), configText);
    await psql(
      data.a.database(dbItem),
      "CREATE TABLE posts (id serial primary key, body text); INSERT INTO posts (body) SELECT 'post ' || g FROM generate_series(1, 500) g;",
    );
    const location = await data.a.bucket(bucketItem);
    const client = s3Client(location);
    try {
      for (let i = 0; i < 10; i++) {
        const body = randomBytes(4096 + i);
        objects[`media/${i}.bin`] = sha(body);
        await client.send(
          new PutObjectCommand({ Bucket: location.bucket, Key: `media/${i}.bin`, Body: body }),
        );
      }
    } finally {
      client.destroy();
    }
  });

  it("preview of datacenter dc-b prints the ordered plan and changes nothing", async () => {
    await setSite("dc-b");
    const preview = await test.stack.preview({ color: "never", diff: true });
    const order = [
      "provision-target",
      "preseed:pixelfed:database:pixelfed",
      "lower-ttl",
      "stop-writes",
      "final-sync:pixelfed:directory:/var/lib/pixelfed",
      "final-sync:edumeet:directory:/etc/edumeet",
      "verify:pixelfed:bucket:media",
      "switch-dns",
      "start-target",
      "update-inventory",
      "[destructive] retire-source",
    ];
    const positions = order.map((step) => preview.stdout.indexOf(step));
    assert.ok(
      positions.every((p) => p >= 0),
      `plan steps missing from the preview:\n${preview.stdout}`,
    );
    assert.deepStrictEqual(
      [...positions].sort((a, b) => a - b),
      positions,
      "steps out of order in the preview",
    );
    assert.strictEqual((await migrationOutputs()).servingAt, "dc-a");
  });

  it("a failure injected at verify leaves dc-a serving, with its data, and records the progress", async () => {
    await test.stack.setConfig("sovereign:failAt", { value: "verify" });
    await assert.rejects(test.stack.up({ color: "never" }), /stopped at step verify:.*failure injected/s);
    const outs = await migrationOutputs();
    assert.strictEqual(outs.servingAt, "dc-a");
    assert.strictEqual(outs.migration?.status, "failed");
    assert.ok(outs.migration?.completed.includes("lower-ttl"), "the pre-seed and TTL steps are kept");
    assert.ok(!outs.migration?.completed.includes("stop-writes"), "the write window is run again");
    assert.strictEqual(outs.migration?.failure?.sourceRestarted, true);
    assert.deepStrictEqual(await dig(pdns(), `pixelfed.${DOMAIN}`, "A"), [dcA().address]);
    assert.ok(await appAnswers(dcA().address), "the app answers at dc-a again");
    assert.strictEqual(await inventoryDatacenter(), "datacenter: dc-a");
    // The source keeps taking writes; the pre-seed's replica streams them to dc-b before any
    // switch (the resumed run's final sync only waits for what is left).
    await psql(
      data.a.database(dbItem),
      "INSERT INTO posts (body) VALUES ('written after the failed attempt');",
    );
    const streamed = async () =>
      (
        await psql(
          data.b.database(dbItem),
          "SELECT count(*) FROM posts WHERE body = 'written after the failed attempt'",
        )
      ).trim();
    const deadline = Date.now() + 30_000;
    while ((await streamed()) !== "1" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.strictEqual(
      await streamed(),
      "1",
      "a row written at dc-a reached dc-b by replication, before the switch",
    );
    assert.deepStrictEqual(await dig(pdns(), `pixelfed.${DOMAIN}`, "A"), [dcA().address]);
  });

  it("the next up completes: data at dc-b by checksum, DNS answers dc-b, dc-a retired, downtime printed", async () => {
    await test.stack.removeConfig("sovereign:failAt");
    const expectedRows = await tableChecksums(data.a.database(dbItem));
    await test.stack.up({ color: "never" });
    const outs = await migrationOutputs();
    assert.strictEqual(outs.servingAt, "dc-b");
    assert.strictEqual(outs.migration?.status, "done");
    const m = outs.migration!;
    console.log(`      migration ${m.from} -> ${m.to}: downtime ${m.downtimeSeconds?.toFixed(2)} s`);
    for (const t of m.timings)
      console.log(`        ${t.seconds.toFixed(2).padStart(7)} s  ${t.id}  ${t.note}`);
    assert.ok(typeof m.downtimeSeconds === "number");
    assert.ok(m.probe?.servedBy.includes(dcB().address), "the probe reached the app at dc-b");

    assert.deepStrictEqual(await dig(pdns(), `pixelfed.${DOMAIN}`, "A"), [dcB().address]);
    assert.strictEqual(await inventoryDatacenter(), "datacenter: dc-b", "NetBox shows the site at dc-b");
    assert.match(m.timings.find((t) => t.id === "update-inventory")?.note ?? "", /inventory says dc-b/);
    // The database's final sync waited for the replica's delta; no dump was copied.
    const dbFinal = m.timings.find((t) => t.id === "final-sync:pixelfed:database:pixelfed")?.note ?? "";
    assert.match(dbFinal, /^replica caught up: \d+ bytes of WAL were left to replay$/);
    assert.ok(await appAnswers(dcB().address), "the app answers at dc-b");
    assert.ok(!(await appAnswers(dcA().address)), "the app no longer runs at dc-a");

    const mount = await data.b.mountpoint(data.b.where(dirItem));
    for (const [file, digest] of Object.entries(files))
      assert.strictEqual(sha(fs.readFileSync(path.join(mount, file))), digest, file);
    assert.deepStrictEqual(await tableChecksums(data.b.database(dbItem)), expectedRows);
    assert.strictEqual(
      fs.readFileSync(path.join(await data.b.plainDirectory(configItem), "config.json"), "utf8"),
      configText,
    );
    assert.match(expectedRows.posts, /^501 /);
    // Promoted: dc-b's database takes writes of its own, its sequence carried on from dc-a's.
    assert.match(
      (
        await psql(data.b.database(dbItem), "INSERT INTO posts (body) VALUES ('at dc-b') RETURNING id;")
      ).trim(),
      /^502$/m,
    );
    await assertObjects(data.b, bucketItem, objects);
    // dc-a is retired: its dataset and database are gone.
    const left = await data.a.ssh.run(["zfs", "list", "-H", data.a.where(dirItem)], { allowFailure: true });
    assert.notStrictEqual(left.code, 0, "dc-a's dataset was destroyed");
    // What a user finds on disk and in `pulumi stack export` (secrets encrypted there).
    const state = backendFilesText(test.engine.backendDir) + cliStackExport(test.engine.env, test.workDir);
    const keyLines = dcA().sshd.privateKey.trim().split("\n");
    const credentials = {
      "dc-a PostgreSQL password": dcA().postgres.password,
      "dc-b Garage admin token": dcB().garage.adminToken,
      // The lines after the first (which every unencrypted ed25519 key shares).
      "dc-a SSH private key": keyLines.slice(2, -1).join(""),
    };
    for (const [what, secret] of Object.entries(credentials))
      assert.ok(!state.replace(/\\n|\n/g, "").includes(secret), `the ${what} is in the state`);
    const preview = await test.stack.preview({ color: "never" });
    assert.strictEqual(preview.changeSummary.update ?? 0, 0, JSON.stringify(preview.changeSummary));
  });
});
