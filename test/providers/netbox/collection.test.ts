/**
 * NetboxObjectCollection (many NetBox objects as one resource) through the real engine against a
 * real NetBox 4.7: create, update and delete with one bulk request per object type and operation
 * (counted from the provider process's request log), every object owner-marked, the preview
 * naming each object that changes, another stack's object refused (naming its owner, nothing
 * made), adopt, a delete that leaves what was taken back, drift found by refresh and repaired,
 * bad input refused at preview. What NetBox holds is read from NetBox, never from our state.
 */
import { assertNoPlaintextSecrets } from "../../harness/stateFiles";
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { useService } from "../../harness";
import type { TestStack } from "../../harness/workspace";
import {
  NetboxObjectCollection,
  NetboxVirtualMachine,
  type NetboxCollectionObject,
} from "../../../providers/netbox";
import { clientFor, expectFailure, netboxStack, ownerOf, quiet } from "./helpers";

/** "POST /api/ipam/services/" lines of a request log, query strings dropped, counted. */
function counted(lines: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) {
    const key = l.split("?")[0];
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Requests of one method, query strings dropped (the owner custom field, made once per NetBox, left out). */
const ofMethod = (lines: string[], method: string): string[] =>
  lines
    .filter((l) => l.startsWith(`${method} `) && !l.includes("/custom-fields/"))
    .map((l) => l.split("?")[0]);

describe("NetBox object collection through the real engine", function () {
  this.timeout(900_000);
  const stacks: TestStack[] = [];
  after(async () => {
    const failures: string[] = [];
    for (const t of stacks.reverse()) await t.dispose().catch((e: Error) => failures.push(e.message));
    assert.deepStrictEqual(failures, [], "every stack was destroyed");
  });
  const netbox = useService("netbox", { timeoutMs: 30 * 60_000 });
  const track = (t: TestStack): TestStack => (stacks.push(t), t);

  /** Runs `work` with the provider processes logging their NetBox requests; returns the lines. */
  async function logged(t: TestStack, work: () => Promise<unknown>): Promise<string[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nb-coll-"));
    const env = (t.stack.workspace as LocalWorkspace).envVars;
    const file = path.join(dir, "requests.log");
    env.SOVEREIGN_NETBOX_REQUEST_LOG = file;
    try {
      await work();
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    } finally {
      delete env.SOVEREIGN_NETBOX_REQUEST_LOG;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("creates, updates and deletes with one bulk request per object type and operation; every object carries the owner", async () => {
    const nb = netbox();
    const c = clientFor(nb);
    const vms = ["coll-web1", "coll-web2", "coll-web3"];
    let objects: NetboxCollectionObject[] = [
      { kind: "tag", name: "coll-app", slug: "coll-app", color: "336699" },
      { kind: "clusterType", name: "Coll LXC", slug: "coll-lxc" },
      { kind: "cluster", name: "coll-dc1", type: "coll-lxc" },
      ...vms.map((name): NetboxCollectionObject => ({
        kind: "virtualMachine",
        name,
        cluster: "coll-dc1",
        vcpus: 2,
      })),
      ...vms.flatMap((vm, i): NetboxCollectionObject[] => [
        {
          kind: "service",
          virtualMachine: vm,
          name: "https",
          protocol: "tcp",
          ports: [443],
          tags: ["coll-app"],
        },
        { kind: "service", virtualMachine: vm, name: `app${i}`, protocol: "tcp", ports: [8000 + i] },
      ]),
    ];
    const t = track(
      await netboxStack("nb-coll", netbox, async () => {
        const coll = new NetboxObjectCollection("inventory", { url: nb.url, objects });
        return { web1: coll.netboxIds.apply((ids) => ids["vm coll-web1"]) };
      }),
    );
    const created = await logged(t, () => t.stack.up(quiet));
    assert.deepStrictEqual(
      ofMethod(created, "POST"),
      [
        "POST /api/extras/tags/",
        "POST /api/virtualization/cluster-types/",
        "POST /api/virtualization/clusters/",
        "POST /api/virtualization/virtual-machines/",
        "POST /api/ipam/services/",
      ],
      "one bulk POST per object type, in dependency order",
    );
    // The token: encrypted in every file the backend wrote, and in a user's `pulumi stack export`.
    assertNoPlaintextSecrets(t, "coll-dc1", { "API token": nb.token.split(".")[1] });
    const gets = ofMethod(created, "GET");
    assert.ok(gets.length <= 12, `at most a few reads: ${JSON.stringify(counted(gets))}`);
    assert.ok(
      !gets.some((g) => /\/\d+\/$/.test(g)),
      `no read of a single object: ${JSON.stringify(counted(gets))}`,
    );

    const owner = "sovereign-owner:nb-coll/test/inventory";
    const vmObjs = await c.list("virtualMachine", { name: vms });
    assert.deepStrictEqual(vmObjs.map((v) => [v.name, v.cluster?.name, v.vcpus, ownerOf(v)]).sort(), [
      ["coll-web1", "coll-dc1", 2, owner],
      ["coll-web2", "coll-dc1", 2, owner],
      ["coll-web3", "coll-dc1", 2, owner],
    ]);
    const web1 = vmObjs.find((v) => v.name === "coll-web1")!;
    assert.strictEqual((await t.stack.outputs()).web1.value, web1.id, "netboxIds names each object's id");
    const services = await c.list("service", { virtual_machine_id: web1.id });
    assert.deepStrictEqual(
      services.map((s) => [s.name, s.ports, s.tags?.map((x) => x.slug), ownerOf(s)]).sort(),
      [
        ["app0", [8000], [], owner],
        ["https", [443], ["coll-app"], owner],
      ],
    );
    const [tag] = await c.list("tag", { slug: "coll-app" });
    assert.strictEqual(tag.description, owner);
    const [type] = await c.list("clusterType", { slug: "coll-lxc" });
    assert.strictEqual(ownerOf(type), owner);

    const same = await logged(t, () => t.stack.preview(quiet));
    assert.deepStrictEqual(same.length, 0, `a no-change preview asks NetBox nothing: ${same.join(", ")}`);

    // web2 gets 4 vCPUs, web1's app0 another port, web3's app2 goes, a new service on web1.
    objects = objects
      .filter((o) => !(o.kind === "service" && o.name === "app2"))
      .map((o) =>
        o.kind === "virtualMachine" && o.name === "coll-web2"
          ? { ...o, vcpus: 4 }
          : o.kind === "service" && o.name === "app0"
            ? { ...o, ports: [8080] }
            : o,
      );
    objects.push({
      kind: "service",
      virtualMachine: "coll-web1",
      name: "metrics",
      protocol: "tcp",
      ports: [9100],
    });
    const preview = await t.stack.preview({ ...quiet, diff: true });
    for (const key of [
      "vm coll-web2",
      "service coll-web1/app0",
      "service coll-web3/app2",
      "service coll-web1/metrics",
    ])
      assert.ok(preview.stdout.includes(key), `the preview names ${key}:\n${preview.stdout}`);
    assert.ok(!preview.stdout.includes('"vm coll-web1"'), "an unchanged object is not listed");
    const updated = await logged(t, () => t.stack.up(quiet));
    const writes = ["POST", "PATCH", "DELETE"].flatMap((m) => ofMethod(updated, m));
    assert.deepStrictEqual(writes.sort(), [
      "DELETE /api/ipam/services/",
      "PATCH /api/ipam/services/",
      "PATCH /api/virtualization/virtual-machines/",
      "POST /api/ipam/services/",
    ]);
    const web3 = vmObjs.find((v) => v.name === "coll-web3")!;
    assert.deepStrictEqual(
      (await c.list("service", { virtual_machine_id: web3.id })).map((s) => s.name),
      ["https"],
    );
    assert.deepStrictEqual(
      (await c.list("service", { virtual_machine_id: web1.id })).map((s) => [s.name, s.ports]).sort(),
      [
        ["app0", [8080]],
        ["https", [443]],
        ["metrics", [9100]],
      ],
    );
    assert.strictEqual((await c.list("virtualMachine", { name: "coll-web2" }))[0].vcpus, 4);

    const destroyed = await logged(t, () => t.stack.destroy(quiet));
    assert.deepStrictEqual(ofMethod(destroyed, "DELETE"), [
      "DELETE /api/ipam/services/",
      "DELETE /api/virtualization/virtual-machines/",
      "DELETE /api/virtualization/clusters/",
      "DELETE /api/virtualization/cluster-types/",
      "DELETE /api/extras/tags/",
    ]);
    assert.deepStrictEqual(await c.list("virtualMachine", { name: vms }), []);
    assert.deepStrictEqual(await c.list("clusterType", { slug: "coll-lxc" }), []);
    assert.deepStrictEqual(await c.list("tag", { slug: "coll-app" }), []);
  });

  it("refuses another stack's object naming its owner (nothing made); adopt takes it; a delete leaves what was taken back", async () => {
    const nb = netbox();
    const c = clientFor(nb);
    const other = track(
      await netboxStack("nb-coll-other", netbox, async () => {
        new NetboxVirtualMachine("vm", { url: nb.url, name: "coll-shared", cluster: "coll-own-c", vcpus: 1 });
      }),
    );
    let adopt = false;
    let withShared = true;
    const mine = track(
      await netboxStack("nb-coll-mine", netbox, async () => {
        new NetboxObjectCollection("inventory", {
          url: nb.url,
          adopt,
          objects: [
            { kind: "clusterType", name: "Coll own", slug: "coll-own" },
            { kind: "cluster", name: "coll-own-c", type: "coll-own" },
            { kind: "virtualMachine", name: "coll-new", cluster: "coll-own-c" },
            ...(withShared
              ? [{ kind: "virtualMachine" as const, name: "coll-shared", cluster: "coll-own-c", vcpus: 8 }]
              : []),
          ],
        });
      }),
    );
    // The other stack's VM lives in a cluster this collection declares: make that first, without it.
    withShared = false;
    await mine.stack.up(quiet);
    await other.stack.up(quiet);
    withShared = true;
    const refusal =
      /vm coll-shared.*belongs to "nb-coll-other\/test\/vm", not to "nb-coll-mine\/test\/inventory".*adopt: true/;
    await expectFailure(() => mine.stack.preview(quiet), refusal);
    await expectFailure(() => mine.stack.up(quiet), refusal);
    const [still] = await c.list("virtualMachine", { name: "coll-shared" });
    assert.deepStrictEqual([still.vcpus, ownerOf(still)], [1, "sovereign-owner:nb-coll-other/test/vm"]);

    adopt = true;
    await mine.stack.up(quiet);
    const [adopted] = await c.list("virtualMachine", { name: "coll-shared" });
    assert.deepStrictEqual(
      [adopted.vcpus, ownerOf(adopted)],
      [8, "sovereign-owner:nb-coll-mine/test/inventory"],
    );

    // Someone marks it as the other stack's again; this collection then drops it: left in place,
    // with a warning.
    await c.update("virtualMachine", adopted.id, {
      custom_fields: { sovereign_owner: "sovereign-owner:nb-coll-other/test/vm" },
    });
    withShared = false;
    const up = await mine.stack.up(quiet);
    assert.match(
      up.stderr + up.stdout,
      /vm coll-shared.*left in place: it now belongs to "nb-coll-other\/test\/vm"/,
    );
    const [kept] = await c.list("virtualMachine", { name: "coll-shared" });
    assert.strictEqual(ownerOf(kept), "sovereign-owner:nb-coll-other/test/vm");
    await other.stack.destroy(quiet);
    await mine.stack.destroy(quiet);
    assert.deepStrictEqual(await c.list("virtualMachine", { name: ["coll-shared", "coll-new"] }), []);
  });

  it("refresh sees an object edited, deleted or taken over in NetBox; up repairs and re-creates", async () => {
    const nb = netbox();
    const c = clientFor(nb);
    const t = track(
      await netboxStack("nb-coll-drift", netbox, async () => {
        new NetboxObjectCollection("inventory", {
          url: nb.url,
          objects: [
            { kind: "clusterType", name: "Coll drift", slug: "coll-drift" },
            { kind: "cluster", name: "coll-drift-c", type: "coll-drift", description: "as declared" },
            { kind: "virtualMachine", name: "coll-drift-vm", cluster: "coll-drift-c", vcpus: 2 },
            { kind: "service", virtualMachine: "coll-drift-vm", name: "ssh", protocol: "tcp", ports: [22] },
          ],
        });
      }),
    );
    await t.stack.up(quiet);
    const [vm] = await c.list("virtualMachine", { name: "coll-drift-vm" });
    const [svc] = await c.list("service", { virtual_machine_id: vm.id });
    const [cluster] = await c.list("cluster", { name: "coll-drift-c" });
    await c.update("virtualMachine", vm.id, { vcpus: 6 });
    await c.remove("service", svc.id);
    await c.update("cluster", cluster.id, { description: "edited by hand" });

    const refresh = await logged(t, () => t.stack.refresh(quiet));
    assert.ok(
      ofMethod(refresh, "GET").filter((g) => !g.includes("/status/")).length <= 4,
      `one listing per object type: ${JSON.stringify(counted(refresh))}`,
    );
    const resources = (await t.stack.exportStack()).deployment.resources as {
      type: string;
      outputs?: { objects?: Record<string, { vcpus?: number }> };
    }[];
    const outputs = resources.find((r) => r.type.endsWith("ObjectCollection"))?.outputs?.objects ?? {};
    assert.strictEqual(outputs["vm coll-drift-vm"]?.vcpus, 6, "the refreshed state holds NetBox's vCPUs");
    assert.ok(!("service coll-drift-vm/ssh" in outputs), "the deleted service dropped out of the state");
    const preview = await t.stack.preview({ ...quiet, diff: true });
    assert.match(preview.stdout, /service coll-drift-vm\/ssh/);
    await t.stack.up(quiet);
    assert.strictEqual((await c.get("virtualMachine", vm.id))?.vcpus, 2, "the vCPUs are repaired");
    assert.strictEqual((await c.get("cluster", cluster.id))?.description, "as declared");
    assert.deepStrictEqual(
      (await c.list("service", { virtual_machine_id: vm.id })).map((s) => s.ports),
      [[22]],
    );
    assert.strictEqual(
      (await t.stack.preview(quiet)).changeSummary.update ?? 0,
      0,
      "then a preview is empty",
    );
  });

  it("bad input fails at preview naming the object and the field; nothing is made", async () => {
    const nb = netbox();
    const c = clientFor(nb);
    const t = track(
      await netboxStack("nb-coll-bad", netbox, async () => {
        new NetboxObjectCollection("inventory", {
          url: nb.url,
          objects: [
            { kind: "clusterType", name: "Coll bad", slug: "coll bad!" },
            { kind: "virtualMachine", name: "coll-bad-vm", cluster: "no-such-cluster" },
            { kind: "service", virtualMachine: "coll-bad-vm", name: "web", ports: [70000] },
            { kind: "service", virtualMachine: "coll-bad-vm", name: "web", ports: [80] },
            { kind: "printer", name: "x" } as unknown as NetboxCollectionObject,
          ],
        });
      }),
    );
    const patterns = [
      /objects\["cluster-type coll bad!"\]\.slug "coll bad!" may contain only letters/,
      /objects\["service coll-bad-vm\/web"\]\.ports must be a non-empty list of port numbers 1-65535/,
      /objects\[3\]: service coll-bad-vm\/web is listed twice \(objects\[2\] and objects\[3\]\)/,
      /objects\[4\]\.kind "printer" must be one of tag, site, clusterType, cluster, virtualMachine, vmInterface, service/,
    ];
    await expectFailure(() => t.stack.preview(quiet), ...patterns);
    await expectFailure(() => t.stack.up(quiet), ...patterns);
    assert.deepStrictEqual(await c.list("virtualMachine", { name: "coll-bad-vm" }), [], "nothing was made");

    // Once the entries are well-formed, a reference to nothing is the one failure left.
    const dangling = track(
      await netboxStack("nb-coll-dangling", netbox, async () => {
        new NetboxObjectCollection("inventory", {
          url: nb.url,
          objects: [{ kind: "virtualMachine", name: "coll-bad-vm", cluster: "no-such-cluster" }],
        });
      }),
    );
    await expectFailure(
      () => dangling.stack.preview(quiet),
      /objects\["vm coll-bad-vm"\]\.cluster: the collection declares no cluster "no-such-cluster" and NetBox has none with name "no-such-cluster"/,
    );
    assert.deepStrictEqual(await c.list("virtualMachine", { name: "coll-bad-vm" }), [], "nothing was made");
  });
});
