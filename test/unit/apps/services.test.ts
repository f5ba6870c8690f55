/**
 * AppService and FediService with the default generator (@pulumi/random and @pulumi/tls), under
 * pulumi.runtime.setMocks: the plugin resources they declare and the inputs they give them, and the
 * outputs they derive (Synapse's key file, the verify key) from what those resources return.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type * as AppsModule from "../../../sdk/apps";
import type * as DnsModule from "../../../sdk/dns";
import { ed25519PublicFromSeed } from "../../../providers/secrets/generate";

import { promiseOf, publishedRecords, type MockedResource as Created } from "../../support/mockResources";

describe("AppService and FediService with plugin secrets (mocks)", function () {
  const created: Created[] = [];
  let apps: typeof AppsModule;
  let dns: typeof DnsModule;

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          const inputs = args.inputs as Record<string, unknown>;
          created.push({ type: args.type, name: args.name, inputs });
          const state: Record<string, unknown> = { ...inputs };
          if (args.type === "tls:index/privateKey:PrivateKey") {
            const pair =
              inputs.algorithm === "ED25519"
                ? crypto.generateKeyPairSync("ed25519")
                : crypto.generateKeyPairSync("rsa", { modulusLength: Number(inputs.rsaBits) });
            state.privateKeyPem = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
            state.privateKeyPemPkcs8 = state.privateKeyPem;
            state.publicKeyPem = pair.publicKey.export({ format: "pem", type: "spki" }).toString();
          }
          if (args.type === "random:index/randomBytes:RandomBytes")
            state.hex = "ab".repeat(Number(inputs.length));
          if (args.type === "random:index/randomString:RandomString") state.result = "Q7zk";
          return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
      },
      "project",
      "stack",
      false,
    );
    apps = await import("../../../sdk/apps");
    dns = await import("../../../sdk/dns");
  });

  const zone = () =>
    new dns.DnsZone("zone", {
      connection: { apiUrl: "http://127.0.0.1:8081" },
      zone: "coop.example.",
      nameservers: ["ns1.coop.example."],
    });

  const matrixOn = (z: DnsModule.DnsZone) =>
    new apps.FediService("matrix", { app: "matrix", host: "media1", zone: z, domain: "coop.example" });

  it("Matrix: an Ed25519 tls.PrivateKey and a 4-letter key id become Synapse's key file and verify key", async () => {
    created.length = 0;
    const z = zone();
    const fedi = matrixOn(z);
    // Registration is asynchronous: wait for the outputs that depend on every resource asserted below.
    const keyFile = await promiseOf(fedi.app.secrets["signing-key"]);
    await promiseOf(pulumi.all(Object.values(fedi.app.secrets)));
    const tlsKeys = created.filter((c) => c.type === "tls:index/privateKey:PrivateKey");
    assert.deepStrictEqual(
      tlsKeys.map((c) => [c.name, c.inputs.algorithm]),
      [["matrix-signing-key", "ED25519"]],
    );
    const ids = created.filter((c) => c.type === "random:index/randomString:RandomString");
    assert.deepStrictEqual(ids[0].inputs, { length: 4, special: false });
    const randoms = created.filter((c) => c.type === "random:index/randomBytes:RandomBytes");
    assert.deepStrictEqual(randoms.map((c) => [c.name, c.inputs.length]).sort(), [
      ["matrix-form-secret", 32],
      ["matrix-macaroon-secret-key", 32],
      ["matrix-registration-shared-secret", 32],
    ]);
    const match = /^ed25519 (a_Q7zk) ([A-Za-z0-9+/]{43})\n$/.exec(keyFile);
    assert.ok(match, keyFile);
    const verify = fedi.matrixVerifyKey;
    assert.ok(verify);
    assert.strictEqual(await promiseOf(verify.keyId!), "a_Q7zk");
    assert.strictEqual(await promiseOf(verify.publicKey), ed25519PublicFromSeed(match[2]));
    assert.ok(pulumi.isSecret !== undefined);
    assert.strictEqual(await pulumi.isSecret(fedi.app.secrets["signing-key"]), true);
    assert.strictEqual(await pulumi.isSecret(fedi.app.secrets["form-secret"]), true);
  });

  it("Matrix: SRV delegation records in the zone and the well-known documents for the domain", async () => {
    created.length = 0;
    const z = zone();
    const fedi = matrixOn(z);
    for (const [name, type] of [
      ["matrix", "CNAME"],
      ["_matrix._tcp", "SRV"],
      ["_matrix-fed._tcp", "SRV"],
    ]) {
      // The record collection is registered once the zone's records are all published.
      await promiseOf(z.recordSet(name, type)!.resource.urn);
    }
    const byName = publishedRecords(created);
    assert.deepStrictEqual(byName["matrix.coop.example. CNAME"], ["media1.coop.example."]);
    assert.deepStrictEqual(byName["_matrix._tcp.coop.example. SRV"], ["10 0 8448 matrix.coop.example."]);
    assert.deepStrictEqual(byName["_matrix-fed._tcp.coop.example. SRV"], ["10 0 8448 matrix.coop.example."]);
    assert.deepStrictEqual(
      fedi.wellKnown.map((w) => [w.domain, w.path, w.body]),
      [
        ["coop.example", "/.well-known/matrix/server", '{"m.server":"matrix.coop.example:443"}'],
        [
          "coop.example",
          "/.well-known/matrix/client",
          '{"m.homeserver":{"base_url":"https://matrix.coop.example"}}',
        ],
      ],
    );
    assert.strictEqual(
      fedi.app.nixos?.values["services.matrix-synapse.settings.server_name"],
      "coop.example",
    );
    assert.strictEqual(
      fedi.app.nixos?.values["services.matrix-synapse.settings.signing_key_path"],
      "/run/secrets/sovereign/matrix/signing-key",
    );
  });

  it("ActivityPub: an RSA-2048 actor key, WebFinger redirects from the domain to the app's host", async () => {
    created.length = 0;
    const fedi = new apps.FediService("social", {
      app: "mastodon",
      host: "media1",
      zone: zone(),
      domain: "coop.example",
    });
    await promiseOf(fedi.actorKey!.privateKeyPem);
    const rsa = created.filter((c) => c.type === "tls:index/privateKey:PrivateKey");
    assert.deepStrictEqual(
      rsa.map((c) => [c.name, c.inputs.algorithm, c.inputs.rsaBits]),
      [["social-actor-key", "RSA", 2048]],
    );
    assert.strictEqual(fedi.webfingerHost, "social.coop.example");
    assert.deepStrictEqual(
      fedi.wellKnown.find((w) => w.path === "/.well-known/webfinger")?.redirect,
      "https://social.coop.example/.well-known/webfinger",
    );
    assert.match(await promiseOf(fedi.actorKey!.privateKeyPem), /^-----BEGIN PRIVATE KEY-----/);
    assert.strictEqual(await pulumi.isSecret(fedi.actorKey!.privateKeyPem), true);
  });

  it("declares the state replication reads, with instance-qualified names", () => {
    const svc = new apps.AppService("cloud", { app: "nextcloud", host: "web1", zone: zone() });
    assert.deepStrictEqual(
      svc.state.map((s) => [s.kind, s.name, s.strategy]),
      [
        ["database", "cloud", "db-streaming-replication"],
        ["directory", "/var/lib/nextcloud/config", "stop-then-rsync"],
        ["bucket", "cloud-files", "s3-copy"],
      ],
    );
    assert.ok(svc.state.every((s) => s.host === "web1" && s.stopForFinalCopy.length > 0));
    assert.strictEqual(svc.url, "https://cloud.coop.example/");
  });

  it("refuses open core, unknown ids and federating apps without a domain, naming the fix", () => {
    assert.throws(
      () => new apps.AppService("git", { app: "gitlab", host: "web1", zone: zone() }),
      /app: "gitlab" \(GitLab\) is refused: open core.*use app "forgejo" instead/,
    );
    assert.throws(
      () => new apps.AppService("x", { app: "mastodn", host: "web1", zone: zone() }),
      /did you mean "mastodon"\?/,
    );
    assert.throws(
      () => new apps.AppService("chat", { app: "matrix", host: "web1", zone: zone() }),
      /domain: Matrix \(Synapse\) federates \(matrix\); give it a domain/,
    );
  });
});
