import * as assert from "assert";
import { parseSiteConfig, SiteConfigError } from "../../../sdk/config";

const site = (over: Record<string, unknown> = {}, address = "192.0.2.10") => ({
  name: "ams1",
  domain: "coop.example",
  datacenter: "hetzner",
  dns: { endpoint: "local" },
  hosts: [{ name: "web1", kind: "existing", address }],
  apps: [{ app: "forgejo", host: "web1" }],
  // Forgejo needs a database and SMTP: provided from outside this site.
  externalServices: ["postgresql", "smtp"],
  ...over,
});

function problemsOf(raw: unknown): string {
  try {
    parseSiteConfig(raw);
  } catch (e) {
    assert.ok(e instanceof SiteConfigError);
    return e.problems.join("\n");
  }
  return "";
}

describe("site config: inventory", () => {
  it("takes an optional NetBox inventory, local or by URL, with a prefix", () => {
    assert.strictEqual(parseSiteConfig(site()).inventory, undefined);
    assert.deepStrictEqual(
      parseSiteConfig(site({ inventory: { prefix: "10.0.0.0/24" } }, "netbox")).inventory,
      {
        provider: "netbox",
        endpoint: "local",
        prefix: "10.0.0.0/24",
      },
    );
    const byUrl = parseSiteConfig(
      site({ inventory: { url: "https://netbox.coop.example", tokenConfig: "dc:nb" } }),
    );
    assert.deepStrictEqual(byUrl.inventory?.endpoint, { url: "https://netbox.coop.example" });
  });

  it("names the field and the fix for bad inventory settings", () => {
    const problems = problemsOf(
      site({ inventory: { provider: "phpipam", url: "ftp://x", prefix: "10.0.0/24", tokenConfig: "x" } }),
    );
    assert.match(problems, /site.inventory.provider: .*must be "netbox"/);
    assert.match(problems, /site.inventory.url: must be "local" or NetBox's http\(s\) URL/);
    assert.match(problems, /site.inventory.prefix: "10.0.0\/24" is not an IPv4 prefix/);
    assert.match(problems, /site.inventory.tokenConfig: must name a stack config key/);
    assert.match(
      problemsOf(site({}, "netbox")),
      /site.hosts\[0\].address: "netbox" takes the address from site.inventory.prefix, which is not set/,
    );
  });
});
