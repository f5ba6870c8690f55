/**
 * GarageBucketCollection (many buckets of a stack as one resource) through the real engine against
 * a real Garage: create/update/delete with one bucket listing each and only the per-bucket writes
 * (from the provider processes' request log), each bucket owner-marked as GarageBucketResource
 * marks it, others' buckets refused at preview naming the owner (nothing changed), adopt, a
 * non-empty bucket never deleted, refresh drift, bad input at preview.
 */
import * as assert from "assert";
import { startGarage, useService } from "../../harness";
import type { TestStack } from "../../harness/workspace";
import { assertNoPlaintextSecrets } from "../../harness/stateFiles";
import { bucketOwner, GarageBucketCollection, GarageBucketResource } from "../../../providers/garage";
import type { GarageCollectionBucket } from "../../../providers/garage";
import {
  adminFor,
  adminKey,
  emptyBucket,
  garageRequests,
  garageStack,
  location,
  putText,
  s3Client,
} from "./helpers";
import { fails } from "../../support/failure";

const quiet = { color: "never" as const };
const times = (n: number, op: string): string[] => Array.from({ length: n }, () => op);
const sorted = (...ops: string[][]): string[] => ops.flat().sort();

describe("Garage bucket collection through the real engine", function () {
  this.timeout(600_000);
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks.reverse()) await t.dispose().catch(() => undefined);
  });
  const garage = useService(() => startGarage());
  async function collectionStack(
    name: string,
    buckets: () => unknown[],
    adopt: () => boolean = () => false,
  ): Promise<TestStack> {
    const t = await garageStack(name, garage(), async () => {
      const c = new GarageBucketCollection("buckets", {
        adminUrl: garage().adminUrl,
        buckets: buckets() as GarageCollectionBucket[],
        adopt: adopt(),
      });
      return { bucketIds: c.bucketIds };
    });
    stacks.push(t);
    return t;
  }
  async function ownerOf(name: string): Promise<string | undefined> {
    const info = await adminFor(garage()).bucketByAlias(name);
    return info ? (bucketOwner(info)?.owner ?? "(none)") : undefined;
  }

  it("creates, updates and deletes with one listing and only the per-bucket writes; each bucket carries the owner marker", async () => {
    let buckets: unknown[] = [
      { name: "coll-a", quotas: { maxSize: "1GiB", maxObjects: 100 } },
      { name: "coll-b", website: { indexDocument: "index.html" } },
      { name: "coll-c" },
    ];
    const t = await collectionStack("garage-coll", () => buckets);
    const up = await garageRequests(t, () => t.stack.up(quiet));
    assert.deepStrictEqual(
      up,
      sorted(
        times(2, "GET ListBucketsInfo"), // check (new names) and create (fresh)
        ["GET ListKeys"],
        times(3, "POST CreateKey"),
        times(3, "POST CreateBucket"),
        times(2, "POST UpdateBucket"),
      ),
    );
    // No admin token in plain text: backend files and `pulumi stack export`.
    assertNoPlaintextSecrets(t, "coll-a", { "admin token": garage().adminToken });
    const g = adminFor(garage());
    for (const n of ["coll-a", "coll-b", "coll-c"])
      assert.strictEqual(
        await ownerOf(n),
        "garage-coll/test/buckets",
        `${n} carries the collection's marker`,
      );
    const a = await g.bucketByAlias("coll-a");
    assert.deepStrictEqual(a?.quotas, { maxSize: 2 ** 30, maxObjects: 100 });
    assert.strictEqual((await g.bucketByAlias("coll-b"))?.websiteAccess, true);
    const outputs = await t.stack.outputs();
    assert.strictEqual((outputs.bucketIds.value as Record<string, string>)["coll-a"], a?.id);

    const noChange = await garageRequests(t, async () => {
      const p = await t.stack.preview(quiet);
      assert.strictEqual(p.changeSummary.update ?? 0, 0, "a second preview is empty");
    });
    assert.deepStrictEqual(noChange, [], "a no-change preview reads nothing");

    buckets = [
      { name: "coll-a", quotas: { maxSize: "2GiB", maxObjects: 100 } },
      { name: "coll-b", website: { indexDocument: "index.html" } },
      { name: "coll-d" },
    ];
    const preview = await t.stack.preview({ ...quiet, diff: true });
    for (const n of ["coll-a", "coll-c", "coll-d"])
      assert.ok(preview.stdout.includes(n), `the preview names ${n}:\n${preview.stdout}`);
    assert.ok(!preview.stdout.includes('"coll-b"'), `an unchanged bucket is not listed:\n${preview.stdout}`);
    const update = await garageRequests(t, () => t.stack.up(quiet));
    assert.deepStrictEqual(
      update,
      sorted(
        times(2, "GET ListBucketsInfo"),
        ["GET ListKeys", "POST CreateKey", "POST CreateBucket"], // coll-d
        ["POST UpdateBucket"], // coll-a's quota
        ["POST DeleteBucket", "POST DeleteKey"], // coll-c and its marker key
      ),
    );
    assert.strictEqual(await ownerOf("coll-c"), undefined, "coll-c was deleted");
    assert.strictEqual(await ownerOf("coll-d"), "garage-coll/test/buckets");
    assert.strictEqual((await g.bucketByAlias("coll-a"))?.quotas.maxSize, 2 * 2 ** 30);

    const destroy = await garageRequests(t, () => t.stack.destroy(quiet));
    assert.deepStrictEqual(
      destroy,
      sorted(["GET ListBucketsInfo"], times(3, "POST DeleteBucket"), times(3, "POST DeleteKey")),
    );
    for (const n of ["coll-a", "coll-b", "coll-d"]) assert.strictEqual(await ownerOf(n), undefined);
    const markers = (await g.listKeys()).filter((k) => k.name.includes("garage-coll/test/buckets"));
    assert.deepStrictEqual(markers, [], "no marker key is left");
  });

  it("refuses buckets another stack owns, one line per bucket naming its owner, creating nothing; adopt takes them; a non-empty bucket is never deleted", async () => {
    const s = garage();
    const other = await garageStack("garage-coll-other", s, async () => {
      new GarageBucketResource("held", { adminUrl: s.adminUrl, globalAliases: ["held-x"] });
      new GarageBucketResource("held2", { adminUrl: s.adminUrl, globalAliases: ["held-y"] });
    });
    stacks.push(other);
    await other.stack.up(quiet);

    let adopt = false;
    let buckets: unknown[] = [{ name: "mine-1" }, { name: "held-x" }, { name: "held-y" }];
    const t = await collectionStack(
      "garage-coll-adopt",
      () => buckets,
      () => adopt,
    );
    const refused = await fails(t.stack.up(quiet));
    for (const n of ["held-x", "held-y"])
      assert.match(
        refused,
        new RegExp(
          `the name "${n}" is already taken .*stack "test" of project "garage-coll-other" \\(resource "held2?"\\).*adopt: true`,
        ),
      );
    assert.strictEqual(await ownerOf("mine-1"), undefined, "nothing was created");
    assert.strictEqual(await ownerOf("held-x"), "garage-coll-other/test/held");

    adopt = true;
    await t.stack.up(quiet);
    for (const n of ["mine-1", "held-x", "held-y"])
      assert.strictEqual(await ownerOf(n), "garage-coll-adopt/test/buckets");
    // The other stack's destroy now leaves them in place.
    await other.stack.destroy(quiet);
    assert.strictEqual(await ownerOf("held-x"), "garage-coll-adopt/test/buckets");

    // A bucket with objects is not deleted when it leaves the collection, and nothing else changes.
    const info = await adminFor(s).bucketByAlias("held-y");
    const key = await adminKey(s, info?.id ?? "");
    const s3 = s3Client(location(s, "held-y", key));
    await putText(s3, "held-y", "keep.txt", "data");
    s3.destroy();
    buckets = [{ name: "mine-1" }];
    const refusedDelete = await fails(t.stack.up(quiet));
    assert.match(refusedDelete, /held-y: it still holds 1 object\(s\).*Garage deletes only empty buckets/);
    assert.match(refusedDelete, /nothing was changed/);
    assert.strictEqual(await ownerOf("held-x"), "garage-coll-adopt/test/buckets", "held-x is kept too");
    await emptyBucket(location(s, "held-y", key));
    await adminFor(s).deleteKey(key.accessKeyId);
    await t.stack.up(quiet);
    assert.strictEqual(await ownerOf("held-y"), undefined);
    assert.strictEqual(await ownerOf("held-x"), undefined);
  });

  it("refresh finds drift (a changed quota, a bucket deleted outside Pulumi) and the next up puts ours back", async () => {
    const s = garage();
    const g = adminFor(s);
    const t = await collectionStack("garage-coll-drift", () => [
      { name: "drift-a", quotas: { maxObjects: 10 } },
      { name: "drift-b" },
    ]);
    await t.stack.up(quiet);
    const a = await g.bucketByAlias("drift-a");
    await g.updateBucket(a?.id ?? "", { quotas: { maxSize: null, maxObjects: 99 } });
    const b = await g.bucketByAlias("drift-b");
    await g.deleteBucket(b?.id ?? "");
    const refresh = await garageRequests(t, () => t.stack.refresh(quiet));
    assert.deepStrictEqual(refresh, ["GET ListBucketsInfo"], "refresh lists once");
    const preview = await t.stack.preview({ ...quiet, diff: true });
    assert.strictEqual(preview.changeSummary.update, 1, preview.stdout);
    assert.ok(preview.stdout.includes("drift-b") && preview.stdout.includes("maxObjects"), preview.stdout);
    await t.stack.up(quiet);
    assert.strictEqual((await g.bucketByAlias("drift-a"))?.quotas.maxObjects, 10);
    assert.strictEqual(await ownerOf("drift-b"), "garage-coll-drift/test/buckets", "drift-b was made again");
    assert.strictEqual((await t.stack.preview(quiet)).changeSummary.update ?? 0, 0);
  });

  it("every bad input fails at preview, naming the bucket entry and the fix, and nothing is created", async () => {
    const t = await collectionStack("garage-coll-bad", () => [
      { name: "ok-bucket" },
      { name: "Bad_Name" },
      { name: "ok-bucket" },
      { name: "quota-bucket", quotas: { maxSize: "lots" } },
      { name: "cors-bucket", localAliases: [] },
      {},
    ]);
    const message = await fails(t.stack.preview(quiet));
    assert.match(message, /buckets\[1\]\.name.*"Bad_Name" may hold only lowercase letters/);
    assert.match(
      message,
      /buckets\[2\]\.name.*"ok-bucket" is listed twice \(buckets\[0\] and buckets\[2\]\)/,
    );
    assert.match(message, /buckets\[3\]\.quotas\.maxSize/);
    assert.match(message, /buckets\[4\]\.localAliases.*use name, website, quotas and cors/);
    assert.match(message, /buckets\[5\]\.name.*is required/);
    assert.strictEqual(await ownerOf("ok-bucket"), undefined);
  });
});
