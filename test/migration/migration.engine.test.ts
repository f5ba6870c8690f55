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
import { PutObjectCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { useService } from "../harness";
import type { DatacenterService } from "../harness/datacenter";
import { dig } from "../harness/dig";
import { backendFilesText, cliStackExport } from "../harness/stateFiles";
import { createTestStack, type TestStack } from "../harness/workspace";
import { parseSiteConfig } from "../../sdk/config";
import { appDefinition } from "../../sdk/apps/catalog";
import { Migration } from "../../sdk/migration";
import { DATACENTER_SECRETS_CONFIG, type DatacenterSide } from "../../sdk/migration/sides";
import { SiteData } from "../../sdk/migration/siteData";
import { psql, tableChecksums } from "../../sdk/replication/postgresCopy";
import { s3Client } from "../../sdk/storage/s3Sync";
import { PowerDnsRecordSet, PowerDnsZone } from "../../providers/powerdns";
import { NetboxClient, NetboxSite } from "../../providers/netbox";
import type { MigrationOutputs } from "../../providers/migration/migrationProvider";
import { secretsOf, sideOf, webApp } from "./siteProgram";
import { assertPlanOrder } from "./migrationStack";

const APP_PORT = 8080;
const run = randomBytes(3).toString("hex");
const DOMAIN = `mig${run}.coop.test`;
const SITE = `mig${run}`;

const side = (dc: DatacenterService): DatacenterSide => sideOf(dc, SITE);
const secrets = secretsOf;

function siteConfig(datacenter: string) {
  return {
    name: SITE,
    domain: DOMAIN,
    datacenter,
    protect: false,
    dns: { endpoint: "local", ttl: 60 },
    hosts: [{ name: "web1", kind: "existing", address: "127.0.10.1" }],
    apps: [
      { app: "pixelfed", host: "web1", domain: DOMAIN },
      { app: "edumeet", host: "web1" },
    ],
    externalServices: ["postgresql", "redis", "smtp", "objectStorage", "oidc"],
    migration: { keepSource: false, switchTtl: 5 },
  };
}

/** The site program, as a site stack would write it: the config's datacenter decides everything. */
function program(pdnsApiUrl: string, dnsServer: string, netboxUrl: string) {
  return async () => {
    const config = new pulumi.Config("sovereign");
    const site = parseSiteConfig(config.requireObject("site"));
    const datacenters = config.requireObject<Record<string, DatacenterSide>>("datacenters");
    const items = site.apps.flatMap((a) =>
      appDefinition(a.app).state.map((state) => ({ app: a.name, state })),
    );
    const appName = `pixelfed.${site.domain}.`;
    const pidFile = `/tmp/sovereign-app-${run}-{datacenter}.pid`;
    const migration = new Migration("site-location", {
      site: site.name,
      datacenter: site.datacenter,
      datacenters,
      items,
      keepSource: site.migration?.keepSource ?? false,
      // The "app": a web server on the datacenter's address serving the site's datasets.
      app: webApp(pidFile),
      dns: {
        apiUrl: pdnsApiUrl,
        serverId: "localhost",
        zone: `${site.domain}.`,
        names: [appName],
        ttl: site.dns.ttl,
        switchTtl: site.migration?.switchTtl ?? 60,
        ttlWaitCapSeconds: 2,
      },
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
    const zone = new PowerDnsZone("zone", {
      apiUrl: pdnsApiUrl,
      name: `${site.domain}.`,
      nameservers: [`ns1.${site.domain}.`],
      forceDelete: true,
    });
    // The declared record follows the serving datacenter: it changes only after the migration's switch.
    new PowerDnsRecordSet("app-record", {
      apiUrl: pdnsApiUrl,
      zone: zone.name,
      name: appName,
      type: "A",
      ttl: site.dns.ttl,
      records: [migration.servingAddress],
    });
    return { servingAt: migration.servingAt, plan: migration.plan, migration: migration.migration };
  };
}

const sha = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

describe("migration by switching the site's datacenter (real engine, two datacenters)", function () {
  this.timeout(600_000);
  // Each test builds on the previous one's state.
  this.bail(true);
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
    await test.stack.setConfig(DATACENTER_SECRETS_CONFIG, {
      value: JSON.stringify({ "dc-a": secrets(dcA()), "dc-b": secrets(dcB()) }),
      secret: true,
    });
    await test.stack.setConfig("sovereign:datacenters", {
      value: JSON.stringify({ "dc-a": side(dcA()), "dc-b": side(dcB()) }),
    });
    data = {
      a: new SiteData(SITE, side(dcA()), secrets(dcA())),
      b: new SiteData(SITE, side(dcB()), secrets(dcB())),
    };
  });

  after(async function () {
    this.timeout(300_000);
    for (const d of data ? [data.a, data.b] : []) {
      await d
        .runApp(
          {
            start: [],
            stop: [
              "sh",
              "-c",
              `for f in /tmp/sovereign-app-${run}-*.pid; do [ -f "$f" ] && kill "$(cat "$f")"; rm -f "$f"; done; true`,
            ],
          },
          "stop",
        )
        .catch(() => undefined);
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
    assertPlanOrder(preview.stdout, order);
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
    // The source keeps taking writes; the resumed run must carry them.
    await psql(
      data.a.database(dbItem),
      "INSERT INTO posts (body) VALUES ('written after the failed attempt');",
    );
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
    const location = await data.b.bucket(bucketItem);
    const client = s3Client(location);
    try {
      for (const [key, digest] of Object.entries(objects)) {
        const got = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
        assert.strictEqual(sha(Buffer.from(await got.Body!.transformToByteArray())), digest, key);
      }
    } finally {
      client.destroy();
    }
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
