import * as assert from "assert";
import Ajv from "ajv";
import * as fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseSiteConfig, SiteConfigError } from "../../../sdk/config";
import { SITE_SCHEMA_FILE, siteSchemaText } from "../../../stacks/siteSchema";
import { repoRoot } from "../../harness/repo";

const valid = () => ({
  name: "ams1",
  domain: "coop.example",
  datacenter: "hetzner",
  dns: { endpoint: "local" },
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

  it("fills in defaults: app subdomain and name from the catalog, protect on", () => {
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
      dns: { ttl: 5, endpoint: "ftp://x" },
      hosts: [
        { name: "web1", address: "10.0.0.300" },
        { name: "web1", kind: "lxc", address: "192.0.2.1", proxmoxNode: "pve1" },
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
        "site.dns.endpoint",
        "site.dns.ttl",
        "site.domain",
        "site.hosts",
        "site.hosts[0].address",
        "site.hosts[1].kind",
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

  it("refuses unknown keys, each with the closest known key as a suggestion", () => {
    const problems = problemsOf({
      ...valid(),
      datacentre: "x",
      dns: { endpoint: "local", tll: 300 },
      hosts: [{ name: "web1", adress: "192.0.2.10", address: "192.0.2.10" }],
      apps: [{ app: "forgejo", host: "web1", subdomian: "code" }],
    });
    assert.deepStrictEqual([...problems].sort(), [
      'site.apps[0].subdomian: is not a known key; did you mean "subdomain"?',
      'site.datacentre: is not a known key; did you mean "datacenter"?',
      'site.dns.tll: is not a known key; did you mean "ttl"?',
      'site.hosts[0].adress: is not a known key; did you mean "address"?',
    ]);
    assert.match(
      problemsOf({ ...valid(), colour: "red" })[0],
      /^site\.colour: is not a known key; the keys here are name, domain, /,
    );
  });

  it("needs the DNS endpoint written out: no DNS section is an error, not the demo server", () => {
    for (const dns of [undefined, {}, { ttl: 300 }]) {
      const problems = problemsOf({ ...valid(), dns });
      assert.strictEqual(problems.length, 1, problems.join("\n"));
      assert.match(
        problems[0],
        /^site\.dns(\.endpoint)?: is required: write `endpoint: local` (under it )?for the PowerDNS that `npm run env -- up powerdns` starts, or the URL/,
      );
    }
    assert.match(
      problemsOf({ ...valid(), dns: { apiUrl: "https://ns1.coop.example:8081" } }).join("\n"),
      /site\.dns\.apiUrl: is not a known key; the PowerDNS URL is now written as `endpoint: "https:\/\/\.\.\."`/,
    );
    const remote = parseSiteConfig({ ...valid(), dns: { endpoint: "https://ns1.coop.example:8081/api/v1" } });
    assert.deepStrictEqual(remote.dns.endpoint, { apiUrl: "https://ns1.coop.example:8081" });
  });

  it("refuses host kinds that no component implements yet, saying what to use", () => {
    const problems = problemsOf({
      ...valid(),
      hosts: [{ name: "web1", kind: "vm", address: "192.0.2.10", proxmoxNode: "pve1" }],
    });
    assert.deepStrictEqual(problems, [
      'site.hosts[0].kind: "vm" hosts are not implemented yet (no component creates them); use kind: existing for a machine that already runs',
    ]);
  });

  it("checks values with the PowerDNS provider's normalisers and keeps their canonical form", () => {
    const site = parseSiteConfig({
      ...valid(),
      domain: "Coop.Example.",
      dns: { endpoint: "local", nameservers: ["NS1.Coop.Example"] },
      hosts: [{ name: "web1", address: "192.0.2.10", address6: "FD00:0:0::11" }],
    });
    assert.strictEqual(site.domain, "coop.example");
    assert.deepStrictEqual(site.dns.nameservers, ["ns1.coop.example."]);
    assert.strictEqual(site.hosts[0].address6, "fd00::11", "the form PowerDNS answers with: no diff later");
    const problems = problemsOf({
      ...valid(),
      dns: { endpoint: "local", nameservers: ["ns1..coop.example."] },
      hosts: [{ name: "web1", address: "192.0.2.10", address6: "192.0.2.11" }],
    });
    assert.deepStrictEqual(problems.map((p) => p.split(":")[0]).sort(), [
      "site.dns.nameservers",
      "site.hosts[0].address6",
    ]);
    assert.match(problems.join("\n"), /empty label \(two dots in a row\)/);
    assert.match(problems.join("\n"), /is an IPv4 address; put it in an A record/);
  });

  it("the committed JSON Schema for editors is what `npm run gen:site-schema` writes", () => {
    const committed = fs.readFileSync(path.join(repoRoot(), SITE_SCHEMA_FILE), "utf8");
    assert.ok(
      committed === siteSchemaText(),
      `${SITE_SCHEMA_FILE} is stale: run npm run gen:site-schema and commit it`,
    );
    const schema = JSON.parse(committed);
    const site = schema.properties.config.properties["sovereign:site"];
    assert.strictEqual(site.additionalProperties, false);
    assert.deepStrictEqual(site.properties.dns.required, ["endpoint"]);
    assert.deepStrictEqual(site.properties.hosts.items.properties.kind.enum, ["existing", "lxc", "vm"]);
    // What an editor does with it: the committed stack files pass, a typo is marked.
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const localStack = parse(
      fs.readFileSync(path.join(repoRoot(), "stacks", "Pulumi.local.yaml"), "utf8"),
    ) as {
      config: { "sovereign:site": { dns: Record<string, unknown> } };
    };
    assert.ok(validate(localStack), JSON.stringify(validate.errors));
    localStack.config["sovereign:site"].dns.tll = 300;
    assert.ok(!validate(localStack));
    assert.ok(
      validate.errors?.some(
        (e) => e.keyword === "additionalProperties" && e.params.additionalProperty === "tll",
      ),
    );
    for (const file of fs
      .readdirSync(path.join(repoRoot(), "stacks"))
      .filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
      const first = fs.readFileSync(path.join(repoRoot(), "stacks", file), "utf8").split("\n")[0];
      assert.strictEqual(
        first,
        "# yaml-language-server: $schema=./site.schema.json",
        `${file} names the schema`,
      );
    }
  });
});

describe("site config: datacenter, standby and migration", () => {
  it("defaults to retiring the source and a 60 s switch TTL", () => {
    assert.deepStrictEqual(parseSiteConfig(valid()).migration, { keepSource: false, switchTtl: 60 });
    assert.strictEqual(parseSiteConfig(valid()).standby, undefined);
  });

  it("reads standby and migration settings", () => {
    const parsed = parseSiteConfig({
      ...valid(),
      standby: "dc-b",
      migration: { keepSource: true, switchTtl: 30 },
    });
    assert.strictEqual(parsed.standby, "dc-b");
    assert.deepStrictEqual(parsed.migration, { keepSource: true, switchTtl: 30 });
  });

  it("refuses a standby equal to the datacenter and a bad switch TTL, naming the fields", () => {
    const problems = problemsOf({
      ...valid(),
      standby: "hetzner",
      migration: { switchTtl: 1, keepSorce: true },
    });
    assert.ok(
      problems.some((p) => /^site\.standby: is the same datacenter/.test(p)),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) => /^site\.migration\.switchTtl: must be at least 5/.test(p)),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) => /keepSorce.*keepSource/.test(p)),
      problems.join("\n"),
    );
  });
});
