import * as assert from "assert";
import * as fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseSiteConfig, SiteConfigError } from "../../../sdk/config";
import { repoRoot } from "../../harness/repo";

const valid = () => ({
  name: "ams1",
  domain: "coop.example",
  datacenter: "hetzner",
  hosts: [{ name: "web1", kind: "existing", address: "192.0.2.10" }],
  apps: [{ app: "forgejo", host: "web1" }],
  externalServices: ["postgresql", "smtp"],
});

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseSiteConfig(raw);
  } catch (e) {
    assert.ok(e instanceof SiteConfigError, `expected SiteConfigError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail("expected the config to be rejected");
}

describe("parseSiteConfig", () => {
  it("accepts every committed stack config", () => {
    const dir = path.join(repoRoot(), "stacks");
    const files = fs.readdirSync(dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
    assert.ok(files.length > 0);
    for (const file of files) {
      const doc = parse(fs.readFileSync(path.join(dir, file), "utf8"));
      const site = parseSiteConfig(doc.config["sovereign:site"]);
      assert.ok(site.hosts.length > 0, file);
    }
  });

  it("fills in defaults: app subdomain and name from the catalog, DNS on local PowerDNS, protect on", () => {
    const site = parseSiteConfig(valid());
    assert.deepStrictEqual(site.apps, [{ name: "forgejo", app: "forgejo", host: "web1", subdomain: "git" }]);
    assert.strictEqual(site.dns.endpoint, "local");
    assert.strictEqual(site.dns.ttl, 3600);
    assert.strictEqual(site.protect, true);
  });

  it("stores an IDN domain as punycode without the trailing dot", () => {
    assert.strictEqual(
      parseSiteConfig({ ...valid(), domain: "bücher.example." }).domain,
      "xn--bcher-kva.example",
    );
  });

  it("refuses open-core apps and names what to use instead", () => {
    for (const app of ["gitlab", "Dovecot", "zimbra"]) {
      const problems = problemsOf({ ...valid(), apps: [{ app, host: "web1" }] });
      assert.strictEqual(problems.length, 1);
      assert.match(problems[0], /^site\.apps\[0\]\.app: .* is refused: open core\b.*; use .* instead$/);
    }
  });

  it("reports every problem at once, each naming its field", () => {
    const problems = problemsOf({
      name: "Bad Name",
      domain: "not a domain",
      datacenter: "x",
      dns: { ttl: 5, apiUrl: "ftp://x" },
      hosts: [
        { name: "web1", address: "10.0.0.300" },
        { name: "web1", kind: "lxc", address: "192.0.2.1" },
      ],
      apps: [{ app: "nosuchapp", host: "web1" }, { app: "hedgedoc", host: "nohost" }, "x"],
      externalServices: ["postgresql"],
    });
    const fields = problems.map((p) => p.split(":")[0]);
    assert.deepStrictEqual(
      fields.sort(),
      [
        "site.apps[0].app",
        "site.apps[1].host",
        "site.apps[2]",
        "site.dns.apiUrl",
        "site.dns.ttl",
        "site.domain",
        "site.hosts",
        "site.hosts[0].address",
        "site.hosts[1].proxmoxNode",
        "site.name",
      ].sort(),
    );
  });

  it("explains a missing site config", () => {
    assert.throws(() => parseSiteConfig(undefined), /sovereign:site/);
  });

  it("rejects any host address that is not IPv4, and accepts every one that is", () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        parseSiteConfig({ ...valid(), hosts: [{ name: "web1", address }] });
      }),
    );
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^\d+\.\d+\.\d+\.\d+$/.test(s)),
        (address) => problemsOf({ ...valid(), hosts: [{ name: "web1", address }] }).length >= 1,
      ),
    );
  });
});
