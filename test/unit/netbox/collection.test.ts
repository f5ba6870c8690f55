import * as assert from "assert";
import fc from "fast-check";
import {
  checkObjectCollectionInputs,
  diffObjectCollection,
  needsWrite,
  netboxErrorText,
  planObjectCollection,
  refreshedState,
  UNKNOWN,
  type CollectionEntry,
  type ObjectCollectionState,
  type ServerView,
} from "../../../providers/netbox";

const conn = { url: "http://127.0.0.1:8000", owner: "proj/stack/inv" };
const marker = (owner: string) => ({ custom_fields: { sovereign_owner: `sovereign-owner:${owner}` } });
const site = [
  { kind: "clusterType", name: "LXC", slug: "lxc" },
  { kind: "cluster", name: "dc1", type: "lxc" },
  { kind: "virtualMachine", name: "web1", cluster: "dc1", vcpus: 2 },
  { kind: "service", virtualMachine: "web1", name: "https", protocol: "tcp", ports: [443] },
];

function stateOf(
  objects: Record<string, CollectionEntry>,
  ids: Record<string, number>,
): ObjectCollectionState {
  return { ...conn, adopt: false, objects, netboxIds: ids, refIds: {} };
}

describe("netbox object collection: check", () => {
  it("keys every object by kind and natural key", () => {
    const { inputs, failures, external } = checkObjectCollectionInputs({ ...conn, objects: site });
    assert.deepStrictEqual(failures, []);
    assert.deepStrictEqual(Object.keys(inputs.objects), [
      "cluster-type lxc",
      "cluster dc1",
      "vm web1",
      "service web1/https",
    ]);
    assert.deepStrictEqual(external, [], "every reference names an entry");
  });

  it("the map is the same whatever the list's order (property)", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(site, { minLength: site.length, maxLength: site.length }), (order) => {
        const a = checkObjectCollectionInputs({ ...conn, objects: order }).inputs.objects;
        const b = checkObjectCollectionInputs({ ...conn, objects: site }).inputs.objects;
        return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
      }),
    );
  });

  it("names the object and the field of each failure", () => {
    const { failures, external } = checkObjectCollectionInputs({
      ...conn,
      objects: [
        { kind: "virtualMachine", name: "web1" },
        { kind: "virtualMachine", name: "web2", cluster: "elsewhere", clster: "x" },
        { kind: "service", virtualMachine: "web1", name: "ssh", ports: [0] },
        { kind: "service", virtualMachine: "web1", name: "ssh", ports: [22] },
        { kind: "printer" },
        "text",
      ],
    });
    const reasons = failures.map((f) => f.reason);
    assert.ok(
      reasons.some((r) => r.startsWith('objects["vm web1"].cluster is required')),
      reasons.join("\n"),
    );
    assert.ok(
      reasons.some((r) => r.startsWith('objects["vm web2"].clster is not a field of a virtual machine')),
    );
    assert.ok(
      reasons.some((r) => r.startsWith('objects["service web1/ssh"].ports must be a non-empty list')),
    );
    assert.ok(
      reasons.includes(
        "objects[3]: service web1/ssh is listed twice (objects[2] and objects[3]); list each object once",
      ),
    );
    assert.ok(reasons.some((r) => r.startsWith('objects[4].kind "printer" must be one of')));
    assert.ok(reasons.includes("objects[5] must be an object with a kind and its fields"));
    assert.deepStrictEqual(external, [
      { property: 'objects["vm web2"].cluster', kind: "cluster", ref: "elsewhere" },
    ]);
  });

  it("an unknown name makes the map unknown; an unknown field value is skipped", () => {
    const unknownName = checkObjectCollectionInputs({
      ...conn,
      objects: [{ kind: "virtualMachine", name: UNKNOWN, cluster: "dc1" }],
    });
    assert.strictEqual(unknownName.inputs.objects as unknown, UNKNOWN);
    const unknownValue = checkObjectCollectionInputs({
      ...conn,
      objects: [{ kind: "virtualMachine", name: "web1", cluster: UNKNOWN }],
    });
    assert.deepStrictEqual(unknownValue.failures, []);
  });
});

