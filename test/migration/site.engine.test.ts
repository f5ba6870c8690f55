/**
 * The Site component's migration through the real engine: the site config's `datacenter` changes
 * from dc-a to dc-b, preview prints the plan with the config's hooks in place, a failing hook
 * stops the move with dc-a serving, and the next up completes: data at dc-b, DNS and NetBox
 * point there, the hooks got their JSON document (with the one secret they asked for, and no other
 * credential), and nothing secret is in the state.
 */
import * as assert from "assert";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { useService } from "../harness";
import { dig } from "../harness/dig";
import { backendFilesText, cliStackExport } from "../harness/stateFiles";
import { createTestStack, type TestStack } from "../harness/workspace";
import { appDefinition } from "../../sdk/apps/catalog";
import { SiteData } from "../../sdk/migration/siteData";
import { databaseOwner } from "../../sdk/migration/placeOwners";
import { psql, tableChecksums } from "../../sdk/replication/postgresCopy";
import { NetboxClient } from "../../providers/netbox";
import type { HookDocument } from "../../sdk/migration/hooks";
import {
  APP_PORT,
  migrationSiteConfig,
  migrationSiteItems,
  secretsOf,
  sideOf,
  siteProgram,
} from "./siteProgram";
import {
  assertPlanOrder,
  cleanUpSite,
  configureMigrationStack,
  migrationOutputs as stackMigration,
  printMigration,
  sha256,
  useMigrationServices,
} from "./migrationStack";
import { dependentSteps } from "../support/steps";

const run = randomBytes(3).toString("hex");
const SITE = `smig${run}`;
const DOMAIN = `${SITE}.coop.test`;
const FAIL_MARKER = `/tmp/sovereign-hook-fail-${run}`;
const HOOK_SECRET = `hook-secret-${randomBytes(12).toString("hex")}`;

/** Each hook saves its stdin document beside the site's data on the host that runs it. */
const hooks = [
  {
    name: "flush",
    at: "before-backup",
    app: "pixelfed",
    run: ["sh", "-c", 'cat > "$1/hook-before-backup.json"', "sh", "{root}"],
  },
  {
    name: "check-restore",
    at: "after-restore",
    secrets: ["sovereign:hookToken"],
    // Fails while the marker exists, echoing what it read (the error must mask the secret).
    run: [
      "sh",
      "-c",
      'doc=$(cat); if [ -e "$2" ]; then echo "refused by the drill: $doc" >&2; exit 3; fi; printf %s "$doc" > "$1/hook-after-restore.json"; echo restored-ok',
      "sh",
      "{root}",
      FAIL_MARKER,
    ],
  },
  {
    name: "announce",
    at: "after-start",
    run: ["sh", "-c", 'cat > "$1/hook-after-start.json"', "sh", "{root}"],
  },
];

const sha = sha256;

