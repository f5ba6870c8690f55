/**
 * The Keycloak providers through the real Pulumi engine against a real Keycloak (with its own
 * PostgreSQL): lifecycle, a real OpenID Connect flow with the client the stack made, drift found
 * by refresh and repaired by up, adoption rules, and no secret in plain text in the state.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  KeycloakGroup,
  KeycloakOidcClient,
  KeycloakRealm,
  KeycloakRoleMapping,
  KeycloakUser,
} from "../../../providers/keycloak";
import { encodeOwner } from "../../../providers/shared/ownership";
import { useSharedKeycloak } from "../../harness/shared-keycloak";
import { cliStackExport } from "../../harness/stateFiles";
import { createTestStack, type TestStack } from "../../harness/workspace";
import { adminFor, configureKeycloak, discover, grant, tampered, verifiedClaims } from "./helpers";

const quiet = { color: "never" as const };
const ALICE_PASSWORD = "alice-initial-Passw0rd-4711";

interface Spec {
  redirectUris: string[];
  aliceEmail?: string;
}

function program(spec: () => Spec) {
  return async (): Promise<Record<string, unknown>> => {
    const s = spec();
    const realm = new KeycloakRealm("realm", {
      name: "site-alpha",
      displayName: "Alpha",
      roles: ["admin"],
      emailRequired: true,
    });
    const admins = new KeycloakGroup("admins", { realm: realm.name, name: "admins" });
    new KeycloakRoleMapping("admins-admin", {
      realm: realm.name,
      subject: "group",
      subjectId: admins.objectId,
      realmRoles: ["admin"],
    });
    const app = new KeycloakOidcClient("app", {
      realm: realm.name,
      clientId: "notes",
      name: "Notes",
      redirectUris: s.redirectUris,
      serviceAccounts: true,
      directAccessGrants: true,
    });
    const alice = new KeycloakUser("alice", {
      realm: realm.name,
      username: "alice",
      email: s.aliceEmail ?? "alice@example.org",
      emailRequired: realm.emailRequired,
      emailVerified: true,
      firstName: "Alice",
      lastName: "Liddell",
      initialPassword: pulumi.secret(ALICE_PASSWORD),
      temporaryPassword: false,
      groups: [admins.objectId],
    });
    return {
      issuerUrl: realm.issuerUrl,
      clientSecret: app.clientSecret,
      clientObjectId: app.objectId,
      aliceId: alice.objectId,
    };
  };
}

describe("Keycloak providers through the real engine", function () {
  this.timeout(900_000);
  const keycloak = useSharedKeycloak();
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks) await t.dispose().catch(() => undefined);
  });

  it("creates realm, group, role mapping, client and user; the client signs in for real; drift is repaired; destroy removes them", async () => {
    const kc = keycloak();
    let spec: Spec = {
      redirectUris: ["https://notes.alpha.example/oauth2/callback", "http://127.0.0.1:8080/callback"],
    };
    const t = await createTestStack(
      "kc-lifecycle",
      program(() => spec),
    );
    stacks.push(t);
    await configureKeycloak(t.stack, kc);

    const up = await t.stack.up(quiet);
    assert.strictEqual(up.summary.resourceChanges?.create, 6);
    const issuerUrl = up.outputs.issuerUrl.value as string;
    const clientSecret = up.outputs.clientSecret.value as string;
    assert.ok(up.outputs.clientSecret.secret, "the client secret output is a secret");
    assert.match(clientSecret, /^\S{16,}$/);

    // A real OpenID Connect flow: discovery, client-credentials grant, signature checked on the JWKS.
    const discovery = await discover(issuerUrl);
    assert.strictEqual(discovery.issuer, `${kc.url}/realms/site-alpha`);
    const serviceToken = await grant(discovery, {
      grant_type: "client_credentials",
      client_id: "notes",
      client_secret: clientSecret,
    });
    const serviceClaims = await verifiedClaims(serviceToken, discovery);
    assert.strictEqual(serviceClaims.iss, discovery.issuer);
    assert.strictEqual(serviceClaims.azp, "notes");
    await assert.rejects(verifiedClaims(tampered(serviceToken), discovery), /does not verify/);
    await assert.rejects(
      grant(discovery, { grant_type: "client_credentials", client_id: "notes", client_secret: "wrong" }),
      /refused \(401\)/,
    );
    // Alice signs in with her initial password; the admin role reaches her through the admins group.
    const aliceToken = await grant(discovery, {
      grant_type: "password",
      client_id: "notes",
      client_secret: clientSecret,
      username: "alice",
      password: ALICE_PASSWORD,
      scope: "openid",
    });
    const aliceClaims = await verifiedClaims(aliceToken, discovery);
    assert.strictEqual(aliceClaims.preferred_username, "alice");
    assert.strictEqual(aliceClaims.email, "alice@example.org");
    assert.ok(
      (aliceClaims.realm_access as { roles: string[] }).roles.includes("admin"),
      "admin role via the group",
    );

    // Nothing changed: nothing to do.
    assert.deepStrictEqual((await t.stack.up(quiet)).summary.resourceChanges, { same: 6 });

    // An input change updates in place.
    spec = {
      ...spec,
      redirectUris: ["https://notes.alpha.example/oauth2/callback"],
      aliceEmail: "alice@alpha.example",
    };
    const changed = await t.stack.up(quiet);
    assert.deepStrictEqual(changed.summary.resourceChanges, { same: 4, update: 2 });
    const admin = adminFor(kc);
    const clientPath = {
      params: { path: { realm: "site-alpha", id: up.outputs.clientObjectId.value as string } },
    };
    const afterUpdate = (await admin.api.GET("/admin/realms/{realm}/clients/{id}", clientPath)).data;
    assert.deepStrictEqual(afterUpdate?.redirectUris, ["https://notes.alpha.example/oauth2/callback"]);

    // Someone changes the client behind the stack's back: refresh sees it, up repairs it.
    await admin.api.PUT("/admin/realms/{realm}/clients/{id}", {
      ...clientPath,
      body: { ...afterUpdate, redirectUris: ["https://evil.example/steal"], serviceAccountsEnabled: false },
    });
    const refresh = await t.stack.refresh(quiet);
    assert.strictEqual(refresh.summary.resourceChanges?.update, 1, "refresh records the drifted client");
    const preview = await t.stack.preview(quiet);
    assert.strictEqual(preview.changeSummary.update, 1, "preview plans to repair the client");
    await t.stack.up(quiet);
    const repaired = (await admin.api.GET("/admin/realms/{realm}/clients/{id}", clientPath)).data;
    assert.deepStrictEqual(repaired?.redirectUris, ["https://notes.alpha.example/oauth2/callback"]);
    assert.strictEqual(repaired?.serviceAccountsEnabled, true);
    await grant(discovery, {
      grant_type: "client_credentials",
      client_id: "notes",
      client_secret: clientSecret,
    });

    // The state a user exports holds no secret in plain text.
    const exported = cliStackExport(t.engine.env, t.workDir);
    for (const secret of [clientSecret, ALICE_PASSWORD, kc.adminPassword]) {
      assert.ok(!exported.includes(secret), "no secret in plain text in `pulumi stack export`");
    }
    assert.ok(exported.includes("site-alpha"), "the export is the real state");

    await t.stack.destroy(quiet);
    const gone = await admin.api.GET("/admin/realms/{realm}", { params: { path: { realm: "site-alpha" } } });
    assert.strictEqual(gone.response.status, 404, "destroy removed the realm");
  });

  it("refuses a client it does not own unless adopt is set, keeps the server's values, resumes its own interrupted create, leaves what another owner took over", async () => {
    const kc = keycloak();
    const admin = adminFor(kc);
    await admin.api.POST("/admin/realms", {
      body: JSON.stringify({ realm: "site-beta", enabled: true }),
      bodySerializer: (body) => body,
    });
    await admin.api.POST("/admin/realms/{realm}/clients", {
      params: { path: { realm: "site-beta" } },
      body: {
        clientId: "wiki",
        rootUrl: "https://wiki.beta.example",
        redirectUris: ["https://wiki.beta.example/*"],
      },
    });
    let adopt = false;
    const t = await createTestStack("kc-adopt", async () => {
      const client = new KeycloakOidcClient("wiki", {
        realm: "site-beta",
        clientId: "wiki",
        adopt,
        serviceAccounts: true,
      });
      return { clientId: client.clientId };
    });
    stacks.push(t);
    await configureKeycloak(t.stack, kc);
    await assert.rejects(
      t.stack.up(quiet),
      /client "wiki" in realm "site-beta": it already exists and belongs to no one .*Set "adopt: true"/s,
    );
    adopt = true;
    await t.stack.up(quiet);
    const { data } = await admin.api.GET("/admin/realms/{realm}/clients", {
      params: { path: { realm: "site-beta" }, query: { clientId: "wiki" } },
    });
    assert.strictEqual(data?.[0].rootUrl, "https://wiki.beta.example", "adopt kept the server's rootUrl");
    assert.deepStrictEqual(data?.[0].redirectUris, ["https://wiki.beta.example/*"]);
    assert.strictEqual(data?.[0].serviceAccountsEnabled, true);
    assert.match(String(data?.[0].attributes?.["sovereign.owner"]), /^sovereign-owner:kc-adopt\/test\/wiki$/);

    // A create interrupted before the engine recorded it: the next up continues its own object
    // (the owner marker is this resource's) without adopt.
    adopt = false;
    const exported = await t.stack.exportStack();
    const deployment = exported.deployment as { resources: { type: string }[] };
    deployment.resources = deployment.resources.filter((r) => !r.type.endsWith("keycloak:OidcClient"));
    await t.stack.importStack(exported);
    const resumed = await t.stack.up(quiet);
    assert.strictEqual(
      resumed.summary.resourceChanges?.create,
      1,
      "the lost client was taken back, not refused",
    );

    // Someone else took the client over: destroy leaves it in place.
    const wiki = (
      await admin.api.GET("/admin/realms/{realm}/clients", {
        params: { path: { realm: "site-beta" }, query: { clientId: "wiki" } },
      })
    ).data![0];
    await admin.api.PUT("/admin/realms/{realm}/clients/{id}", {
      params: { path: { realm: "site-beta", id: wiki.id! } },
      body: {
        ...wiki,
        attributes: {
          ...wiki.attributes,
          "sovereign.owner": encodeOwner("other/stack/wiki"),
        },
      },
    });
    await t.stack.destroy(quiet);
    const kept = await admin.api.GET("/admin/realms/{realm}/clients/{id}", {
      params: { path: { realm: "site-beta", id: wiki.id! } },
    });
    assert.strictEqual(kept.response.status, 200, "a client another stack owns now is not deleted");
    await admin.api.DELETE("/admin/realms/{realm}", { params: { path: { realm: "site-beta" } } });
  });
});
