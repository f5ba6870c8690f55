/**
 * A real Matrix Synapse deployed by the stack (FediService + SynapseHomeserver through the real
 * engine): installed over real SSH the plain-Linux way (PlainHost), with its own role and database
 * made by the FediService on a real PostgreSQL, and the signing key the stack generated: it answers
 * the client API, a registered user sends and reads back a message, and its key API publishes
 * exactly the verify key in the stack's state, also after a second up.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { FediService, SynapseHomeserver } from "../../sdk/apps";
import { builtinSecrets } from "../../sdk/secrets";
import { freePort, repoRoot, startPostgres, startPowerDns, useService } from "../harness";
import { backendFilesText } from "../harness/stateFiles";
import { createTestStack, TestStack } from "../harness/workspace";
import { setPowerDnsKey } from "../providers/powerdns/helpers";
import { testZone } from "./zone";

const quiet = { color: "never" as const };

async function json(url: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    ...init,
    headers: { "content-type": "application/json", ...init?.headers },
  });
  const body = (await res.json()) as Record<string, unknown>;
  assert.ok(res.ok, `${init?.method ?? "GET"} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

describe("Matrix Synapse on the local site (real engine, PostgreSQL, stack-generated key)", function () {
  this.timeout(900_000);
  let t: TestStack;
  let dataDir: string;
  let port: number;
  let venv: string;
  /** The homeserver processes running in this test's data dir (none once the stack is destroyed). */
  const homeserverPids = (): number[] =>
    fs
      .readdirSync("/proc")
      .filter((e) => /^\d+$/.test(e))
      .map(Number)
      .filter((p) => {
        try {
          return fs.readlinkSync(`/proc/${p}/cwd`).startsWith(dataDir);
        } catch {
          return false;
        }
      });
  after(async () => {
    await t?.dispose();
    if (dataDir) assert.deepStrictEqual(homeserverPids(), [], "destroy stops the homeserver it started");
    if (dataDir) fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });
  const pdns = useService(() => startPowerDns());
  const pg = useService(() => startPostgres());
  const sshd = useService("sshd");

  before(async () => {
    venv = execFileSync("bash", [path.join(repoRoot(), "scripts", "synapse.sh")], {
      encoding: "utf8",
    }).trim();
    port = await freePort();
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-synapse-")), "matrix");
    t = await createTestStack("apps-synapse", async () => {
      const db = pg();
      const zone = testZone(pdns(), "synapse", { media1: "127.0.0.1" });
      const secrets = builtinSecrets();
      const matrix = new FediService("matrix", {
        app: "matrix",
        host: "media1",
        zone,
        domain: "synapse.test",
        secrets,
        // The admin password: stack config sovereign:postgresAdminPassword (set below).
        postgres: { host: db.host, port: db.port, adminUser: db.user },
        protect: false,
      });
      const server = new SynapseHomeserver("matrix", {
        matrix,
        host: {
          hostName: "media1",
          target: {
            host: sshd().host,
            port: sshd().port,
            user: sshd().user,
            knownHostsPath: sshd().knownHostsPath,
          },
          privateKey: pulumi.secret(sshd().privateKey),
        },
        venv,
        bindAddress: "127.0.0.1",
        port,
        dataDir,
      });
      return {
        url: server.url,
        keyId: matrix.matrixVerifyKey?.keyId,
        verifyKey: matrix.matrixVerifyKey?.publicKey,
        registrationSecret: matrix.app.secrets["registration-shared-secret"],
        signingKeyFile: matrix.app.secrets["signing-key"],
      };
    });
    // The providers read the PowerDNS API key from the stack config (a secret).
    await setPowerDnsKey(t, pdns().apiKey);
    await t.stack.setConfig("sovereign:postgresAdminPassword", { value: pg().password, secret: true });
  });

  let outputs: Record<string, { value: unknown; secret: boolean }>;
  const url = () => String(outputs.url.value);

  it("up installs Synapse over SSH with its own database; it answers /_matrix/client/versions", async () => {
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.summary.result, "succeeded");
    outputs = up.outputs;
    const versions = await json(`${url()}/_matrix/client/versions`);
    assert.ok(Array.isArray(versions.versions) && versions.versions.length > 0);
    const dbs = execFileSync(
      path.join(pg().binDir, "psql"),
      [
        "-h",
        pg().host,
        "-p",
        String(pg().port),
        "-U",
        pg().user,
        "-d",
        "postgres",
        "-Atc",
        "SELECT datname, pg_get_userbyid(datdba), datcollate, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'synapse'",
      ],
      { env: { ...process.env, PGPASSWORD: pg().password }, encoding: "utf8" },
    );
    // Its own role owns it, with the C collation Synapse requires, marked with the stack's resource.
    assert.strictEqual(dbs.trim(), "synapse|synapse|C|sovereign-owner:apps-synapse/test/matrix-db-synapse");
  });

  it("a user registered by the test sends a message and reads it back", async () => {
    const { nonce } = await json(`${url()}/_synapse/admin/v1/register`);
    const [user, password] = ["tester", crypto.randomBytes(12).toString("hex")];
    const mac = crypto
      .createHmac("sha1", String(outputs.registrationSecret.value))
      .update(`${String(nonce)}\0${user}\0${password}\0notadmin`)
      .digest("hex");
    const reg = await json(`${url()}/_synapse/admin/v1/register`, {
      method: "POST",
      body: JSON.stringify({ nonce, username: user, password, admin: false, mac }),
    });
    assert.strictEqual(reg.user_id, "@tester:synapse.test");
    const auth = { authorization: `Bearer ${String(reg.access_token)}` };
    const room = await json(`${url()}/_matrix/client/v3/createRoom`, {
      method: "POST",
      headers: auth,
      body: "{}",
    });
    const roomId = encodeURIComponent(String(room.room_id));
    const text = `hello from the stack ${crypto.randomUUID()}`;
    await json(`${url()}/_matrix/client/v3/rooms/${roomId}/send/m.room.message/txn1`, {
      method: "PUT",
      headers: auth,
      body: JSON.stringify({ msgtype: "m.text", body: text }),
    });
    const messages = await json(`${url()}/_matrix/client/v3/rooms/${roomId}/messages?dir=b&limit=20`, {
      headers: auth,
    });
    const bodies = (messages.chunk as { type: string; content: { body?: string } }[])
      .filter((e) => e.type === "m.room.message")
      .map((e) => e.content.body);
    assert.deepStrictEqual(bodies, [text]);
  });

  const publishedKeys = async (): Promise<unknown> => {
    const keys = await json(`${url()}/_matrix/key/v2/server`);
    assert.strictEqual(keys.server_name, "synapse.test");
    return keys.verify_keys;
  };

  it("/_matrix/key/v2/server publishes exactly the verify key in the stack's state", async () => {
    assert.match(String(outputs.keyId.value), /^a_[A-Za-z0-9]{4}$/);
    assert.deepStrictEqual(await publishedKeys(), {
      [`ed25519:${String(outputs.keyId.value)}`]: { key: String(outputs.verifyKey.value) },
    });
  });

  it("a second up changes nothing and the server keeps its key", async () => {
    const again = await t.stack.up(quiet);
    assert.deepStrictEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"]);
    assert.strictEqual(again.outputs.verifyKey.value, outputs.verifyKey.value);
    assert.deepStrictEqual(await publishedKeys(), {
      [`ed25519:${String(outputs.keyId.value)}`]: { key: String(outputs.verifyKey.value) },
    });
  });

  it("refresh notices a homeserver that stopped, and up starts it again with the same key", async () => {
    // The homeserver the stack started: the process whose working dir is its data dir.
    const [pid] = homeserverPids();
    assert.ok(pid, "the homeserver process runs in its data dir");
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 200 && fs.existsSync(`/proc/${pid}`); i++)
      await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(fetch(`${url()}/_matrix/client/versions`));
    await t.stack.refresh(quiet);
    const preview = await t.stack.preview(quiet);
    assert.strictEqual(preview.changeSummary.update, 1, JSON.stringify(preview.changeSummary));
    const up = await t.stack.up(quiet);
    assert.deepStrictEqual(up.summary.resourceChanges, { same: up.summary.resourceChanges?.same, update: 1 });
    assert.deepStrictEqual(await publishedKeys(), {
      [`ed25519:${String(outputs.keyId.value)}`]: { key: String(outputs.verifyKey.value) },
    });
  });

  it("keeps the signing key, the registration secret and the database password out of the state in plain text", () => {
    const state = backendFilesText(t.engine.backendDir);
    const seed = String(outputs.signingKeyFile.value).split(" ")[2].trim();
    assert.ok(state.includes(String(outputs.verifyKey.value)), "the public key is in the state");
    for (const secret of [seed, String(outputs.registrationSecret.value), pg().password]) {
      assert.ok(!state.includes(secret), "a secret is in the state in plain text");
    }
    const config = fs.readFileSync(path.join(dataDir, "homeserver.yaml"), "utf8");
    const dbPassword = /password: (\S+)/.exec(config)?.[1];
    assert.ok(dbPassword && !state.includes(dbPassword), "the database password is not in the state");
  });
});
