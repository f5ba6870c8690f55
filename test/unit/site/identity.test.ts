/**
 * A site config with `identity:` under pulumi's mocks: the Site declares the realm and a client for
 * each catalog app that signs in with OIDC (redirect URIs from the catalog and the app's URL), hands
 * each app component its client, and delivers the client secret to the app's host with HostSecret
 * (encrypted to the host key of its placement, mode 0400). Hosts without a known key are refused.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { promiseOf, recordingMocks, type CreatedResource } from "../../support/mocks";

const created: CreatedResource[] = [];
/** The client secret Keycloak "returns" for the clients of the site of that name (default: per client). */
const clientSecrets = new Map<string, string>();
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk0nS6cG0aB8hD0zTqZb9QeI0sKZ0lqf4X2r0v0lL9x";

function rawSite(placement: Record<string, unknown> | undefined, identity: Record<string, unknown> = {}) {
  return {
    name: "coop",
    domain: "coop.example",
    datacenter: "home",
    dns: { endpoint: "http://127.0.0.1:8081" },
    externalServices: ["postgresql", "smtp", "redis", "objectStorage"],
    hosts: [
      {
        name: "web1",
        address: "192.0.2.10",
        sshKeys: [`${HOST_KEY} admin@coop`],
        ...(placement ? { placement } : {}),
      },
    ],
    apps: [
      { app: "forgejo", host: "web1" },
      { app: "hedgedoc", host: "web1", name: "pad" },
      { app: "documents", host: "web1" },
    ],
    identity: { admins: [{ username: "alice", email: "alice@coop.example" }], ...identity },
  };
}

const existing = {
  kind: "existing",
  os: "linux",
  ssh: { host: "192.0.2.10", port: 2222, user: "root", hostKey: `${HOST_KEY} root@web1` },
};

