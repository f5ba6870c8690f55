/** IdentityRealm and the random-secret interface under pulumi's mocks: which resources, which inputs. */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { recordingMocks, type CreatedResource } from "../../support/mocks";

const created: CreatedResource[] = [];

function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

describe("IdentityRealm (mocks)", () => {
  let sdk: typeof import("../../../sdk/identity");
  let secrets: typeof import("../../../sdk/secrets");
  before(async () => {
    await recordingMocks(created, ({ type, name }) => ({
      objectId: `${name}-uuid`,
      ...(type === "random:index/randomPassword:RandomPassword" && { result: "x".repeat(24) }),
      ...(type.endsWith("OidcClient") && { clientSecret: `${name}-secret` }),
    }));
    sdk = await import("../../../sdk/identity");
    secrets = await import("../../../sdk/secrets");
  });

  it("declares the realm, admin group with role admin, a client per OIDC app, admins with generated passwords", async () => {
    const realm = new sdk.IdentityRealm("id", {
      realm: "example-org",
      apps: [
        { name: "forgejo", app: "forgejo", url: "https://git.example.org" },
        { name: "nextcloud", app: "nextcloud", url: "https://cloud.example.org", serviceAccount: true },
        { name: "live", app: "owncast", url: "https://live.example.org" },
      ],
      admins: [{ username: "alice", email: "alice@example.org" }],
      secrets: secrets.pluginSecrets(),
    });
    const credentials = realm.clientFor("forgejo");
    assert.strictEqual(await unwrap(credentials.clientSecret), "id-forgejo-secret");
    await unwrap(realm.admins[0].objectId);
    const byName = (name: string) => created.find((c) => c.name === name)!;
    assert.deepStrictEqual(
      created.map((c) => `${c.type} ${c.name}`).sort(),
      [
        "pulumi-nodejs:dynamic/sovereign/keycloak:Group id-admins",
        "pulumi-nodejs:dynamic/sovereign/keycloak:OidcClient id-forgejo",
        "pulumi-nodejs:dynamic/sovereign/keycloak:OidcClient id-nextcloud",
        "pulumi-nodejs:dynamic/sovereign/keycloak:Realm id-realm",
        "pulumi-nodejs:dynamic/sovereign/keycloak:RoleMapping id-admins-role",
        "pulumi-nodejs:dynamic/sovereign/keycloak:User id-admin-alice",
        "random:index/randomPassword:RandomPassword id-admin-alice-password",
        "sovereign:identity:IdentityRealm id",
      ].sort(),
    );
    assert.deepStrictEqual(byName("id-forgejo").inputs.redirectUris, [
      "https://git.example.org/user/oauth2/sovereign/callback",
    ]);
    assert.strictEqual(byName("id-nextcloud").inputs.serviceAccounts, true);
    assert.strictEqual(byName("id-realm").inputs.owner, "project/stack/id-realm");
    assert.deepStrictEqual(byName("id-admins-role").inputs.realmRoles, ["admin"]);
    assert.deepStrictEqual(byName("id-admin-alice-password").inputs, { length: 24, special: false });
    assert.strictEqual(byName("id-admin-alice").inputs.emailRequired, true);
    assert.strictEqual(byName("id-admin-alice").inputs.temporaryPassword, true);
    assert.throws(
      () => realm.clientFor("matrix"),
      /app "matrix" has no OIDC client in this realm; apps with one: forgejo, nextcloud/,
    );
  });

  it("refuses a plan with problems before declaring anything", () => {
    const before = created.length;
    assert.throws(
      () =>
        new sdk.IdentityRealm("bad", {
          realm: "ok",
          apps: [
            { name: "a", app: "hedgedoc", url: "https://a.example" },
            { name: "b", app: "hedgedoc", clientId: "a", url: "https://b.example" },
          ],
        }),
      /apps\[1\]\.clientId: client id "a" is already used by apps\[0\]/,
    );
    assert.strictEqual(created.length, before, "nothing was declared");
  });
});
