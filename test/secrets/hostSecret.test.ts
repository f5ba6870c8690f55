/**
 * HostSecret through the real engine, delivering to a real sshd on loopback: the file lands with
 * its mode, the ciphertext decrypts only with that host's key, rotation re-delivers only what
 * changed, NixOS hosts get ciphertext only, bad inputs fail at preview, and no secret is in the
 * exported state. Also the local random-secret resource through the engine.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { startSshd, useService } from "../harness";
import { runCommand } from "../harness/commands";
import type { SshdServiceWithArgs } from "../harness/sshd";
import { cliStackExport } from "../harness/stateFiles";
import { createTestStack, type TestStack } from "../harness/workspace";
import { builtinSecrets, HostSecret, hostPublicKeyFrom, type SecretHostArgs } from "../../sdk/secrets";

const quiet = { color: "never" as const };

function hostOf(
  sshd: SshdServiceWithArgs,
  storeDir: string,
  os: "linux" | "nixos" = "linux",
): SecretHostArgs {
  return {
    storeDir,
    address: "127.0.0.1",
    port: sshd.port,
    user: sshd.user,
    hostPublicKey: hostPublicKeyFrom(fs.readFileSync(sshd.knownHostsPath, "utf8")),
    hostKeyPath: path.join(sshd.dir, "ssh_host_ed25519_key"),
    privateKeyPath: sshd.privateKeyPath,
    os,
  };
}

const statOf = (file: string) => {
  const st = fs.statSync(file);
  return { mode: (st.mode & 0o777).toString(8).padStart(4, "0"), uid: st.uid, mtimeMs: st.mtimeMs };
};

describe("secrets delivered to a real SSH host through the real engine", function () {
  this.timeout(600_000);
  const sshd = useService(() => startSshd());
  const stacks: TestStack[] = [];
  let scratch: string;
  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-secrets-test-"));
  });
  after(async () => {
    for (const t of stacks) await t.dispose().catch(() => undefined);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("lands a secret with mode 0400, decryptable only with the host's key; rotation re-delivers only what changed; nothing plain in the state", async () => {
    const s = sshd();
    const values = { db: "db-password-first-0123456789abcdef", oidc: "oidc-client-secret-0123456789abcdef" };
    const dbPath = path.join(scratch, "forgejo", "db-password");
    const oidcPath = path.join(scratch, "forgejo", "oidc-secret");
    const store = path.join(scratch, "store");
    const t = await createTestStack("secrets-deliver", async () => {
      const host = hostOf(s, store);
      new HostSecret("db", {
        name: "test-forgejo-db",
        host,
        value: pulumi.secret(values.db),
        path: dbPath,
        minLength: 16,
      });
      new HostSecret("oidc", {
        name: "test-forgejo-oidc",
        host,
        value: pulumi.secret(values.oidc),
        path: oidcPath,
        mode: "0440",
      });
      new HostSecret("nix", {
        name: "test-nix-only",
        host: hostOf(s, store, "nixos"),
        value: pulumi.secret(values.db),
        path: "/run/agenix/x",
      });
      return {};
    });
    stacks.push(t);
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.summary.resourceChanges?.create, 4);

    assert.strictEqual(fs.readFileSync(dbPath, "utf8"), values.db);
    assert.strictEqual(statOf(dbPath).mode, "0400");
    assert.strictEqual(statOf(dbPath).uid, 0);
    assert.strictEqual(statOf(oidcPath).mode, "0440");
    assert.ok(!fs.existsSync("/run/agenix/x"), "a NixOS host gets only the ciphertext (agenix decrypts)");

    // The stored file is age ciphertext that only this host's key opens.
    const stored = path.join(store, "test-forgejo-db.age");
    const ciphertext = fs.readFileSync(stored, "utf8");
    assert.match(ciphertext, /^-----BEGIN AGE ENCRYPTED FILE-----/);
    assert.ok(!ciphertext.includes(values.db));
    const opened = await runCommand("age", ["-d", "-i", path.join(s.dir, "ssh_host_ed25519_key"), stored]);
    assert.strictEqual(opened.stdout, values.db);
    const otherKey = path.join(scratch, "other_host_key");
    await runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]);
    await assert.rejects(
      runCommand("age", ["-d", "-i", otherKey, stored]),
      /no identity matched any of the recipients/,
    );
    assert.match(fs.readFileSync(path.join(store, "test-nix-only.age"), "utf8"), /^-----BEGIN AGE/);

    // Unchanged: nothing is delivered again.
    const before = {
      db: statOf(dbPath).mtimeMs,
      oidc: statOf(oidcPath).mtimeMs,
      dbAge: fs.readFileSync(stored, "utf8"),
    };
    assert.deepStrictEqual((await t.stack.up(quiet)).summary.resourceChanges, { same: 4 });
    assert.strictEqual(statOf(dbPath).mtimeMs, before.db);

    // Rotate one secret: only it is re-encrypted and delivered.
    values.oidc = "oidc-client-secret-rotated-9876543210";
    const rotated = await t.stack.up(quiet);
    assert.deepStrictEqual(rotated.summary.resourceChanges, { same: 3, update: 1 });
    assert.strictEqual(fs.readFileSync(oidcPath, "utf8"), values.oidc);
    assert.strictEqual(statOf(dbPath).mtimeMs, before.db, "the unchanged secret was not delivered again");
    assert.strictEqual(fs.readFileSync(stored, "utf8"), before.dbAge);

    // A mode changed on the host is drift: refresh sees it, up restores 0400.
    fs.chmodSync(dbPath, 0o644);
    await t.stack.refresh(quiet);
    assert.strictEqual((await t.stack.preview(quiet)).changeSummary.update, 1);
    await t.stack.up(quiet);
    assert.strictEqual(statOf(dbPath).mode, "0400");

    const exported = cliStackExport(t.engine.env, t.workDir);
    for (const secret of [
      values.db,
      values.oidc,
      "oidc-client-secret-0123456789abcdef",
      s.privateKey.trim(),
    ]) {
      assert.ok(!exported.includes(secret), "no secret in plain text in `pulumi stack export`");
    }
    assert.ok(exported.includes("test-forgejo-db"), "the export is the real state");

    await t.stack.destroy(quiet);
    assert.ok(!fs.existsSync(dbPath) && !fs.existsSync(stored), "destroy removed the secret from the host");
  });

  it("generates random secrets with the built-in resource, kept until their keepers change, never plain in the state", async () => {
    let keeper = "one";
    const t = await createTestStack("secrets-random", async () => ({
      password: builtinSecrets().password("db-password", { length: 40, keepers: { rotation: keeper } }, {}),
    }));
    stacks.push(t);
    const first = (await t.stack.up(quiet)).outputs.password;
    assert.ok(first.secret);
    assert.match(first.value as string, /^[A-Za-z0-9]{40}$/);
    assert.strictEqual(
      (await t.stack.up(quiet)).outputs.password.value,
      first.value,
      "kept while keepers stay",
    );
    assert.ok(!cliStackExport(t.engine.env, t.workDir).includes(first.value as string));
    keeper = "two";
    const second = (await t.stack.up(quiet)).outputs.password;
    assert.notStrictEqual(second.value, first.value, "a changed keeper draws a new secret");
  });
});