describe("Site migration by switching the config's datacenter, with hooks (real engine)", function () {
  this.timeout(600_000);
  dependentSteps(this); // each test builds on the one before
  const { dcA, dcB, pdns } = useMigrationServices();
  const netbox = useService("netbox", { timeoutMs: 900_000 });
  const hostName = `web1.${DOMAIN}`;
  let test: TestStack;
  let data: { a: SiteData; b: SiteData };
  const items = appDefinition("pixelfed").state.map((state) => ({ app: "pixelfed", state }));
  const [dbItem, dirItem] = ["database", "directory"].map((k) => items.find((i) => i.state.kind === k)!);
  const files: Record<string, string> = {};

  const setSite = (datacenter: string) =>
    test.stack.setConfig("sovereign:site", {
      value: JSON.stringify(migrationSiteConfig(SITE, DOMAIN, datacenter, hooks)),
    });
  const migrationOutputs = () => stackMigration(test.stack);
  const netboxView = async () => {
    const client = new NetboxClient({ url: netbox().url, token: netbox().token });
    const [site] = await client.list("site", { slug: SITE });
    const clusters = await client.list("cluster", { site_id: String(site?.id) });
    return { description: site?.description, clusters: clusters.map((c) => c.name) };
  };
  const answersNow = async (address: string) =>
    (
      await fetch(`http://${address}:${APP_PORT}/`, { signal: AbortSignal.timeout(3000) }).catch(
        () => undefined,
      )
    )?.status === 200;
  // The app is started in the background (start-stop-daemon): it may take a moment to listen.
  const appAnswers = async (address: string, waitMs = 0) => {
    for (const deadline = Date.now() + waitMs; ; await new Promise((r) => setTimeout(r, 500))) {
      if (await answersNow(address)) return true;
      if (Date.now() >= deadline) return false;
    }
  };
  const hookDoc = async (d: SiteData, file: string): Promise<HookDocument> =>
    JSON.parse(fs.readFileSync(path.join(await d.mountpoint(d.side.zfsRoot), file), "utf8")) as HookDocument;

  before(async function () {
    this.timeout(300_000);
    const p = pdns();
    test = await createTestStack(
      "sitemigration",
      siteProgram({
        pdnsApiUrl: p.apiUrl,
        dnsServer: `${p.dnsAddress}:${p.dnsPort}`,
        netboxUrl: netbox().url,
        pidFile: `/tmp/sovereign-site-app-${run}-{datacenter}.pid`,
      }),
    );
    await configureMigrationStack(test.stack, SITE, [dcA(), dcB()], p.apiKey);
    await test.stack.setConfig("sovereign:netboxToken", { value: netbox().token, secret: true });
    await test.stack.setConfig("sovereign:hookToken", { value: HOOK_SECRET, secret: true });
    data = {
      a: new SiteData(SITE, sideOf(dcA(), SITE), secretsOf(dcA())),
      b: new SiteData(SITE, sideOf(dcB(), SITE), secretsOf(dcB())),
    };
  });

  after(async function () {
    this.timeout(300_000);
    fs.rmSync(FAIL_MARKER, { force: true });
    if (data)
      await cleanUpSite(
        [data.a, data.b],
        [`/tmp/sovereign-site-app-${run}-{datacenter}.pid`],
        migrationSiteItems(),
      );
    await test?.dispose();
  });

  it("up at dc-a: the Site provisions its data there (owner-marked), DNS and NetBox say dc-a", async () => {
    await setSite("dc-a");
    await test.stack.up({ color: "never" });
    assert.strictEqual((await migrationOutputs()).servingAt, "dc-a");
    assert.deepStrictEqual(await dig(pdns(), hostName, "A"), [dcA().address]);
    assert.ok(await appAnswers(dcA().address, 15_000), "the app answers at dc-a");
    assert.deepStrictEqual(await netboxView(), {
      description: "datacenter: dc-a",
      clusters: [`${SITE}-dc-a`],
    });
    assert.match(String(await databaseOwner(data.a.database(dbItem))), /^sitemigration\/test\/smig/);
    const mount = await data.a.mountpoint(data.a.where(dirItem));
    for (let i = 0; i < 10; i++) {
      const text = randomBytes(4096 + i).toString("base64");
      files[`photo-${i}.txt`] = sha(text);
      fs.writeFileSync(path.join(mount, `photo-${i}.txt`), text);
    }
    await psql(
      data.a.database(dbItem),
      "CREATE TABLE posts (id serial primary key, body text); INSERT INTO posts (body) SELECT 'post ' || g FROM generate_series(1, 300) g;",
    );
  });

  it("preview of dc-b prints the plan with the hooks at their points, and changes nothing", async () => {
    await setSite("dc-b");
    const preview = await test.stack.preview({ color: "never", diff: true });
    const order = [
      "provision-target",
      "preseed:pixelfed:database:pixelfed",
      "stop-writes",
      "hook:before-backup:flush",
      "final-sync:pixelfed:directory:/var/lib/pixelfed",
      "verify:edumeet:directory:/etc/edumeet",
      "hook:after-restore:check-restore",
      "switch-dns",
      "start-target",
      "hook:after-start:announce",
      "update-inventory",
      "[destructive] retire-source",
    ];
    assertPlanOrder(preview.stdout, order);
    assert.strictEqual((await migrationOutputs()).servingAt, "dc-a");
    assert.deepStrictEqual(await dig(pdns(), hostName, "A"), [dcA().address]);
  });

  it("a failing hook stops the migration: dc-a serves again, the error names the hook and masks its secret", async () => {
    fs.writeFileSync(FAIL_MARKER, "fail");
    const failed = await test.stack.up({ color: "never" }).then(
      () => assert.fail("the up should fail at the hook"),
      (error: Error) => error.message,
    );
    assert.match(failed, /stopped at step hook:after-restore:check-restore: hook check-restore/);
    assert.match(failed, /refused by the drill/);
    assert.ok(!failed.includes(HOOK_SECRET), "the hook's secret is masked in the error");
    const outs = await migrationOutputs();
    assert.strictEqual(outs.servingAt, "dc-a");
    assert.strictEqual(outs.migration?.failure?.sourceRestarted, true);
    assert.deepStrictEqual(await dig(pdns(), hostName, "A"), [dcA().address]);
    assert.ok(await appAnswers(dcA().address, 15_000), "the app answers at dc-a again");
    assert.strictEqual((await netboxView()).description, "datacenter: dc-a");
    // The source keeps taking writes; the next run carries them.
    await psql(data.a.database(dbItem), "INSERT INTO posts (body) VALUES ('after the failed hook');");
  });

  it("the next up completes: data at dc-b, DNS and NetBox at dc-b, hooks got their documents, dc-a retired", async () => {
    fs.rmSync(FAIL_MARKER, { force: true });
    const expectedRows = await tableChecksums(data.a.database(dbItem));
    await test.stack.up({ color: "never" });
    const outs = await migrationOutputs();
    const m = outs.migration!;
    printMigration(m);
    assert.strictEqual(outs.servingAt, "dc-b");
    assert.strictEqual(m.status, "done");
    // Timings keep the failed attempt's too; the last one is this run's.
    const restoreHook = m.timings.filter((t) => t.id === "hook:after-restore:check-restore");
    assert.match(
      restoreHook[0]?.note ?? "",
      /^FAILED: hook check-restore \(after-restore\) at dc-b exited with 3: refused by the drill/,
    );
    assert.match(restoreHook[restoreHook.length - 1]?.note ?? "", /restored-ok/);
    assert.deepStrictEqual(await dig(pdns(), hostName, "A"), [dcB().address]);
    assert.deepStrictEqual(await netboxView(), {
      description: "datacenter: dc-b",
      clusters: [`${SITE}-dc-b`],
    });
    assert.ok(await appAnswers(dcB().address, 15_000), "the app answers at dc-b");
    assert.ok(!(await appAnswers(dcA().address)), "the app no longer runs at dc-a");
    assert.deepStrictEqual(await tableChecksums(data.b.database(dbItem)), expectedRows);
    assert.match(expectedRows.posts, /^301 /);
    const mount = await data.b.mountpoint(data.b.where(dirItem));
    for (const [file, digest] of Object.entries(files))
      assert.strictEqual(sha(fs.readFileSync(path.join(mount, file))), digest, file);
    assert.match(String(await databaseOwner(data.b.database(dbItem))), /^sitemigration\/test\/smig/);
    assert.strictEqual(await databaseOwner(data.a.database(dbItem)), undefined, "dc-a's database dropped");

    // before-backup ran at dc-a with pixelfed's items only and no credentials.
    const before = await hookDoc(data.a, "hook-before-backup.json");
    assert.deepStrictEqual(before.migration, { from: "dc-a", to: "dc-b", runsAt: "dc-a" });
    assert.deepStrictEqual(
      before.items.map((i) => i.app),
      items.map(() => "pixelfed"),
    );
    assert.strictEqual(before.items.find((i) => i.kind === "database")?.target, data.b.where(dbItem));
    assert.deepStrictEqual(before.secrets, {});
    assert.ok(String(before.outputs.appUrls).length > 0);
    const restored = await hookDoc(data.b, "hook-after-restore.json");
    assert.deepStrictEqual(restored.secrets, { "sovereign:hookToken": HOOK_SECRET });
    assert.strictEqual(restored.migration.runsAt, "dc-b");
    const started = await hookDoc(data.b, "hook-after-start.json");
    const text = JSON.stringify(started);
    for (const secret of [dcA().postgres.password, dcB().garage.adminToken, HOOK_SECRET])
      assert.ok(!text.includes(secret), "a hook document holds no credential it did not ask for");

    const state = backendFilesText(test.engine.backendDir) + cliStackExport(test.engine.env, test.workDir);
    assert.ok(!state.includes(HOOK_SECRET), "the hook's secret is not in the state");
    assert.ok(!state.includes(dcA().postgres.password), "the dc-a PostgreSQL password is not in the state");
    const again = await test.stack.preview({ color: "never" });
    assert.strictEqual(again.changeSummary.update ?? 0, 0, JSON.stringify(again.changeSummary));
  });
});
