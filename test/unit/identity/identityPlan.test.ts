import * as assert from "assert";
import { planIdentity, redirectUrisOf } from "../../../sdk/identity/identityPlan";
import { appDefinition, appIds } from "../../../sdk/apps/catalog";
import { SiteConfigError } from "../../../sdk/config/problems";

const forgejo = { name: "forgejo", app: "forgejo", url: "https://git.example.org" };
const hedgedoc = { name: "hedgedoc", app: "hedgedoc", url: "https://pad.example.org/" };

describe("identity plan", () => {
  it("makes one client per app the catalog says signs in with OIDC, redirect URIs from the app's URL and the catalog's paths", () => {
    const owncast = { name: "live", app: "owncast", url: "https://live.example.org" };
    assert.deepStrictEqual(planIdentity({ realm: "example-org", apps: [forgejo, owncast, hedgedoc] }), [
      {
        app: "forgejo",
        clientId: "forgejo",
        redirectUris: ["https://git.example.org/user/oauth2/sovereign/callback"],
        webOrigins: ["https://git.example.org"],
        rootUrl: "https://git.example.org",
        publicClient: false,
        serviceAccounts: false,
      },
      {
        app: "hedgedoc",
        clientId: "hedgedoc",
        redirectUris: ["https://pad.example.org/auth/oauth2/callback"],
        webOrigins: ["https://pad.example.org"],
        rootUrl: "https://pad.example.org/",
        publicClient: false,
        serviceAccounts: false,
      },
    ]);
    assert.deepStrictEqual(redirectUrisOf("https://a.example/base", ["cb", "/root-cb"]), [
      "https://a.example/base/cb",
      "https://a.example/root-cb",
    ]);
  });

  it("reports every problem at once with the field and the fix", () => {
    try {
      planIdentity({
        realm: "Example Org",
        apps: [
          { ...forgejo, url: "http://git.example.org" },
          hedgedoc,
          { ...hedgedoc, name: "pad2", clientId: "hedgedoc" },
        ],
        admins: [{ username: "alice" }],
      });
      assert.fail("the plan was accepted");
    } catch (error) {
      assert.ok(error instanceof SiteConfigError);
      assert.deepStrictEqual(
        error.problems.map((p) => p.split(":")[0]),
        ["realm", "apps[0].url[0]", "apps[2].clientId", "admins[0].email"],
      );
      assert.match(error.message, /the identity realm "Example Org" has 4 problem\(s\)/);
      assert.match(
        error.message,
        /must use https .*use "https:\/\/git.example.org\/user\/oauth2\/sovereign\/callback"/,
      );
      assert.match(error.message, /client id "hedgedoc" is already used by apps\[1\]/);
    }
  });

  it("every catalog app with OIDC has absolute redirect paths and a source", () => {
    const withOidc = appIds.filter((id) => appDefinition(id).oidc);
    assert.ok(withOidc.length >= 6, `only ${withOidc.join(", ")} sign in with OIDC`);
    for (const id of withOidc) {
      const oidc = appDefinition(id).oidc!;
      assert.ok(oidc.redirectPaths.length > 0 && oidc.redirectPaths.every((p) => p.startsWith("/")), id);
      assert.match(oidc.source, /^https:\/\//, id);
    }
    assert.strictEqual(appDefinition("keycloak").oidc, undefined, "the provider is no client of itself");
  });
});