describe("netbox object collection: diff and plan", () => {
  const objects = checkObjectCollectionInputs({ ...conn, objects: site }).inputs.objects;

  it("lists added, changed and removed objects by key; nothing replaces", () => {
    const next = { ...objects, "vm web1": { ...objects["vm web1"], vcpus: 4 } } as Record<
      string,
      CollectionEntry
    >;
    delete next["service web1/https"];
    next["vm web2"] = { kind: "virtualMachine", name: "web2", cluster: "dc1" };
    const d = diffObjectCollection({ ...conn, objects }, { ...conn, objects: next });
    assert.deepStrictEqual(
      [d.added, d.changed, d.removed],
      [["vm web2"], ["vm web1"], ["service web1/https"]],
    );
    assert.strictEqual(diffObjectCollection({ ...conn, objects }, { ...conn, objects }).changes, false);
    assert.strictEqual(
      diffObjectCollection({ ...conn, objects }, { ...conn, objects: UNKNOWN }).changes,
      true,
    );
  });

  it("creates what is free, continues our own, refuses others' unless adopt, deletes only what carries our marker", () => {
    const server: ServerView = new Map([
      ["cluster-type lxc", { id: 1, owner: "proj/stack/inv", obj: {} }],
      ["cluster dc1", { id: 2, owner: "other/prod/cluster", obj: {} }],
      ["vm old", { id: 3, owner: "other/prod/vm", obj: {} }],
      ["vm gone", { id: 4, owner: "proj/stack/inv", obj: {} }],
    ]);
    const olds = stateOf(
      {
        "vm old": { kind: "virtualMachine", name: "old", cluster: "dc1" },
        "vm gone": { kind: "virtualMachine", name: "gone", cluster: "dc1" },
      },
      { "vm old": 3, "vm gone": 4 },
    );
    const news = { ...conn, adopt: false, objects };
    const plan = planObjectCollection(olds, news, server);
    assert.deepStrictEqual(
      plan.refusals.map((r) => r.key),
      ["cluster dc1"],
    );
    assert.match(
      plan.refusals[0].reason,
      /NetBox id 2: it already exists and belongs to "other\/prod\/cluster"/,
    );
    assert.deepStrictEqual([...plan.writes.keys()], ["cluster-type lxc", "vm web1", "service web1/https"]);
    assert.deepStrictEqual(
      plan.writes.get("cluster-type lxc"),
      { id: 1 },
      "our own interrupted create continues",
    );
    assert.deepStrictEqual([...plan.deletes], [["vm gone", 4]]);
    assert.match(
      plan.warnings.join("\n"),
      /vm old \(id 3\): left in place: it now belongs to "other\/prod\/vm"/,
    );
    const adopted = planObjectCollection(olds, { ...news, adopt: true }, server);
    assert.deepStrictEqual([adopted.refusals, adopted.writes.get("cluster dc1")], [[], { id: 2 }]);
  });

  it("writes only what differs from NetBox, or lacks our marker", () => {
    const entry = objects["vm web1"];
    const obj = { name: "web1", cluster: { id: 2 }, vcpus: 2, ...marker("proj/stack/inv") };
    const held = { id: 5, owner: "proj/stack/inv", obj };
    assert.strictEqual(needsWrite(held, entry, { cluster: 2 }, conn.owner), false);
    assert.strictEqual(needsWrite(held, entry, { cluster: 9 }, conn.owner), true, "another cluster");
    assert.strictEqual(
      needsWrite({ ...held, obj: { ...obj, vcpus: 8 } }, entry, { cluster: 2 }, conn.owner),
      true,
    );
    assert.strictEqual(needsWrite({ ...held, owner: "x/y/z" }, entry, { cluster: 2 }, conn.owner), true);
  });

  it("refresh keeps NetBox's values and drops what is gone or taken over", () => {
    const state = {
      ...stateOf(objects, { "cluster-type lxc": 1, "cluster dc1": 2, "vm web1": 3, "service web1/https": 4 }),
      refIds: { "vm web1": { cluster: 2 } },
    };
    const server: ServerView = new Map([
      ["cluster-type lxc", { id: 1, owner: conn.owner, obj: { name: "LXC", slug: "lxc" } }],
      ["cluster dc1", { id: 2, owner: "other/prod/c", obj: { name: "dc1" } }],
      ["vm web1", { id: 3, owner: conn.owner, obj: { name: "web1", cluster: { id: 2 }, vcpus: 6 } }],
    ]);
    const r = refreshedState(state, server);
    assert.deepStrictEqual(Object.keys(r.objects), ["cluster-type lxc", "vm web1"]);
    assert.strictEqual(r.objects["vm web1"].vcpus, 6);
    assert.strictEqual(
      r.objects["vm web1"].cluster,
      "dc1",
      "a reference that still points there keeps its name",
    );
    assert.deepStrictEqual(r.netboxIds, { "cluster-type lxc": 1, "vm web1": 3 });
  });
});

describe("netbox bulk error text", () => {
  it("prefixes each refused object's messages with its index or id", () => {
    assert.strictEqual(
      netboxErrorText(
        '{"detail": "1 of 2 objects could not be created.", "errors": [{"index": 1, "errors": {"name": ["already exists."]}}]}',
        "Bad Request",
      ),
      "1 of 2 objects could not be created.; [index 1] name: already exists.",
    );
    assert.strictEqual(
      netboxErrorText(
        '{"detail": "x", "errors": [{"id": 7, "errors": {"id": ["Object with ID 7 does not exist"]}}]}',
        "",
      ),
      "x; [id 7] id: Object with ID 7 does not exist",
    );
  });
});
