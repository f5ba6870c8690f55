/**
 * The site's identity from a site config, through the real engine on a real Keycloak and a real
 * sshd: the realm and the client the catalog says forgejo needs, and that client's secret delivered
 * to the app's host as age ciphertext that only this host's key opens and that equals what Keycloak
 * holds; the exported state holds it nowhere in plain text.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseSiteConfig } from "../../../sdk/config";
import { builtinSecrets, hostPublicKeyFrom } from "../../../sdk/secrets";
import { declareSiteIdentity } from "../../../sdk/site/identity";
import { startSshd, useService } from "../../harness";
import { useSharedKeycloak } from "../../harness/shared-keycloak";
import { cliStackExport } from "../../harness/stateFiles";
import { createTestStack } from "../../harness/workspace";
import { adminFor, configureKeycloak, openedOnlyByHostKey, sshdSiteHost } from "./helpers";

const STORE = "/var/lib/sovereign/secrets";

describe("a site's identity section through the real engine (Keycloak + sshd)", function () {
  this.timeout(900_000);
  const keycloak = useSharedKeycloak();
  const sshd = useService(() => startSshd());

  it("makes the catalog's client for the app and delivers its secret to the app's host, encrypted to that host's key", async () => {
    const kc = keycloak();
    const s = sshd();
    const hostKey = hostPublicKeyFrom(fs.readFileSync(s.knownHostsPath, "utf8"))!;
    const config = parseSiteConfig({
      name: "site-delta",
      domain: "delta.example",
      datacenter: "home",
      dns: { endpoint: "http://127.0.0.1:8081" },
      externalServices: ["postgresql", "smtp"],
      hosts: [sshdSiteHost(s, hostKey, "nixos", "delta")],
      apps: [{ app: "forgejo", host: "web", name: "sitetest-git" }],
      identity: { admins: [{ username: "dora", email: "dora@delta.example" }], emailRequired: true },
    });
    const stored = path.join(STORE, "sitetest-git-oidc-client-secret.age");
    const t = await createTestStack("identity-site", async () => {
      const parent = new pulumi.ComponentResource("sovereign:test:Site", "delta");
      const identity = declareSiteIdentity(
        "delta",
        {
          config: { ...config, protect: false },
          identity: config.identity!,
          secrets: builtinSecrets(),
          hostSecretKeyPath: s.privateKeyPath,
        },
        parent,
      );
      return {
        issuerUrl: identity.realm.issuerUrl,
        clientId: identity.clientFor("sitetest-git")!.clientId,
        secret: identity.clientFor("sitetest-git")!.clientSecret,
      };
    });
    try {
      await configureKeycloak(t.stack, kc);
      const up = await t.stack.up({ color: "never" });
      assert.strictEqual(up.outputs.clientId.value, "sitetest-git");
      assert.ok(up.outputs.secret.secret, "the client secret output is a secret");

      const admin = adminFor(kc);
      const { data: clients } = await admin.api.GET("/admin/realms/{realm}/clients", {
        params: { path: { realm: "site-delta" }, query: { clientId: "sitetest-git" } },
      });
      assert.deepStrictEqual(clients?.[0].redirectUris, [
        "https://git.delta.example/user/oauth2/sovereign/callback",
      ]);
      const { data: keycloakSecret } = await admin.api.GET(
        "/admin/realms/{realm}/clients/{id}/client-secret",
        { params: { path: { realm: "site-delta", id: clients![0].id! } } },
      );

      // The host holds age ciphertext that this host's key opens to exactly Keycloak's secret.
      const opened = await openedOnlyByHostKey(stored, path.join(s.dir, "ssh_host_ed25519_key"));
      assert.strictEqual(opened, keycloakSecret!.value);

      const exported = cliStackExport(t.engine.env, t.workDir);
      for (const secret of [keycloakSecret!.value!, kc.adminPassword])
        assert.ok(!exported.includes(secret), "no secret in plain text in `pulumi stack export`");
      assert.ok(exported.includes("sitetest-git"), "the export is the real state");

      await t.stack.destroy({ color: "never" });
      assert.ok(!fs.existsSync(stored), "destroy removed the secret from the host");
      const realm = await admin.api.GET("/admin/realms/{realm}", {
        params: { path: { realm: "site-delta" } },
      });
      assert.strictEqual(realm.response.status, 404, "destroy removed the realm");
    } finally {
      await t.dispose();
    }
  });
});
