/** Every rendered host configuration parses with real Nix: the demo site's hosts and every catalog app. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { appIds, appDefinition } from "../../sdk/apps/catalog";
import { parseSiteConfig } from "../../sdk/config";
import { nixosModelOf } from "../../sdk/hosts/hostSpec";
import { renderNixosConfiguration } from "../../sdk/nix/nixos";
import { renderSiteHosts } from "../../sdk/site/hostConfigurations";
import { nixEvalJson, nixParse } from "../harness/nix";
import { repoRoot } from "../harness/repo";
import { TEST_KEY, webSpec } from "../hosts/fixtures";

/** The demo site's raw config (stacks/Pulumi.local.yaml). */
function demoSite(): Record<string, unknown> {
  const yaml = parse(fs.readFileSync(path.join(repoRoot(), "stacks", "Pulumi.local.yaml"), "utf8")) as {
    config: Record<string, Record<string, unknown>>;
  };
  return yaml.config["sovereign:site"];
}

function parseAll(files: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(files)) {
    const r = nixParse(text);
    assert.ok(r.ok, `${name} does not parse: ${r.stderr}\n${text}`);
  }
}

describe("rendered host configurations (real nix-instantiate)", function () {
  this.timeout(120_000);

  it("every host of the demo site (stacks/Pulumi.local.yaml) renders files that parse; facts evaluate", () => {
    const site = parseSiteConfig(demoSite());
    const rendered = renderSiteHosts(site);
    assert.deepStrictEqual(Object.keys(rendered).sort(), site.hosts.map((h) => h.name).sort());
    for (const [host, r] of Object.entries(rendered)) {
      parseAll(r.files);
      const facts = nixEvalJson(r.files["host-facts.nix"]) as { fqdn: string; apps: Record<string, unknown> };
      assert.strictEqual(facts.fqdn, `${host}.${site.domain}`);
      const apps = site.apps.filter((a) => a.host === host).map((a) => a.app);
      assert.deepStrictEqual(Object.keys(facts.apps).sort(), [...apps].sort());
      for (const app of apps) {
        const service = appDefinition(app).nixos?.module;
        if (service)
          assert.ok(r.files["configuration.nix"].includes(`${service.split(".")[1]}`), `${host}: ${service}`);
      }
    }
  });

  it("a host with every catalog app, datasets, users and a VM platform parses", () => {
    const spec = webSpec({
      apps: appIds.map((app) => ({ app, fqdn: `${app}.coop.test` })),
      placement: {
        kind: "proxmox-vm",
        node: "pve",
        cloneFrom: 9000,
        storage: "s",
        bridge: "b",
        memoryMiB: 65536,
        diskGiB: 1024,
      },
      ipv6: "2001:db8::10/64",
      gateway6: "2001:db8::1",
    });
    const r = renderNixosConfiguration({
      ...nixosModelOf(spec),
      users: [{ name: "alice", authorizedKeys: [TEST_KEY], extraGroups: ["wheel"] }],
    });
    parseAll(r.files);
    assert.match(r.files["configuration.nix"], /networking\.hostId|hostId = "[0-9a-f]{8}";/);
  });

  it("site modules are imported as they are and receive the facts as the hostFacts module argument", () => {
    const r = renderNixosConfiguration(nixosModelOf(webSpec()));
    assert.strictEqual(
      r.files["site-modules/motd.nix"],
      webSpec().extraModules?.[0] && "inline" in webSpec().extraModules![0]
        ? (webSpec().extraModules![0] as { inline: string }).inline
        : "",
    );
    assert.match(r.files["configuration.nix"], /\.\/site-modules\/motd\.nix/);
    assert.match(
      r.files["configuration.nix"],
      /_module = \{\n\s+args = \{\n\s+hostFacts = import \.\/host-facts\.nix;/,
    );
    // The module, applied to the facts, evaluates (no nixpkgs needed for this one).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-mod-"));
    try {
      for (const [n, t] of Object.entries(r.files)) {
        fs.mkdirSync(path.dirname(path.join(dir, n)), { recursive: true });
        fs.writeFileSync(path.join(dir, n), t);
      }
      const value = nixEvalJson(
        `(import ${dir}/site-modules/motd.nix) { hostFacts = import ${dir}/host-facts.nix; }`,
      );
      assert.deepStrictEqual(value, { users: { motd: "Welcome to web1.coop.test" } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a NixOS host that gets OIDC client secrets declares them for agenix, and real Nix reads the declarations", () => {
    // The demo site's identity settings, with its first host as an existing NixOS machine.
    const site = parseSiteConfig({
      ...demoSite(),
      externalServices: ["postgresql", "smtp"],
      identity: { admins: [] },
      hosts: [
        {
          name: "web1",
          address: "127.0.0.10",
          sshKeys: [TEST_KEY],
          placement: {
            kind: "existing",
            os: "nixos",
            ssh: { host: "127.0.0.10", hostKey: TEST_KEY },
            hostKeyPath: "/var/lib/keys/ssh_host_ed25519_key",
          },
        },
      ],
      apps: [{ app: "forgejo", host: "web1" }],
    });
    const r = renderSiteHosts(site).web1;
    parseAll(r.files);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-age-"));
    try {
      for (const [n, text] of Object.entries(r.files)) fs.writeFileSync(path.join(dir, n), text);
      // The module's own attribute set, applied to dummy arguments: only age.secrets is forced.
      const value = nixEvalJson(
        `((import ${dir}/configuration.nix) { config = {}; lib = {}; pkgs = {}; modulesPath = ""; }).age.secrets`,
      );
      assert.deepStrictEqual(value, {
        "forgejo-oidc-client-secret": {
          file: "/var/lib/sovereign/secrets/forgejo-oidc-client-secret.age",
          path: "/run/secrets/sovereign/forgejo/oidc-client-secret",
          owner: "forgejo",
          group: "forgejo",
          mode: "0400",
        },
      });
      // agenix's module is imported from the "agenix" channel (<agenix/modules/age.nix>), and it
      // decrypts with the host key the placement names.
      fs.mkdirSync(path.join(dir, "agenix", "modules"), { recursive: true });
      fs.writeFileSync(path.join(dir, "agenix", "modules", "age.nix"), "{ ... }: { }\n");
      const m = `((import ${dir}/configuration.nix) { config = {}; lib = {}; pkgs = {}; modulesPath = ""; })`;
      assert.deepStrictEqual(nixEvalJson(`map toString ${m}.imports`, [`agenix=${dir}/agenix`]), [
        `${dir}/agenix/modules/age.nix`,
      ]);
      assert.deepStrictEqual(nixEvalJson(`${m}.age.identityPaths`), ["/var/lib/keys/ssh_host_ed25519_key"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
