/**
 * A real Synapse moves with its site: the Site (config app "matrix") runs at dc-a with the
 * catalog's state (database `synapse`, the /var/lib/matrix-synapse directory with the signing key,
 * the media bucket); a user sends a message there through the client-server API; the config's
 * datacenter switches to dc-b and `pulumi up` moves it. At dc-b the homeserver publishes the same
 * signing key, and the same access token reads the message written at dc-a.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../harness";
import { createTestStack, type TestStack } from "../harness/workspace";
import { SiteData } from "../../sdk/migration/siteData";
import { databaseName } from "../../sdk/migration/sides";
import {
  migrationSiteConfig,
  migrationSiteItems,
  secretsOf,
  sideOf,
  siteProgram,
  webApp,
} from "./siteProgram";
import {
  cleanUpSite,
  configureMigrationStack,
  migrationOutputs,
  printMigration,
  useMigrationServices,
} from "./migrationStack";
import { bothApps, SYNAPSE_DIR, SYNAPSE_PORT, synapseApp, writeSynapseDbFile } from "./synapseApp";
import { dependentSteps } from "../support/steps";

const run = crypto.randomBytes(3).toString("hex");
const SITE = `syn${run}`;
const DOMAIN = `${SITE}.coop.test`;

async function json(url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    ...init,
    headers: { "content-type": "application/json", ...(init.headers ?? {}) },
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

describe("Synapse through a Site migration: signing key and messages travel (real engine)", function () {
  this.timeout(900_000);
  dependentSteps(this); // each test builds on the one before
  const { dcA, dcB, pdns } = useMigrationServices();
  let test: TestStack;
  let data: { a: SiteData; b: SiteData };
  const files = {
    db: `/tmp/sovereign-synapse-${run}-{datacenter}.db.yaml`,
    pid: `/tmp/sovereign-synapse-${run}-{datacenter}.pid`,
    web: `/tmp/sovereign-syn-web-${run}-{datacenter}.pid`,
  };
  const at = (file: string, dc: string) => file.replace("{datacenter}", dc);
  const message = `written at dc-a ${crypto.randomUUID()}`;
  let session: { token: string; roomId: string; keys: unknown };

  before(async function () {
    this.timeout(600_000);
    const venv = execFileSync("bash", [path.join(repoRoot(), "scripts", "synapse.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
    for (const dc of [dcA(), dcB()])
      writeSynapseDbFile(at(files.db, dc.datacenter), dc, databaseName(SITE, "matrix", "synapse"));
    const p = pdns();
    test = await createTestStack(
      "synapsemigration",
      siteProgram({
        pdnsApiUrl: p.apiUrl,
        dnsServer: `${p.dnsAddress}:${p.dnsPort}`,
        pidFile: files.web,
        app: bothApps(
          webApp(files.web),
          synapseApp({ venv, serverName: DOMAIN, dbFile: files.db, pidFile: files.pid }),
        ),
      }),
    );
    await configureMigrationStack(test.stack, SITE, [dcA(), dcB()], p.apiKey);
    data = {
      a: new SiteData(SITE, sideOf(dcA(), SITE), secretsOf(dcA())),
      b: new SiteData(SITE, sideOf(dcB(), SITE), secretsOf(dcB())),
    };
  });

  after(async function () {
    this.timeout(300_000);
    if (data) await cleanUpSite([data.a, data.b], [files.pid, files.web], migrationSiteItems(true));
    for (const dc of ["dc-a", "dc-b"]) fs.rmSync(at(files.db, dc), { force: true });
    await test?.dispose();
  });

  const setSite = (datacenter: string) =>
    test.stack.setConfig("sovereign:site", {
      value: JSON.stringify(
        migrationSiteConfig(SITE, DOMAIN, datacenter, [], { matrix: true, inventory: false }),
      ),
    });
  const base = (address: string) => `http://${address}:${SYNAPSE_PORT}`;

  it("at dc-a: Synapse runs on the site's data; a user sends a message through the client-server API", async () => {
    await setSite("dc-a");
    await test.stack.up({ color: "never" });
    const url = base(dcA().address);
    const dir = path.join(await data.a.mountpoint(data.a.side.zfsRoot), SYNAPSE_DIR);
    const secret = fs.readFileSync(path.join(dir, "registration-secret"), "utf8").trim();
    const { nonce } = await json(`${url}/_synapse/admin/v1/register`);
    const password = crypto.randomBytes(12).toString("hex");
    const mac = crypto
      .createHmac("sha1", secret)
      .update(`${String(nonce)}\0mover\0${password}\0notadmin`)
      .digest("hex");
    const reg = await json(`${url}/_synapse/admin/v1/register`, {
      method: "POST",
      body: JSON.stringify({ nonce, username: "mover", password, admin: false, mac }),
    });
    assert.strictEqual(reg.user_id, `@mover:${DOMAIN}`);
    const auth = { authorization: `Bearer ${String(reg.access_token)}` };
    const room = await json(`${url}/_matrix/client/v3/createRoom`, {
      method: "POST",
      headers: auth,
      body: "{}",
    });
    const roomId = encodeURIComponent(String(room.room_id));
    await json(`${url}/_matrix/client/v3/rooms/${roomId}/send/m.room.message/txn1`, {
      method: "PUT",
      headers: auth,
      body: JSON.stringify({ msgtype: "m.text", body: message }),
    });
    const keys = (await json(`${url}/_matrix/key/v2/server`)).verify_keys;
    assert.strictEqual(Object.keys(keys as object).length, 1);
    session = { token: String(reg.access_token), roomId, keys };
  });

  it("after the switch to dc-b: the same signing key, and the message written at dc-a is read there", async () => {
    await setSite("dc-b");
    const preview = await test.stack.preview({ color: "never", diff: true });
    assert.ok(preview.stdout.includes("final-sync:matrix:directory:/var/lib/matrix-synapse"), preview.stdout);
    await test.stack.up({ color: "never" });
    const outs = await migrationOutputs(test.stack);
    printMigration(outs.migration!);
    assert.strictEqual(outs.servingAt, "dc-b");
    const url = base(dcB().address);
    assert.deepStrictEqual((await json(`${url}/_matrix/key/v2/server`)).verify_keys, session.keys);
    const messages = await json(`${url}/_matrix/client/v3/rooms/${session.roomId}/messages?dir=b&limit=20`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    const bodies = (messages.chunk as { type: string; content: { body?: string } }[])
      .filter((e) => e.type === "m.room.message")
      .map((e) => e.content.body);
    assert.deepStrictEqual(bodies, [message]);
    const stillAtA = await fetch(`${base(dcA().address)}/_matrix/client/versions`, {
      signal: AbortSignal.timeout(3000),
    }).catch(() => undefined);
    assert.strictEqual(stillAtA, undefined, "Synapse no longer runs at dc-a");
  });
});
