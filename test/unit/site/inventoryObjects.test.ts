/**
 * `Site`'s `inventoryObjects` option under pulumi's mocks: "collection" declares the site's tags,
 * VMs, interfaces and services as one NetboxObjectCollection (what large sites use to stay close
 * to the engine's floor, see README "Speed at scale"); the default keeps one resource per object.
 */
import * as assert from "assert";
import { promiseOf, recordingMocks, type CreatedResource } from "../../support/mocks";

const created: CreatedResource[] = [];

const rawSite = (name: string) => ({
  name,
  domain: `${name}.example`,
  datacenter: "home",
  dns: { endpoint: "http://127.0.0.1:8081" },
  externalServices: ["postgresql", "smtp", "redis", "objectStorage"],
  inventory: { url: "http://127.0.0.1:8000" },
  hosts: [
    { name: "web1", address: "192.0.2.10" },
    { name: "web2", address: "192.0.2.11" },
  ],
  apps: [
    { app: "forgejo", host: "web1" },
    { app: "hedgedoc", host: "web2", name: "pad" },
  ],
});

describe("Site inventoryObjects (mocks)", () => {
  let site: typeof import("../../../sdk/site/site");
  let config: typeof import("../../../sdk/config");
  let secrets: typeof import("../../../sdk/secrets");
  before(async () => {
    await recordingMocks(created, ({ name }) => ({ objectId: `${name}-id`, netboxId: 1 }));
    site = await import("../../../sdk/site/site");
    config = await import("../../../sdk/config");
    secrets = await import("../../../sdk/secrets");
  });

  const declare = async (name: string, inventoryObjects?: "resources" | "collection") => {
    const s = new site.Site(name, {
      config: config.parseSiteConfig(rawSite(name)),
      dns: { apiUrl: "http://127.0.0.1:8081" },
      inventory: { url: "http://127.0.0.1:8000" },
      secrets: secrets.builtinSecrets(),
      ...(inventoryObjects ? { inventoryObjects } : {}),
    });
    assert.ok(s.inventory, "the site registers in NetBox");
    await promiseOf(s.inventory.hostAddresses.web2);
    await new Promise((r) => setTimeout(r, 50));
    return created.filter((c) => c.name.startsWith(`${name}-inventory`)).map((c) => c.name);
  };

  it('"collection": the VMs, interfaces, tags and services are one NetboxObjectCollection', async () => {
    const names = await declare("big", "collection");
    const collections = created.filter((c) => c.name === "big-inventory-objects");
    assert.strictEqual(collections.length, 1, names.join(", "));
    const objects = JSON.stringify(collections[0].inputs.objects);
    for (const expected of ["web1.big.example", "web2.big.example", "forgejo"])
      assert.ok(objects.includes(expected), `${expected} is in the collection: ${objects}`);
    assert.ok(!names.some((n) => /-vm-/.test(n)), `no VM resource of its own: ${names.join(", ")}`);
  });

  it("default: one resource per VM, no collection", async () => {
    const names = await declare("small");
    assert.ok(!names.includes("small-inventory-objects"), names.join(", "));
    assert.ok(names.filter((n) => /web[12]/.test(n)).length >= 2, names.join(", "));
  });
});