describe("Site with an identity section (mocks)", () => {
  let site: typeof import("../../../sdk/site/site");
  let config: typeof import("../../../sdk/config");
  let secrets: typeof import("../../../sdk/secrets");
  before(async () => {
    await recordingMocks(created, ({ type, name }) => ({
      objectId: `${name}-uuid`,
      ...(type.endsWith(":Realm") && { issuerUrl: "https://id.coop.example/realms/coop" }),
      ...(type.endsWith(":OidcClient") && {
        clientSecret: clientSecrets.get(name.split("-identity-")[0]) ?? `${name}-client-secret-0123456789`,
      }),
      ...(type.endsWith(":RandomSecret") && { result: "p".repeat(24) }),
    }));
    site = await import("../../../sdk/site/site");
    config = await import("../../../sdk/config");
    secrets = await import("../../../sdk/secrets");
  });

  it("declares the realm and a client per OIDC app from the catalog; apps get their client; secrets go to the host encrypted, mode 0400", async () => {
    const parsed = config.parseSiteConfig(rawSite(existing));
    assert.deepStrictEqual(parsed.identity, {
      realm: "coop",
      emailRequired: true,
      admins: [{ username: "alice", email: "alice@coop.example" }],
      serviceAccounts: [],
    });
    const s = new site.Site("coop", {
      config: parsed,
      dns: { apiUrl: "http://127.0.0.1:8081" },
      secrets: secrets.builtinSecrets(),
      hostSecretKeyPath: "/root/.ssh/id_ed25519",
    });
    assert.ok(s.identity);
    const forgejo = s.appServices.forgejo;
    assert.ok(forgejo.oidc, "forgejo got its client");
    assert.strictEqual(await promiseOf(forgejo.oidc.clientId), "forgejo");
    assert.strictEqual(await promiseOf(forgejo.oidc.issuerUrl), "https://id.coop.example/realms/coop");
    assert.ok(await pulumi.isSecret(forgejo.oidc.clientSecret as pulumi.Output<string>), "a secret output");
    assert.strictEqual(s.appServices.documents.oidc, undefined, "documents does not sign in with OIDC");
    assert.strictEqual(
      "app" in forgejo ? undefined : forgejo.nixos?.secretFiles["oidc-client-secret"],
      "/run/secrets/sovereign/forgejo/oidc-client-secret",
    );
    // Wait until every resource is registered (the admin waits for its generated password).
    await promiseOf(s.identity.clientSecrets.pad.path);
    await promiseOf(s.identity.realm.admins[0].urn);

    const of = (suffix: string) => created.filter((c) => c.type.endsWith(suffix));
    assert.deepStrictEqual(of(":Realm")[0].inputs.name, "coop");
    assert.strictEqual(of(":Realm")[0].inputs.protect, undefined);
    const clients = Object.fromEntries(of(":OidcClient").map((c) => [c.inputs.clientId, c.inputs]));
    assert.deepStrictEqual(Object.keys(clients).sort(), ["forgejo", "pad"]);
    assert.deepStrictEqual(clients.forgejo.redirectUris, [
      "https://git.coop.example/user/oauth2/sovereign/callback",
    ]);
    assert.deepStrictEqual(clients.pad.redirectUris, ["https://pad.coop.example/auth/oauth2/callback"]);
    assert.strictEqual(clients.pad.owner, "project/stack/coop-identity-pad");

    const delivered = of(":HostSecret").map((c) => c.inputs);
    assert.deepStrictEqual(delivered.map((d) => d.name).sort(), [
      "forgejo-oidc-client-secret",
      "pad-oidc-client-secret",
    ]);
    const toForgejo = delivered.find((d) => d.name === "forgejo-oidc-client-secret")!;
    assert.deepStrictEqual(toForgejo.host, {
      address: "192.0.2.10",
      port: 2222,
      user: "root",
      hostPublicKey: HOST_KEY,
      os: "linux",
      privateKeyPath: "/root/.ssh/id_ed25519",
    });
    assert.strictEqual(toForgejo.path, "/run/secrets/sovereign/forgejo/oidc-client-secret");
    assert.strictEqual(toForgejo.mode, "0400");
    // Owned by the app's system user from the catalog, not root.
    assert.deepStrictEqual([toForgejo.owner, toForgejo.group], ["forgejo", "forgejo"]);
    const toPad = delivered.find((d) => d.name === "pad-oidc-client-secret")!;
    assert.deepStrictEqual([toPad.owner, toPad.group, toPad.mode], ["hedgedoc", "hedgedoc", "0400"]);
    // The client secret reaches HostSecret as a secret (the engine's secret envelope), never plain.
    const value = toForgejo.value as Record<string, string>;
    assert.strictEqual(value[pulumi.runtime.specialSigKey], pulumi.runtime.specialSecretSig);
    assert.strictEqual(value.value, "coop-identity-forgejo-client-secret-0123456789");
    assert.strictEqual(of(":User")[0].inputs.username, "alice");
  });

  it("refuses identity for apps on hosts whose SSH host key is not known, and a bad realm, naming the field and the fix", () => {
    assert.throws(
      () => config.parseSiteConfig(rawSite(undefined, { realm: "Coop Site" })),
      (e: Error) => {
        assert.match(e.message, /site\.identity\.realm: realm name "Coop Site" is not allowed/);
        assert.match(
          e.message,
          /site\.hosts\[0\]\.placement: app "forgejo" signs in through site\.identity, and its OIDC client secret is delivered to host "web1" encrypted to that host's SSH host key, which is not known: give the host placement \{ kind: existing, ssh: \{ host, hostKey/,
        );
        return true;
      },
    );
    const { hostKey: _dropped, ...sshWithoutKey } = existing.ssh;
    assert.throws(
      () =>
        config.parseSiteConfig(
          rawSite({ ...existing, ssh: { ...sshWithoutKey, trustOnFirstUse: true } }, { enabled: true }),
        ),
      /site\.hosts\[0\]\.placement\.ssh\.hostKey: app "forgejo" signs in/,
    );
    // Switched off: no realm, nothing to deliver, nothing to refuse.
    assert.strictEqual(config.parseSiteConfig(rawSite(undefined, { enabled: false })).identity, undefined);
  });
  it("a NixOS host's configuration declares age.secrets for each delivered client secret, and no secret value changes it (property)", async () => {
    const nixos = { ...existing, os: "nixos" };
    const parsed = config.parseSiteConfig(rawSite(nixos));
    const values = fc.sample(
      fc.string({ minLength: 16, maxLength: 64 }).filter((v) => v.trim() === v),
      4,
    );
    const rendered = await Promise.all(
      values.map(async (value, i) => {
        clientSecrets.set(`val${i}`, value);
        const s = new site.Site(`val${i}`, {
          config: parsed,
          dns: { apiUrl: "http://127.0.0.1:8081" },
          secrets: secrets.builtinSecrets(),
          hostSecretKeyPath: "/root/.ssh/id_ed25519",
        });
        // The value did flow into the delivery (as a secret) ...
        await promiseOf(s.identity!.clientSecrets.forgejo.path);
        const sent = created.find((c) => c.name === `val${i}-forgejo-oidc-secret`);
        assert.strictEqual((sent!.inputs.value as Record<string, string>).value, value);
        // ... and the host's configuration is the same text whatever it is, never containing it.
        const files = s.nixosHosts.web1.configuration;
        for (const text of Object.values(files))
          assert.ok(!text.includes(value), "no secret in the configuration");
        return { files, hash: s.hostConfigurationHashes.web1 };
      }),
    );
    for (const r of rendered) assert.deepStrictEqual(r, rendered[0]);
    const nix = rendered[0].files["configuration.nix"];
    for (const [name, owner] of [
      ["forgejo", "forgejo"],
      ["pad", "hedgedoc"],
    ])
      assert.ok(
        nix.includes(
          [
            `      ${name}-oidc-client-secret = {`,
            `        file = "/var/lib/sovereign/secrets/${name}-oidc-client-secret.age";`,
            `        path = "/run/secrets/sovereign/${name}/oidc-client-secret";`,
            `        owner = "${owner}";`,
            `        group = "${owner}";`,
            `        mode = "0400";`,
            `      };`,
          ].join("\n"),
        ),
        `age.secrets for ${name} in:\n${nix}`,
      );
    assert.ok(!nix.includes("documents-oidc"), "documents has no client, so no secret");
  });
  it("declares age.secrets only on NixOS hosts, one per confidential OIDC app placed there (property)", async () => {
    const { siteHostSpecOf } = await import("../../../sdk/site/hostConfigurations");
    const catalogApps = ["forgejo", "hedgedoc", "documents", "nextcloud", "planning"] as const;
    fc.assert(
      fc.property(
        fc.constantFrom("nixos", "linux"),
        fc.uniqueArray(fc.constantFrom(...catalogApps), { minLength: 1, maxLength: 5 }),
        (os, apps) => {
          const raw = {
            ...rawSite({ ...existing, os }),
            externalServices: ["postgresql", "smtp", "redis", "objectStorage", "mysql", "oidc"],
            apps: apps.map((app) => ({ app, host: "web1" })),
          };
          const parsed = config.parseSiteConfig(raw);
          const spec = siteHostSpecOf(parsed, parsed.hosts[0]);
          const expected =
            os === "nixos"
              ? apps
                  .filter((a) => a !== "documents" && a !== "planning")
                  .map((a) => `${a}-oidc-client-secret`)
              : [];
          assert.deepStrictEqual(Object.keys(spec.ageSecrets ?? {}).sort(), expected.sort());
          for (const s of Object.values(spec.ageSecrets ?? {})) assert.strictEqual(s.mode, "0400");
        },
      ),
      { numRuns: 30 },
    );
  });

  it("refuses identity.serviceAccounts naming an app without a confidential client", () => {
    assert.throws(
      () => config.parseSiteConfig(rawSite(existing, { serviceAccounts: ["forgejo", "documents"] })),
      /site\.identity\.serviceAccounts\[1\]: "documents" is not an app of this site with a confidential OIDC client: use one of forgejo, pad/,
    );
    assert.deepStrictEqual(
      config.parseSiteConfig(rawSite(existing, { serviceAccounts: ["forgejo"] })).identity?.serviceAccounts,
      ["forgejo"],
    );
  });
  it("decrypts on a plain host with the key at placement.hostKeyPath, refusing a relative one", async () => {
    const { planOidcSecretDeliveries } = await import("../../../sdk/config/identityConfig");
    const parsed = config.parseSiteConfig(
      rawSite({ ...existing, hostKeyPath: "/etc/ssh/other_ed25519_key" }),
    );
    const targets = planOidcSecretDeliveries(parsed.hosts, parsed.apps).map((d) => d.target.hostKeyPath);
    assert.deepStrictEqual(targets, ["/etc/ssh/other_ed25519_key", "/etc/ssh/other_ed25519_key"]);
    assert.throws(
      () => config.parseSiteConfig(rawSite({ ...existing, hostKeyPath: "ssh_host_ed25519_key" })),
      /site\.hosts\[0\]\.placement\.hostKeyPath: "ssh_host_ed25519_key" must be the absolute path of the host's private SSH host key/,
    );
  });
});
