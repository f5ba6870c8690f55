/**
 * SiteInventoryRegistration with `objects: "collection"` through the real engine against a real
 * NetBox: the site's tags, VMs, interfaces and services are one NetboxObjectCollection, the
 * addresses sit on the interfaces it made, a second preview is empty, a destroy removes them.
 */
import * as assert from "assert";
import { useService } from "../../harness";
import type { TestStack } from "../../harness/workspace";
import { parseSiteConfig } from "../../../sdk/config";
import { SiteInventoryRegistration } from "../../../sdk/site/inventory";
import { clientFor, netboxStack, ownerOf, quiet } from "./helpers";

describe("site inventory as one NetBox object collection, through the real engine", function () {
  this.timeout(900_000);
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks) await t.dispose();
  });
  const netbox = useService("netbox", { timeoutMs: 30 * 60_000 });

  it("registers hosts and apps through one collection; addresses sit on its interfaces", async () => {
    const nb = netbox();
    const c = clientFor(nb);
    const config = parseSiteConfig({
      name: "invcoll",
      domain: "invcoll.example",
      datacenter: "hetzner",
      dns: { endpoint: "local" },
      hosts: [
        { name: "web1", kind: "existing", address: "192.0.2.31" },
        { name: "web2", kind: "existing", address: "192.0.2.32" },
      ],
      apps: [{ app: "forgejo", host: "web1" }],
      externalServices: ["postgresql", "smtp"],
      inventory: {},
    });
    const t = await netboxStack("nb-inv-coll", netbox, async () => {
      new SiteInventoryRegistration("inv", { config, netbox: { url: nb.url }, objects: "collection" });
    });
    stacks.push(t);
    const up = await t.stack.up(quiet);
    // Stack, component, site, cluster type, cluster, the collection, two addresses.
    assert.strictEqual(up.summary.resourceChanges?.create, 8, JSON.stringify(up.summary.resourceChanges));
    const vms = await c.list("virtualMachine", { name: ["web1.invcoll.example", "web2.invcoll.example"] });
    assert.deepStrictEqual(vms.map((v) => [v.name, v.cluster?.name, ownerOf(v)]).sort(), [
      ["web1.invcoll.example", "invcoll-hetzner", "sovereign-owner:nb-inv-coll/test/inv-objects"],
      ["web2.invcoll.example", "invcoll-hetzner", "sovereign-owner:nb-inv-coll/test/inv-objects"],
    ]);
    const web1 = vms.find((v) => v.name === "web1.invcoll.example")!;
    const [eth0] = await c.list("vmInterface", { virtual_machine_id: web1.id });
    const [ip] = await c.list("ipAddress", { address: "192.0.2.31/32" });
    assert.strictEqual(ip.assigned_object_id, eth0.id, "the address is on the collection's interface");
    const services = await c.list("service", { virtual_machine_id: web1.id });
    assert.ok(services.length > 0, "the app's services are registered");
    assert.ok(services.every((s) => s.tags?.some((x) => x.slug === "app-forgejo")));
    assert.deepStrictEqual((await t.stack.preview(quiet)).changeSummary, { same: 8 });

    await t.stack.destroy(quiet);
    assert.deepStrictEqual(
      await c.list("virtualMachine", { name: ["web1.invcoll.example", "web2.invcoll.example"] }),
      [],
    );
    assert.deepStrictEqual(await c.list("tag", { slug: "app-forgejo" }), []);
  });
});
