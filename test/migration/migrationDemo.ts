/**
 * `npm run demo -- migrate`: the headline on the local defaults. Starts dc-a and dc-b (`npm run
 * env -- up dc-a dc-b`'s datacenters), PowerDNS and NetBox; brings the migration site up at dc-a;
 * writes files, rows and objects there; switches the site config to dc-b; prints `pulumi preview`
 * (the ordered plan); runs `pulumi up` printing each step as the Migration provider carries it out
 * (SOVEREIGN_MIGRATION_LOG) and then each step's time and the measured downtime. Stops what it
 * started and destroys the demo stack at the end.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { sharedService, stopSharedServices } from "../harness";
import "../harness/datacenter";
import "../harness/netbox";
import "../harness/powerdns";
import { createTestStack } from "../harness/workspace";
import { appDefinition } from "../../sdk/apps/catalog";
import { SiteData } from "../../sdk/migration/siteData";
import { psql } from "../../sdk/replication/postgresCopy";
import { s3Client } from "../../sdk/storage/s3Sync";
import { cleanUpSite, configureMigrationStack, migrationOutputs, runScript } from "./migrationStack";
import { migrationSiteConfig, migrationSiteItems, secretsOf, sideOf, siteProgram } from "./siteProgram";

const say = (line: string) => console.log(`[demo] ${line}`);

async function main(): Promise<void> {
  const run = randomBytes(3).toString("hex");
  const site = `demo${run}`;
  const domain = `${site}.coop.test`;
  const started = Date.now();
  say("starting dc-a, dc-b, PowerDNS and NetBox (first start of NetBox takes about a minute)");
  const [dcA, dcB, pdns, netbox] = await Promise.all([
    sharedService("datacenter", "dc-a"),
    sharedService("datacenter", "dc-b"),
    sharedService("powerdns"),
    sharedService("netbox"),
  ]);
  const progress = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-demo-")), "steps.log");
  process.env.SOVEREIGN_MIGRATION_LOG = progress;
  const test = await createTestStack(
    "migrationdemo",
    siteProgram({
      pdnsApiUrl: pdns.apiUrl,
      dnsServer: `${pdns.dnsAddress}:${pdns.dnsPort}`,
      netboxUrl: netbox.url,
      pidFile: `/tmp/sovereign-demo-app-${run}-{datacenter}.pid`,
    }),
  );
  const data = {
    a: new SiteData(site, sideOf(dcA, site), secretsOf(dcA)),
    b: new SiteData(site, sideOf(dcB, site), secretsOf(dcB)),
  };
  try {
    const s = test.stack;
    await configureMigrationStack(s, site, [dcA, dcB], pdns.apiKey);
    await s.setConfig("sovereign:netboxToken", { value: netbox.token, secret: true });
    const setDatacenter = (dc: string) =>
      s.setConfig("sovereign:site", { value: JSON.stringify(migrationSiteConfig(site, domain, dc)) });
    say(`set-up done in ${((Date.now() - started) / 1000).toFixed(0)} s; the demo's clock starts now`);
    const t0 = Date.now();
    await setDatacenter("dc-a");
    say("pulumi up at dc-a");
    await s.up({ color: "never" });
    const items = appDefinition("pixelfed").state.map((state) => ({ app: "pixelfed", state }));
    const find = (kind: string) => items.find((i) => i.state.kind === kind)!;
    say("writing 50 files, 5000 rows and 20 objects at dc-a");
    const mount = await data.a.mountpoint(data.a.where(find("directory")));
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(mount, `photo-${i}.bin`), randomBytes(64 * 1024));
    await psql(
      data.a.database(find("database")),
      "CREATE TABLE posts (id serial primary key, body text); INSERT INTO posts (body) SELECT md5(g::text) FROM generate_series(1, 5000) g;",
    );
    const bucket = await data.a.bucket(find("bucket"));
    const client = s3Client(bucket);
    for (let i = 0; i < 20; i++)
      await client.send(
        new PutObjectCommand({ Bucket: bucket.bucket, Key: `media/${i}.bin`, Body: randomBytes(32 * 1024) }),
      );
    client.destroy();

    await setDatacenter("dc-b");
    say("site config: datacenter dc-a -> dc-b; pulumi preview shows the plan:");
    const preview = await s.preview({ color: "never", diff: true });
    // The plan is the Migration's `plan` input: one quoted "<n>. <step>: <what>" per step.
    const steps = [...preview.stdout.matchAll(/"(\d+\. [^"\n]+)"/g)].map((found) => found[1]);
    for (const step of [...new Set(steps)]) console.log(`    ${step}`);
    say("pulumi up: each step as it happens");
    fs.writeFileSync(progress, "");
    let shown = 0;
    const tail = setInterval(() => {
      const lines = fs.readFileSync(progress, "utf8").split("\n").filter(Boolean);
      for (const line of lines.slice(shown)) console.log(`    ${line}`);
      shown = lines.length;
    }, 300);
    try {
      await s.up({ color: "never" });
    } finally {
      clearInterval(tail);
      const lines = fs.readFileSync(progress, "utf8").split("\n").filter(Boolean);
      for (const line of lines.slice(shown)) console.log(`    ${line}`);
    }
    const m = (await migrationOutputs(s)).migration;
    say(`migration ${m?.from} -> ${m?.to}: ${m?.status}`);
    for (const t of m?.timings ?? []) console.log(`    ${t.seconds.toFixed(2).padStart(7)} s  ${t.id}`);
    say(`measured downtime: ${m?.downtimeSeconds?.toFixed(2)} s (probe on web1.${domain})`);
    say(`demo took ${((Date.now() - t0) / 1000).toFixed(0)} s after set-up`);
  } finally {
    say("cleaning up (destroying the demo stack, stopping the services)");
    await cleanUpSite(
      [data.a, data.b],
      [`/tmp/sovereign-demo-app-${run}-{datacenter}.pid`],
      migrationSiteItems(),
    );
    await test.dispose().catch((e: Error) => say(`destroy: ${e.message}`));
    await stopSharedServices();
  }
}

runScript(main);
