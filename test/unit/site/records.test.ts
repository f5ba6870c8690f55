import * as assert from "assert";
import * as fc from "fast-check";
import { appDefinition, appIds } from "../../../sdk/apps/catalog";
import { DEPENDENCIES } from "../../../sdk/apps/types";
import { parseSiteConfig, SiteConfigError } from "../../../sdk/config";
import { appUrls, planSiteRecords } from "../../../sdk/site/records";

// Host names sometimes equal an app's subdomain, which the config must reject.
const hostName = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.constantFrom("git", "cloud", "pad"));

/** Random raw site configs: hosts with names and addresses, apps placed on those hosts. */
const rawSite = fc
  .uniqueArray(
    fc.record({ name: hostName, address: fc.ipV4(), address6: fc.option(fc.ipV6(), { nil: undefined }) }),
    {
      minLength: 1,
      maxLength: 5,
      selector: (h) => h.name,
    },
  )
  // Each host its own addresses: the config refuses two hosts that share one (hostSpec.ts).
  .filter((hosts) => {
    const addresses = hosts.flatMap((h) => [h.address, h.address6?.toLowerCase()]).filter(Boolean);
    return new Set(addresses).size === addresses.length;
  })
  .chain((hosts) =>
    fc.record({
      name: fc.constant("s1"),
      domain: fc.constant("coop.example"),
      datacenter: fc.constant("dc"),
      dns: fc.constant({ endpoint: "local" }),
      hosts: fc.constant(hosts),
      apps: fc.uniqueArray(
        fc
          .record({ app: fc.constantFrom(...appIds), host: fc.constantFrom(...hosts.map((h) => h.name)) })
          // Federating apps need their own identity domain; the others have none.
          .map((a) =>
            appDefinition(a.app).federation.length > 0 ? { ...a, domain: `${a.app}.coop.example` } : a,
          ),
        { selector: (a) => a.app, maxLength: 6 },
      ),
      // Every dependency provided from outside, so that only the DNS rules decide here.
      externalServices: fc.constant([...DEPENDENCIES]),
    }),
  );

describe("planSiteRecords", () => {
  it("points every app at a host that has an A record, and never puts a CNAME beside other records", () => {
    let rejected = 0;
    fc.assert(
      fc.property(rawSite, (raw) => {
        let site;
        try {
          site = parseSiteConfig(raw);
        } catch (e) {
          // A host named like an app's subdomain is rejected by the config; nothing to plan then.
          assert.ok(e instanceof SiteConfigError && /also a host name/.test(e.message), String(e));
          rejected++;
          return;
        }
        const plan = planSiteRecords(site);
        const aNames = new Set(plan.filter((r) => r.type === "A").map((r) => `${r.name}.${site.domain}.`));
        for (const r of plan.filter((r) => r.type === "CNAME")) {
          assert.ok(aNames.has(r.records[0]), `${r.name} -> ${r.records[0]} has no A record`);
          assert.strictEqual(
            plan.filter((o) => o.name === r.name).length,
            1,
            `CNAME ${r.name} shares its name`,
          );
        }
        assert.strictEqual(plan.filter((r) => r.type === "A").length, site.hosts.length);
      }),
      { numRuns: 300 },
    );
    assert.ok(rejected > 0, "the generator never produced a host/subdomain clash");
  });

  it("gives each app its https URL under the site's domain", () => {
    const site = parseSiteConfig({
      name: "s1",
      domain: "coop.example",
      datacenter: "dc",
      dns: { endpoint: "local" },
      hosts: [{ name: "web1", address: "192.0.2.1" }],
      apps: [{ app: "nextcloud", host: "web1" }],
      externalServices: ["postgresql", "smtp", "objectStorage"],
    });
    assert.deepStrictEqual(appUrls(site), { nextcloud: "https://cloud.coop.example/" });
  });
});
