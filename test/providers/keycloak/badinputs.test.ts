/**
 * Every bad input of the identity and secrets issue fails at `pulumi preview` through the real
 * engine, with a message naming the field and the fix, before anything changes (Keycloak has no
 * new realm, the SSH host no new file). Also: IdentityRealm through the real engine on Keycloak.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { KeycloakOidcClient, KeycloakRealm, KeycloakUser } from "../../../providers/keycloak";
import { IdentityRealm } from "../../../sdk/identity";
import { builtinSecrets, HostSecret, hostPublicKeyFrom } from "../../../sdk/secrets";
import { startSshd, useService } from "../../harness";
import { useSharedKeycloak } from "../../harness/shared-keycloak";
import { createTestStack } from "../../harness/workspace";
import { adminFor, configureKeycloak, discover, grant, verifiedClaims } from "./helpers";

const SHORT_SECRET = "tooShort-4711";

interface BadCase {
  what: string;
  program: (ctx: { knownHostKey: string; sshPort: number; scratch: string }) => void;
  expect: RegExp;
}

const CASES: BadCase[] = [
  {
    what: "a redirect URI that is not https",
    program: () =>
      new KeycloakOidcClient("app", {
        realm: "bad-inputs",
        clientId: "app",
        redirectUris: ["http://app.example.org/callback"],
      }),
    expect:
      /redirectUris\[0\].*"http:\/\/app\.example\.org\/callback" is not https.*use "https:\/\/app\.example\.org\/callback"/s,
  },
  {
    what: "a realm name with invalid characters",
    program: () => new KeycloakRealm("realm", { name: "Bad Realm!" }),
    expect: /name.*realm name "Bad Realm!" is not allowed: use 1-63 lower-case letters/s,
  },
  {
    what: "a client id used twice",
    program: () =>
      new IdentityRealm("id", {
        realm: "bad-inputs",
        apps: [
          { name: "forgejo", app: "forgejo", url: "https://git.example.org" },
          { name: "git2", app: "forgejo", clientId: "forgejo", url: "https://git2.example.org" },
        ],
      }),
    expect:
      /apps\[1\]\.clientId: client id "forgejo" is already used by apps\[0\]: give each app its own client id/,
  },
  {
    what: "a user without email where the realm requires one",
    program: () => new KeycloakUser("bob", { realm: "bad-inputs", username: "bob", emailRequired: true }),
    expect: /email.*user "bob" has no email, but its realm requires one: add email/s,
  },
  {
    what: "a host without a known host key",
    program: ({ sshPort, scratch }) =>
      new HostSecret("s", {
        name: "db",
        host: { address: "127.0.0.1", port: sshPort },
        value: pulumi.secret("a-long-enough-secret-value"),
        path: path.join(scratch, "db"),
      }),
    expect: /host\.hostPublicKey.*host "127\.0\.0\.1" has no known SSH host key.*set host\.hostPublicKey/s,
  },
  {
    what: "a secret shorter than the app's minimum",
    program: ({ knownHostKey, sshPort, scratch }) =>
      new HostSecret("s", {
        name: "db",
        host: { address: "127.0.0.1", port: sshPort, hostPublicKey: knownHostKey },
        value: pulumi.secret(SHORT_SECRET),
        path: path.join(scratch, "db"),
        minLength: 24,
      }),
    expect: /value.*the secret "db" has 13 characters but its app needs at least 24: give a longer one/s,
  },
];

describe("identity and secrets through the real engine: bad inputs and IdentityRealm", function () {
  this.timeout(900_000);
  const keycloak = useSharedKeycloak();
  const sshd = useService(() => startSshd());

  it(`rejects ${CASES.length} kinds of bad input at preview, naming the field and the fix, changing nothing`, async () => {
    const kc = keycloak();
    const s = sshd();
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-bad-secrets-"));
    const ctx = {
      knownHostKey: hostPublicKeyFrom(fs.readFileSync(s.knownHostsPath, "utf8"))!,
      sshPort: s.port,
      scratch,
    };
    const problems: string[] = [];
    try {
      for (const bad of CASES) {
        const t = await createTestStack("identity-bad", async () => {
          bad.program(ctx);
          return {};
        });
        try {
          await configureKeycloak(t.stack, kc);
          const outcome = await t.stack.preview({ color: "never" }).then(
            () => "the preview succeeded",
            (e: unknown) => (e as Error).message,
          );
          if (!bad.expect.test(outcome))
            problems.push(`${bad.what}: expected ${bad.expect}, got:\n${outcome}`);
          for (const secret of [SHORT_SECRET, kc.adminPassword]) {
            if (outcome.includes(secret))
              problems.push(`${bad.what}: the message shows a secret:\n${outcome}`);
          }
        } finally {
          await t.dispose();
        }
      }
      assert.deepStrictEqual(problems, []);
      assert.deepStrictEqual(fs.readdirSync(scratch), [], "no file was delivered");
      const realm = await adminFor(kc).api.GET("/admin/realms/{realm}", {
        params: { path: { realm: "bad-inputs" } },
      });
      assert.strictEqual(realm.response.status, 404, "no realm was created");
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("IdentityRealm makes the realm, admins and a client per OIDC app; each app's client signs in", async () => {
    const kc = keycloak();
    const t = await createTestStack("identity-realm", async () => {
      const identity = new IdentityRealm("site", {
        realm: "site-gamma",
        apps: [
          { name: "forgejo", app: "forgejo", url: "https://git.gamma.example", serviceAccount: true },
          { name: "hedgedoc", app: "hedgedoc", url: "https://pad.gamma.example", serviceAccount: true },
        ],
        admins: [{ username: "carol", email: "carol@gamma.example" }],
        secrets: builtinSecrets(),
        protect: false,
      });
      const forgejo = identity.clientFor("forgejo");
      const hedgedoc = identity.clientFor("hedgedoc");
      return {
        issuerUrl: identity.issuerUrl,
        forgejoSecret: forgejo.clientSecret,
        hedgedocSecret: hedgedoc.clientSecret,
      };
    });
    try {
      await configureKeycloak(t.stack, kc);
      const up = await t.stack.up({ color: "never" });
      const discovery = await discover(up.outputs.issuerUrl.value as string);
      for (const app of ["forgejo", "hedgedoc"]) {
        const secret = up.outputs[`${app}Secret`].value as string;
        const claims = await verifiedClaims(
          await grant(discovery, { grant_type: "client_credentials", client_id: app, client_secret: secret }),
          discovery,
        );
        assert.strictEqual(claims.azp, app);
      }
      const admin = adminFor(kc);
      const { data: clients } = await admin.api.GET("/admin/realms/{realm}/clients", {
        params: { path: { realm: "site-gamma" }, query: { clientId: "forgejo" } },
      });
      assert.deepStrictEqual(clients?.[0].redirectUris, [
        "https://git.gamma.example/user/oauth2/sovereign/callback",
      ]);
      const { data: users } = await admin.api.GET("/admin/realms/{realm}/users", {
        params: { path: { realm: "site-gamma" }, query: { username: "carol", exact: true } },
      });
      assert.deepStrictEqual(
        users?.[0].requiredActions,
        ["UPDATE_PASSWORD"],
        "the admin must choose a password at first sign-in",
      );
    } finally {
      await t.dispose();
    }
  });
});
