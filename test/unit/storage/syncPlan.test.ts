import * as assert from "assert";
import fc from "fast-check";
import {
  compareListings,
  describeDifferences,
  isMultipartEtag,
  needsSourceEtag,
  ObjectEntry,
  planSync,
  sameObject,
} from "../../../sdk/storage/syncPlan";

const hex = fc.stringMatching(/^[0-9a-f]{32}$/);
const entry = fc.record({
  key: fc.stringMatching(/^[a-z0-9/._-]{1,12}$/),
  size: fc.nat({ max: 1 << 20 }),
  etag: fc.oneof(hex, hex.map((h) => `${h}-3`)),
});
/** A listing has each key once. */
const listing = fc.uniqueArray(entry, { selector: (e) => e.key, maxLength: 40 });

/** What the target holds after the plan ran (copies record the source ETag, as the sync does). */
function apply(source: readonly ObjectEntry[], target: readonly ObjectEntry[], mirror = true): ObjectEntry[] {
  const plan = planSync(source, target, { mirror });
  const out = new Map(target.map((t) => [t.key, t]));
  for (const key of plan.remove) out.delete(key);
  for (const s of plan.copy) out.set(s.key, { key: s.key, size: s.size, etag: "f".repeat(32), sourceEtag: s.etag });
  return [...out.values()];
}

describe("bucket sync planner", () => {
  it("after the plan runs, the target holds exactly the source's objects", () => {
    fc.assert(
      fc.property(listing, listing, (source, target) => {
        assert.deepStrictEqual(compareListings(source, apply(source, target)), []);
      }),
    );
  });

  it("a second plan after the first ran copies and removes nothing", () => {
    fc.assert(
      fc.property(listing, listing, (source, target) => {
        const again = planSync(source, apply(source, target));
        assert.deepStrictEqual([again.copy.length, again.remove.length], [0, 0]);
        assert.strictEqual(again.unchanged, source.length);
      }),
    );
  });

  it("copies only what is missing or different, and removes only what the source lacks", () => {
    fc.assert(
      fc.property(listing, listing, (source, target) => {
        const plan = planSync(source, target);
        const targetByKey = new Map(target.map((t) => [t.key, t]));
        for (const c of plan.copy) {
          const t = targetByKey.get(c.key);
          assert.ok(t === undefined || !sameObject(c, t), `${c.key} was the same and still copied`);
        }
        const sourceKeys = new Set(source.map((s) => s.key));
        for (const key of plan.remove) assert.ok(!sourceKeys.has(key));
        assert.strictEqual(plan.copyBytes, plan.copy.reduce((n, c) => n + c.size, 0));
        assert.strictEqual(plan.copy.length + plan.unchanged, source.length);
        for (let i = 1; i < plan.copy.length; i++) assert.ok(plan.copy[i - 1].size >= plan.copy[i].size, "biggest first");
      }),
    );
  });

  it("without mirroring, objects only on the target are kept", () => {
    fc.assert(
      fc.property(listing, listing, (source, target) => {
        assert.deepStrictEqual(planSync(source, target, { mirror: false }).remove, []);
        const after = new Set(apply(source, target, false).map((o) => o.key));
        for (const t of target) assert.ok(after.has(t.key));
      }),
    );
  });

  it("one changed object out of many is the only copy", () => {
    const source = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, size: 10, etag: "a".repeat(32) }));
    const target = source.map((o) => (o.key === "k42" ? { ...o, etag: "b".repeat(32) } : o));
    const plan = planSync(source, target);
    assert.deepStrictEqual(plan.copy.map((c) => c.key), ["k42"]);
    assert.strictEqual(plan.copyBytes, 10);
  });

  it("a multipart ETag on one side is settled by the recorded source ETag", () => {
    const s = { key: "big", size: 9 << 20, etag: `"${"c".repeat(32)}-2"` };
    const t = { key: "big", size: 9 << 20, etag: "d".repeat(32) };
    assert.ok(isMultipartEtag(s.etag));
    assert.deepStrictEqual(needsSourceEtag([s], [t]), ["big"]);
    assert.strictEqual(planSync([s], [t]).copy.length, 1, "unknown: copy");
    assert.strictEqual(planSync([s], [{ ...t, sourceEtag: s.etag }]).copy.length, 0);
  });

  it("names every differing key, with what differs", () => {
    const diffs = compareListings(
      [
        { key: "a", size: 1, etag: "x" },
        { key: "b", size: 2, etag: "y" },
        { key: "c", size: 3, etag: "z" },
      ],
      [
        { key: "b", size: 5, etag: "y" },
        { key: "c", size: 3, etag: "w" },
        { key: "d", size: 1, etag: "q" },
      ],
    );
    assert.deepStrictEqual(
      diffs.map((d) => `${d.key} ${d.problem}`),
      ["a missing on target", "b size differs", "c checksum differs", "d only on target"],
    );
    assert.match(describeDifferences(diffs), /4 object\(s\) differ after the sync:\n {2}- a: missing on target\n.*- b: size differs \(2 vs 5 bytes\)/s);
  });
});
