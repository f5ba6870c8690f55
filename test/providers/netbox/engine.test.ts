/**
 * The NetBox providers through the real Pulumi engine (Automation API, inline programs, local
 * backend) against a real NetBox 4.7 (test/harness/netbox.ts). What NetBox holds is read from
 * NetBox itself, never from our state.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { startNetbox, useService } from "../../harness";
import { assertNoPlaintextSecrets } from "../../harness/stateFiles";
import type { TestStack } from "../../harness/workspace";
import {
  NetboxCluster,
  NetboxClusterType,
  NetboxIpAddress,
  NetboxIpAllocation,
  NetboxPrefix,
  NetboxService,
  NetboxSite,
  NetboxTag,
  NetboxVirtualMachine,
  NetboxVmInterface,
} from "../../../providers/netbox";
import { addressesIn, clientFor, expectFailure, netboxStack, ownerOf, quiet } from "./helpers";

interface LifecycleSpec {
  description: string;
  ports: number[];
  vcpus: number;
  withService: boolean;
}

describe("NetBox providers through the real engine", function () {
  this.timeout(900_000);
  const stacks: TestStack[] = [];
  // Registered before useService's own `after`: stacks are destroyed while NetBox still runs.
  after(async () => {
    const failures: string[] = [];
    for (const t of stacks) await t.dispose().catch((e: Error) => failures.push(e.message));
    assert.deepStrictEqual(failures, [], "every stack was destroyed");
  });
  // The run's shared NetBox: these tests leave it running and use names of their own.
  const netbox = useService("netbox", { timeoutMs: 30 * 60_000 });
  const track = (t: TestStack): TestStack => (stacks.push(t), t);

  it("creates, updates and deletes every kind of object; each carries its owner; no token in the state", async () => {
    const nb = netbox();
    const url = nb.url;
    let spec: LifecycleSpec = { description: "first", ports: [443], vcpus: 2, withService: true };
    const t = track(
      await netboxStack("nb-lifecycle", netbox, async () => {
        const tag = new NetboxTag("tag", { url, name: "app-forgejo", slug: "app-forgejo", color: "336699" });
        const site = new NetboxSite("site", {
          url,
          name: "Lifecycle",
          slug: "lifecycle",
          status: "active",
          description: spec.description,
          tags: [],
        });
        const type = new NetboxClusterType("type", { url, name: "LXC", slug: "lxc" });
        const cluster = new NetboxCluster("cluster", {
          url,
          name: "lifecycle-dc1",
          type: type.netboxId,
          site: site.netboxId,
        });
        const vm = new NetboxVirtualMachine("vm", {
          url,
          name: "web1.lifecycle",
          cluster: cluster.netboxId,
          site: site.netboxId,
          vcpus: spec.vcpus,
          memory: 2048,
        });
        const eth0 = new NetboxVmInterface("eth0", { url, virtualMachine: vm.netboxId, name: "eth0" });
        const prefix = new NetboxPrefix("prefix", {
          url,
          prefix: "10.77.0.0/24",
          site: site.netboxId,
          status: "active",
        });
        const ip = new NetboxIpAddress("ip", {
          url,
          address: "10.77.0.10/24",
          interface: eth0.netboxId,
          withinPrefix: "10.77.0.0/24",
          dnsName: "web1.lifecycle.test",
        });
        const alloc = new NetboxIpAllocation("alloc", {
          url,
          prefix: prefix.netboxId,
          interface: eth0.netboxId,
          description: spec.description,
        });
        if (spec.withService)
          new NetboxService(
            "svc",
            {
              url,
              virtualMachine: vm.netboxId,
              name: "forgejo",
              protocol: "tcp",
              ports: spec.ports,
              tags: ["app-forgejo"],
            },
            { dependsOn: [tag] },
          );
        return {
          siteId: site.netboxId,
          vmId: vm.netboxId,
          ipId: ip.netboxId,
          allocated: alloc.address,
          display: pulumi.output(vm.display),
        };
      }),
    );
    const up1 = await t.stack.up(quiet);
    assert.strictEqual(up1.summary.resourceChanges?.create, 11, JSON.stringify(up1.summary.resourceChanges));

    const c = clientFor(nb);
    const [site] = await c.list("site", { slug: "lifecycle" });
    assert.strictEqual(site.description, "first");
    assert.strictEqual(ownerOf(site), "sovereign-owner:nb-lifecycle/test/site");
    const [vm] = await c.list("virtualMachine", { name: "web1.lifecycle" });
    assert.strictEqual(vm.cluster?.name, "lifecycle-dc1");
    assert.strictEqual(vm.vcpus, 2);
    const [cluster] = await c.list("cluster", { name: "lifecycle-dc1" });
    assert.strictEqual(cluster.scope_id, site.id, "the cluster is scoped to the site");
    const [eth0] = await c.list("vmInterface", { virtual_machine_id: vm.id });
    const ips = await addressesIn(c, "10.77.0.0/24");
    assert.deepStrictEqual(ips.map((i) => i.address).sort(), ["10.77.0.1/24", "10.77.0.10/24"]);
    assert.ok(
      ips.every((i) => i.assigned_object_id === eth0.id),
      "both addresses are on eth0",
    );
    const [svc] = await c.list("service", { virtual_machine_id: vm.id });
    assert.deepStrictEqual(
      [svc.name, svc.ports, svc.tags?.map((x) => x.slug)],
      ["forgejo", [443], ["app-forgejo"]],
    );
    const [tag] = await c.list("tag", { slug: "app-forgejo" });
    assert.strictEqual(tag.description, "sovereign-owner:nb-lifecycle/test/tag");
    assert.strictEqual(up1.outputs.allocated.value, "10.77.0.1/24");

    const same = await t.stack.up(quiet);
    assert.deepStrictEqual(same.summary.resourceChanges, { same: 11 });

    spec = { description: "second", ports: [443, 80], vcpus: 4, withService: true };
    const up2 = await t.stack.up(quiet);
    assert.deepStrictEqual(up2.summary.resourceChanges, { update: 4, same: 7 });
    assert.strictEqual((await c.get("site", site.id))?.description, "second");
    assert.strictEqual((await c.get("virtualMachine", vm.id))?.vcpus, 4);
    assert.deepStrictEqual((await c.get("service", svc.id))?.ports, [80, 443]);

    spec = { ...spec, withService: false };
    const up3 = await t.stack.up(quiet);
    assert.deepStrictEqual(up3.summary.resourceChanges, { delete: 1, same: 10 });
    assert.strictEqual(await c.get("service", svc.id), undefined);

    // The token: encrypted in every file the backend wrote, and in a user's `pulumi stack export`.
    assertNoPlaintextSecrets(t, "lifecycle-dc1", { "API token": nb.token.split(".")[1] });

    await t.stack.destroy(quiet);
    assert.deepStrictEqual(await c.list("site", { slug: "lifecycle" }), []);
    assert.deepStrictEqual(await addressesIn(c, "10.77.0.0/24"), []);
    assert.deepStrictEqual(await c.list("tag", { slug: "app-forgejo" }), []);
    assert.deepStrictEqual(await c.list("clusterType", { slug: "lxc" }), []);
  });

  it("allocations: 20 in parallel get 20 distinct addresses, a re-run keeps them, a delete frees one", async () => {
    const nb = netbox();
    const c = clientFor(nb);
    let count = 20;
    const t = track(
      await netboxStack("nb-alloc", netbox, async () => {
        const prefix = new NetboxPrefix("pool", { url: nb.url, prefix: "10.88.0.0/24" });
        const out: Record<string, pulumi.Output<string>> = {};
        for (let i = 0; i < count; i++)
          out[`a${i}`] = new NetboxIpAllocation(`a${i}`, {
            url: nb.url,
            prefix: prefix.netboxId,
            description: `alloc ${i}`,
          }).address;
        return out;
      }),
    );
    await t.stack.up(quiet);
    const first = await addressesIn(c, "10.88.0.0/24");
    const firstSet = first.map((ip) => ip.address).sort();
    assert.strictEqual(first.length, 20, "NetBox holds 20 addresses");
    assert.strictEqual(new Set(firstSet).size, 20, "all distinct");
    assert.ok(first.every((ip) => String(ownerOf(ip)).startsWith("sovereign-owner:nb-alloc/test/a")));

    const again = await t.stack.up(quiet);
    assert.deepStrictEqual(again.summary.resourceChanges, { same: 22 }); // 20 allocations, the prefix, the stack
    assert.deepStrictEqual(
      (await addressesIn(c, "10.88.0.0/24")).map((ip) => ip.address).sort(),
      firstSet,
      "a re-run keeps them",
    );

    count = 19; // a19 goes: its address is freed
    const outputsBefore = await t.stack.outputs();
    const freed = String(outputsBefore.a19.value);
    await t.stack.up(quiet);
    const after = (await addressesIn(c, "10.88.0.0/24")).map((ip) => ip.address);
    assert.strictEqual(after.length, 19);
    assert.ok(!after.includes(freed), `${freed} was freed`);
    count = 20; // taking one again reuses the freed address: the lowest free one
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.outputs.a19.value, freed);
  });

  it("refresh finds an object edited in NetBox, and up repairs it", async () => {
    const nb = netbox();
    const c = clientFor(nb);
    const t = track(
      await netboxStack("nb-drift", netbox, async () => {
        const type = new NetboxClusterType("type", { url: nb.url, name: "KVM drift", slug: "kvm-drift" });
        new NetboxSite("site", {
          url: nb.url,
          name: "Drift",
          slug: "drift",
          status: "active",
          description: "as declared",
        });
        new NetboxCluster("cluster", {
          url: nb.url,
          name: "drift-c1",
          type: type.netboxId,
          status: "active",
        });
      }),
    );
    await t.stack.up(quiet);
    const [site] = await c.list("site", { slug: "drift" });
    const [cluster] = await c.list("cluster", { name: "drift-c1" });
    const [other] = await Promise.all([
      c.create("clusterType", { name: "Other", slug: "other-drift" }),
      c.update("site", site.id, { description: "edited by hand", status: "planned" }),
    ]);
    await c.update("cluster", cluster.id, { type: other.id });

    const refresh = await t.stack.refresh(quiet);
    // The site and the cluster changed in NetBox (the cluster type and the stack did not).
    assert.deepStrictEqual(refresh.summary.resourceChanges, { update: 2, same: 2 });
    const preview = await t.stack.preview(quiet);
    assert.deepStrictEqual(preview.changeSummary, { update: 2, same: 2 });
    await t.stack.up(quiet);
    const repaired = await c.get("site", site.id);
    assert.deepStrictEqual([repaired?.description, repaired?.status?.value], ["as declared", "active"]);
    assert.strictEqual((await c.get("cluster", cluster.id))?.type.slug, "kvm-drift");
    await c.remove("clusterType", other.id);
  });
});

describe("NetBox providers through the real engine: NetBox goes down mid-up", function () {
  this.timeout(900_000);
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks) await t.dispose();
  });
  // A private NetBox: this test stops and restarts its web server.
  const netbox = useService(() => startNetbox(), { timeoutMs: 30 * 60_000 });
  const track = (t: TestStack): TestStack => (stacks.push(t), t);

  it("NetBox stopped mid-up: a clear error; the next up converges without duplicates", async () => {
    const nb = netbox();
    const c = clientFor(nb);
    const t = track(
      await netboxStack("nb-outage", netbox, async () => {
        const site = new NetboxSite("site", { url: nb.url, name: "Outage", slug: "outage" });
        const type = new NetboxClusterType("type", { url: nb.url, name: "Outage type", slug: "outage-type" });
        const cluster = new NetboxCluster("cluster", {
          url: nb.url,
          name: "outage-c1",
          type: type.netboxId,
          site: site.netboxId,
        });
        const prefix = new NetboxPrefix("pool", { url: nb.url, prefix: "10.99.0.0/24" });
        for (let i = 0; i < 15; i++) {
          const vm = new NetboxVirtualMachine(`vm${i}`, {
            url: nb.url,
            name: `outage-vm${i}`,
            cluster: cluster.netboxId,
          });
          const eth0 = new NetboxVmInterface(`if${i}`, {
            url: nb.url,
            virtualMachine: vm.netboxId,
            name: "eth0",
          });
          new NetboxIpAllocation(`ip${i}`, {
            url: nb.url,
            prefix: prefix.netboxId,
            interface: eth0.netboxId,
          });
        }
      }),
    );
    // Stop the server as soon as the first VM exists in NetBox.
    const stopper = (async () => {
      for (;;) {
        const vms = await c.list("virtualMachine", { name__isw: "outage-vm" }).catch(() => []);
        if (vms.length > 0) return nb.stopServer();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await expectFailure(
      () => t.stack.up(quiet),
      /NetBox API .* did not answer: ECONNREFUSED/,
      /Is NetBox running at/,
    );
    await stopper;
    await nb.restartServer();
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.summary.result, "succeeded");
    const vms = await c.list("virtualMachine", { name__isw: "outage-vm" });
    assert.strictEqual(vms.length, 15, "one VM each, no duplicates");
    const ips = await addressesIn(c, "10.99.0.0/24");
    assert.strictEqual(ips.length, 15, "one address per allocation, no duplicates");
    assert.strictEqual(new Set(ips.map((i) => i.address)).size, 15);
    assert.ok(
      ips.every((ip) => ip.assigned_object_id !== null),
      "each on its interface",
    );
    const again = await t.stack.up(quiet);
    assert.deepStrictEqual(again.summary.resourceChanges, { same: 50 });
  });
});
