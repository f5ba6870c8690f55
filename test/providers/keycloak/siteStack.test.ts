/**
 * A whole Site with `identity:` through the real engine on the local services: its zone on
 * PowerDNS, its realm on Keycloak, and a plain-Linux host (the harness's sshd on this machine)
 * that receives each OIDC app's client secret. What a member relies on: one client per OIDC app,
 * the client secret on the host decrypted only with that host's key, mode 0400, owned by the app's
 * system user (and a clear refusal while that user does not exist), a client-credentials grant with
 * the delivered secret whose token verifies against the realm's JWKS, and no secret in the state.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseSiteConfig } from "../../../sdk/config";
import { builtinSecrets, hostPublicKeyFrom } from "../../../sdk/secrets";
import { Site } from "../../../sdk/site/site";
import { startSshd, useService } from "../../harness";
import { runCommand } from "../../harness/commands";
import { dig } from "../../harness/dig";
import { useSharedKeycloak } from "../../harness/shared-keycloak";
import { cliStackExport } from "../../harness/stateFiles";
import { powerDnsStack } from "../powerdns/helpers";
import {
  adminFor,
  configureKeycloak,
  discover,
  grant,
  openedOnlyByHostKey,
  sshdSiteHost,
  tampered,
  verifiedClaims,
} from "./helpers";

const STORE = "/var/lib/sovereign/secrets";
/** The apps' system users (catalog systemUser), which their packages would make on a real host. */
const APP_USERS = ["forgejo", "hedgedoc"];
const secretFile = (app: string) => `/run/secrets/sovereign/${app}/oidc-client-secret`;

