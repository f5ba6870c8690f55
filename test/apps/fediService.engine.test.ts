/**
 * FediService through the real engine against a real PowerDNS, with the built-in secret generator:
 * the federation records answer over DNS (dig), the identity secrets are generated once (a second up
 * changes nothing) and never appear in plain text in the state.
 */
import * as assert from "assert";
import { AppService, FediService } from "../../sdk/apps";
import { builtinSecrets } from "../../sdk/secrets";
import { ed25519PublicFromSeed } from "../../providers/secrets/generate";
import { startPowerDns, useService } from "../harness";
import { dig } from "../harness/dig";
import { backendFilesText, cliStackExport } from "../harness/stateFiles";
import { createTestStack, TestStack } from "../harness/workspace";
import { setPowerDnsKey } from "../providers/powerdns/helpers";
import { testZone } from "./zone";

const quiet = { color: "never" as const };

describe("FediService on the real engine and PowerDNS", function () {
  this.timeout(600_000);
  let t: TestStack;
  after(async () => {
    await t?.dispose();
  });
  const pdns = useService(() => startPowerDns());

  before(async () => {
    t = await createTestStack("apps-fedi", async () => {
      const zone = testZone(pdns(), "fedi", { media1: "127.0.0.30", web1: "127.0.0.31" });
      const secrets = builtinSecrets();
      const matrix = new FediService("matrix", {
        app: "matrix",
        host: "media1",
        zone,
        domain: "fedi.test",
        secrets,
      });
      const social = new FediService("social", {
        app: "mastodon",
        host: "media1",
        zone,
        domain: "fedi.test",
        secrets,
      });
      const pad = new AppService("pad", { app: "hedgedoc", host: "web1", zone, secrets });
      return {
        matrixUrl: matrix.url,
        verifyKeyId: matrix.matrixVerifyKey?.keyId,
        verifyKey: matrix.matrixVerifyKey?.publicKey,
        signingKeyFile: matrix.app.secrets["signing-key"],
        macaroon: matrix.app.secrets["macaroon-secret-key"],
        actorPrivateKey: social.actorKey?.privateKeyPem,
        actorPublicKey: social.actorKey?.publicKeyPem,
        webfingerHost: social.webfingerHost,
        wellKnown: social.wellKnown.map((w) => `${w.domain}${w.path} -> ${w.redirect ?? w.body}`),
        padSecret: pad.secrets["session-secret"],
        padState: pad.state.map((s) => `${s.kind} ${s.name} ${s.strategy}`),
      };
    });
    // The providers read the PowerDNS API key from the stack config (a secret).
    await setPowerDnsKey(t, pdns().apiKey);
  });

  let first: Record<string, { value: unknown; secret: boolean }>;

  it("up publishes the app names and Matrix SRV delegation that PowerDNS answers", async () => {
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.summary.result, "succeeded");
    first = up.outputs;
    const s = pdns();
    assert.deepStrictEqual(await dig(s, "matrix.fedi.test", "CNAME"), ["media1.fedi.test."]);
    assert.deepStrictEqual(await dig(s, "social.fedi.test", "CNAME"), ["media1.fedi.test."]);
    assert.deepStrictEqual(await dig(s, "pad.fedi.test", "CNAME"), ["web1.fedi.test."]);
    assert.deepStrictEqual(await dig(s, "_matrix._tcp.fedi.test", "SRV"), ["10 0 8448 matrix.fedi.test."]);
    assert.deepStrictEqual(await dig(s, "_matrix-fed._tcp.fedi.test", "SRV"), [
      "10 0 8448 matrix.fedi.test.",
    ]);
    assert.strictEqual(first.webfingerHost.value, "social.fedi.test");
    assert.ok(
      (first.wellKnown.value as string[]).includes(
        "fedi.test/.well-known/webfinger -> https://social.fedi.test/.well-known/webfinger",
      ),
    );
    assert.deepStrictEqual(first.padState.value, [
      "database pad db-streaming-replication",
      "directory /var/lib/hedgedoc/uploads zfs-send-receive",
    ]);
  });

  it("generates a Synapse key file whose seed matches the published verify key; secrets are secret outputs", () => {
    const keyFile = String(first.signingKeyFile.value);
    const m = /^ed25519 (a_[A-Za-z0-9]{4}) ([A-Za-z0-9+/]{43})\n$/.exec(keyFile);
    assert.ok(m, keyFile);
    assert.strictEqual(first.verifyKeyId.value, m[1]);
    assert.strictEqual(first.verifyKey.value, ed25519PublicFromSeed(m[2]));
    for (const name of ["signingKeyFile", "macaroon", "actorPrivateKey", "padSecret"]) {
      assert.strictEqual(first[name].secret, true, `${name} is a secret output`);
    }
    assert.strictEqual(first.verifyKey.secret, false);
    assert.match(String(first.actorPrivateKey.value), /^-----BEGIN PRIVATE KEY-----/);
  });

  it("a second up changes nothing: the identity stays the same", async () => {
    const again = await t.stack.up(quiet);
    assert.deepStrictEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"]);
    for (const name of ["signingKeyFile", "verifyKey", "macaroon", "actorPrivateKey", "padSecret"]) {
      assert.strictEqual(again.outputs[name].value, first[name].value, `${name} unchanged`);
    }
    const refreshed = await t.stack.refresh(quiet);
    assert.strictEqual(refreshed.summary.result, "succeeded");
    assert.strictEqual((await t.stack.outputs()).signingKeyFile.value, first.signingKeyFile.value);
  });

  it("keeps every secret out of the state and the CLI's stack export in plain text", () => {
    const seed = String(first.signingKeyFile.value).split(" ")[2].trim();
    const privatePem = String(first.actorPrivateKey.value).split("\n")[1];
    const texts = {
      backend: backendFilesText(t.engine.backendDir),
      export: cliStackExport(t.engine.env, t.workDir),
    };
    for (const [where, text] of Object.entries(texts)) {
      assert.ok(text.includes(String(first.verifyKey.value)), `${where} holds the public verify key`);
      for (const secret of [seed, String(first.macaroon.value), String(first.padSecret.value), privatePem]) {
        assert.ok(!text.includes(secret), `${where} must not hold a secret in plain text`);
      }
    }
  });
});
