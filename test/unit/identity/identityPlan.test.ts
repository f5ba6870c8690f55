import * as assert from "assert";
import { planIdentity, redirectUrisOf } from "../../../sdk/identity/identityPlan";
import { SiteConfigError } from "../../../sdk/config/problems";

const forgejo = {
  app: "forgejo",
  url: "https://git.example.org",
  redirectPaths: ["/user/oauth2/keycloak/callback"],
};
const hedgedoc = {
  app: "hedgedoc",
  url: "https://pad.example.org/",
  redirectPaths: ["/auth/oauth2/callback"],
};

describe("identity plan", () => {
  it("makes one client per OIDC app with redirect URIs from the app's URL", () => {
    assert.deepStrictEqual(planIdentity({ realm: "example-org", apps: [forgejo, hedgedoc] }), [
      {
        app: "forgejo",
        clientId: "forgejo",
        redirectUris: ["https://git.example.org/user/oauth2/keycloak/callback"],
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
    assert.deepStrictEqual(
      redirectUrisOf({ app: "a", url: "https://a.example/base", redirectPaths: ["cb", "/root-cb"] }),
      ["https://a.example/base/cb", "https://a.example/root-cb"],
    );
  });

  it("reports every problem at once with the field and the fix", () => {
    try {
      planIdentity({
        realm: "Example Org",
        apps: [
          { ...forgejo, url: "http://git.example.org" },
          hedgedoc,
          { ...hedgedoc, app: "pad2", clientId: "hedgedoc" },
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
        /must use https .*use "https:\/\/git.example.org\/user\/oauth2\/keycloak\/callback"/,
      );
      assert.match(error.message, /client id "hedgedoc" is already used by apps\[1\]/);
    }
  });
});