describe("a whole Site with identity on the local services (Keycloak, PowerDNS, sshd host)", function () {
  this.timeout(1_200_000);
  const keycloak = useSharedKeycloak();
  const pdns = useService("powerdns");
  const sshd = useService(() => startSshd());
  const madeUsers: string[] = [];

  after(async () => {
    // Only the accounts this test made (never one the machine had before).
    for (const user of madeUsers.reverse()) await runCommand("userdel", [user]).catch(() => undefined);
    // The secrets' directories that delivery made (destroy removed the files in them).
    for (const app of ["echo-git", "echo-pad"])
      fs.rmSync(path.dirname(secretFile(app)), { recursive: true, force: true });
  });

  it("makes one client per OIDC app, delivers each secret owned by the app's user, and the secret signs in", async () => {
    const kc = keycloak();
    const s = sshd();
    const hostKeyPath = path.join(s.dir, "ssh_host_ed25519_key");
    const hostKey = hostPublicKeyFrom(fs.readFileSync(s.knownHostsPath, "utf8"))!;
    const config = parseSiteConfig({
      name: "site-echo",
      domain: "echo.example",
      datacenter: "home",
      dns: { endpoint: pdns().apiUrl },
      externalServices: ["postgresql", "smtp"],
      protect: false,
      hosts: [sshdSiteHost(s, hostKey, "linux", "echo")],
      apps: [
        { app: "forgejo", host: "web", name: "echo-git" },
        { app: "hedgedoc", host: "web", name: "echo-pad" },
        { app: "planning", host: "web", name: "echo-plan" },
      ],
      identity: {
        admins: [{ username: "erin", email: "erin@echo.example" }],
        serviceAccounts: ["echo-git"],
      },
    });
    const t = await powerDnsStack("identity-site-stack", pdns(), async () => {
      const site = new Site("echo", {
        config,
        dns: { apiUrl: pdns().apiUrl, serverId: pdns().serverId },
        secrets: builtinSecrets(),
        hostSecretKeyPath: s.privateKeyPath,
      });
      return {
        zone: site.zoneName,
        issuerUrl: site.identity!.realm.issuerUrl,
        gitSecret: site.identity!.clientFor("echo-git")!.clientSecret,
      };
    });
    try {
      await configureKeycloak(t.stack, kc);

      // Before the apps' users exist, delivery refuses, naming the field, the user and the fix,
      // and writes nothing.
      for (const user of APP_USERS)
        await assert.rejects(runCommand("getent", ["passwd", user]), Error, `${user} must not exist yet`);
      await assert.rejects(
        t.stack.up({ color: "never" }),
        /owner: the user "(forgejo|hedgedoc)" that secret "echo-(git|pad)-oidc-client-secret" is delivered to does not exist on this host: install the app first .* or create it \(useradd --system/,
      );
      for (const app of ["echo-git", "echo-pad"]) assert.ok(!fs.existsSync(secretFile(app)));

      for (const user of APP_USERS) {
        await runCommand("useradd", ["--system", "--user-group", "--no-create-home", user]);
        madeUsers.push(user);
      }
      const up = await t.stack.up({ color: "never" });
      assert.strictEqual(up.summary.result, "succeeded");
      assert.ok(up.outputs.gitSecret.secret, "the client secret output is a secret");
      assert.deepStrictEqual(await dig(pdns(), "git.echo.example", "CNAME"), ["web.echo.example."]);

      // The realm, with a client for each OIDC app and none for planning (no OIDC in the catalog).
      const admin = adminFor(kc);
      const secrets: Record<string, string> = {};
      for (const [app, expected] of [
        ["echo-git", 1],
        ["echo-pad", 1],
        ["echo-plan", 0],
      ] as const) {
        const { data: clients } = await admin.api.GET("/admin/realms/{realm}/clients", {
          params: { path: { realm: "site-echo" }, query: { clientId: app } },
        });
        assert.strictEqual(clients?.length, expected, `clients named ${app}`);
        if (expected === 0) continue;
        const { data } = await admin.api.GET("/admin/realms/{realm}/clients/{id}/client-secret", {
          params: { path: { realm: "site-echo", id: clients![0].id! } },
        });
        secrets[app] = data!.value!;
      }

      // On the host: decrypted from ciphertext only this host's key opens, 0400, the app's user.
      for (const [app, user] of [
        ["echo-git", "forgejo"],
        ["echo-pad", "hedgedoc"],
      ]) {
        const opened = await openedOnlyByHostKey(
          path.join(STORE, `${app}-oidc-client-secret.age`),
          hostKeyPath,
        );
        assert.strictEqual(opened, secrets[app]);
        assert.strictEqual(fs.readFileSync(secretFile(app), "utf8"), secrets[app]);
        const { stdout } = await runCommand("stat", ["-c", "%a %U %G", secretFile(app)]);
        assert.strictEqual(stdout.trim(), `400 ${user} ${user}`);
      }

      // The delivered secret is the client's: a client-credentials grant at the running Keycloak,
      // its token verified against the realm's JWKS (and a forgery refused).
      const discovery = await discover(String(up.outputs.issuerUrl.value));
      const token = await grant(discovery, {
        grant_type: "client_credentials",
        client_id: "echo-git",
        client_secret: fs.readFileSync(secretFile("echo-git"), "utf8"),
      });
      const claims = await verifiedClaims(token, discovery);
      assert.strictEqual(claims.azp, "echo-git");
      assert.strictEqual(claims.iss, discovery.issuer);
      await assert.rejects(verifiedClaims(tampered(token), discovery), /does not verify/);
      await assert.rejects(
        grant(discovery, { grant_type: "client_credentials", client_id: "echo-git", client_secret: "wrong" }),
        /token grant refused \(401\)/,
      );

      // No client secret, password or private key in plain text in the exported state.
      const exported = cliStackExport(t.engine.env, t.workDir);
      assert.ok(exported.includes("echo-git"), "the export is the real state");
      const privateKeyBody = (file: string) =>
        fs
          .readFileSync(file, "utf8")
          .split("\n")
          .filter((l) => l && !l.startsWith("-----"))
          .join("");
      for (const [what, secret] of [
        ["forgejo's client secret", secrets["echo-git"]],
        ["hedgedoc's client secret", secrets["echo-pad"]],
        ["Keycloak's admin password", kc.adminPassword],
        ["PowerDNS's API key", pdns().apiKey],
        ["the host's private key", privateKeyBody(hostKeyPath).slice(0, 60)],
        ["the deployer's private key", privateKeyBody(s.privateKeyPath).slice(0, 60)],
      ])
        assert.ok(!exported.includes(secret), `${what} is not in \`pulumi stack export\``);

      await t.stack.destroy({ color: "never" });
      for (const app of ["echo-git", "echo-pad"]) {
        assert.ok(!fs.existsSync(secretFile(app)), "destroy removed the decrypted secret");
        assert.ok(!fs.existsSync(path.join(STORE, `${app}-oidc-client-secret.age`)));
      }
    } finally {
      await t.dispose();
    }
  });
});
