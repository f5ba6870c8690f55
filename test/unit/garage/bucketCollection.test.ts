import * as assert from "assert";
import fc from "fast-check";
import {
  checkCollectionInputs,
  CollectionInputs,
  diffCollection,
  planCollectionDelete,
  planCollectionWrite,
} from "../../../providers/garage/bucketCollection";
import { bucketsByAlias, unusedMarkerKeys } from "../../../providers/garage/listing";
import { markerKeyName } from "../../../providers/garage/owner";
import type { BucketInfo } from "../../../providers/garage/client";

const ME = "proj/dev/buckets";
const conn = { adminUrl: "http://127.0.0.1:3903", adminTokenConfig: "sovereign:garageAdminToken", owner: ME };

/** A bucket as ListBucketsInfo shows it, marked by `owner` (none: unmarked). */
function bucket(name: string, owner?: string, objects = 0): BucketInfo {
  return {
    id: `id-${name}`,
    globalAliases: [name],
    keys: owner
      ? [
          {
            accessKeyId: `GK-${name}`,
            name: markerKeyName(owner),
            bucketLocalAliases: ["sovereign-owner"],
            permissions: { read: false, write: false, owner: false },
          },
        ]
      : [],
    objects,
    bytes: objects * 10,
    quotas: { maxSize: null, maxObjects: null },
    websiteAccess: false,
  } as unknown as BucketInfo;
}

const inputs = (buckets: CollectionInputs["buckets"], adopt = false): CollectionInputs => ({
  ...conn,
  adopt,
  buckets,
});

describe("Garage bucket collection: checks and plans", () => {
  it("check keys the buckets by name and names each bad entry", () => {
    const ok = checkCollectionInputs({
      ...conn,
      buckets: [{ name: "a-1", quotas: { maxSize: "1KiB" } }, { name: "b-2" }],
    });
    assert.deepStrictEqual(ok.failures, []);
    assert.deepStrictEqual(ok.inputs.buckets, {
      "a-1": { quotas: { maxSize: 1024, maxObjects: null } },
      "b-2": {},
    });
    const bad = checkCollectionInputs({
      ...conn,
      adminUrl: "nope",
      buckets: [
        { name: "UP" },
        { name: "b-2" },
        { name: "b-2" },
        { name: "c-3", website: { indexDocument: "a/b" } },
      ],
    });
    const props = bad.failures.map((f) => f.property);
    assert.deepStrictEqual(props, [
      "adminUrl",
      "buckets[0].name",
      "buckets[2].name",
      "buckets[3].website.indexDocument",
    ]);
    assert.match(checkCollectionInputs({ ...conn, buckets: "x" }).failures[0].reason, /must be a list/);
  });

  it("diff lists added, changed and removed buckets by name and never replaces", () => {
    const d = diffCollection(
      { ...conn, buckets: { a: {}, b: { quotas: { maxSize: 1, maxObjects: null } }, c: {} } },
      { ...conn, buckets: { a: {}, b: { quotas: { maxSize: 2, maxObjects: null } }, d: {} } },
    );
    assert.deepStrictEqual([d.added, d.changed, d.removed, d.changes], [["d"], ["b"], ["c"], true]);
    assert.strictEqual(
      diffCollection({ ...conn, buckets: { a: {} } }, { ...conn, buckets: { a: {} } }).changes,
      false,
    );
  });

  it("creates the new, continues its own, refuses others' (one line each) unless adopt", () => {
    const server = bucketsByAlias([bucket("mine", ME), bucket("theirs", "other/prod/b"), bucket("nobody")]);
    const want = { mine: {}, theirs: {}, nobody: {}, fresh: {} };
    const refused = planCollectionWrite(undefined, inputs(want), server);
    assert.strictEqual(refused.refusals.length, 2);
    assert.match(refused.refusals.join("\n"), /theirs: .*"other\/prod\/b"/);
    assert.match(refused.refusals.join("\n"), /nobody: .*no one/);
    const adopted = planCollectionWrite(undefined, inputs(want, true), server);
    assert.deepStrictEqual(adopted.refusals, []);
    assert.deepStrictEqual(
      adopted.steps.map((s) => `${s.action} ${s.name}`),
      ["write theirs", "write nobody", "create fresh"],
      "our own bucket needs nothing",
    );
  });

  it("deletes only removed buckets that still carry our marker and are empty", () => {
    const olds = inputs({ mine: {}, taken: {}, full: {}, gone: {} });
    const server = bucketsByAlias([
      bucket("mine", ME),
      bucket("taken", "other/prod/b"),
      bucket("full", ME, 3),
    ]);
    const plan = planCollectionDelete(olds, server);
    assert.deepStrictEqual(plan.steps, [
      { action: "delete", name: "mine", bucketId: "id-mine", markerKeyId: "GK-mine" },
    ]);
    assert.match(plan.warnings.join(), /taken: left in place/);
    assert.match(plan.refusals.join(), /full: it still holds 3 object/);
  });

  it("never plans a write to or delete of a bucket another owner holds without adopt (property)", () => {
    const names = fc.constantFrom("a-1", "b-2", "c-3", "d-4");
    const owners = fc.constantFrom(ME, "other/prod/x", undefined);
    fc.assert(
      fc.property(
        fc.uniqueArray(names),
        fc.uniqueArray(names),
        fc.array(fc.tuple(names, owners)),
        (olds, news, served) => {
          const server = bucketsByAlias(served.map(([n, o]) => bucket(n, o)));
          const plan = planCollectionWrite(
            inputs(Object.fromEntries(olds.map((n) => [n, {}]))),
            inputs(Object.fromEntries(news.map((n) => [n, {}]))),
            server,
          );
          for (const step of plan.steps) {
            const owner = server.get(step.name)?.owner;
            if (step.action !== "create")
              assert.ok(owner === ME || (owner === undefined && (olds as string[]).includes(step.name)));
            if (step.action === "delete") assert.strictEqual(owner, ME);
          }
        },
      ),
    );
  });

  it("finds our marker keys that mark no bucket", () => {
    const keys = [
      { id: "GK-mine", name: markerKeyName(ME) },
      { id: "GK-left", name: markerKeyName(ME) },
      { id: "GK-other", name: markerKeyName("other/prod/b") },
    ];
    assert.deepStrictEqual(unusedMarkerKeys(keys, [bucket("mine", ME)], markerKeyName(ME)), ["GK-left"]);
  });
});
