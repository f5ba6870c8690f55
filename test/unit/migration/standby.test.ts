import * as assert from "assert";
import fc from "fast-check";
import { appDefinition } from "../../../sdk/apps/catalog";
import { itemArb, planInput } from "./arbitraries";
import {
  itemLabel,
  planMigration,
  type MigrationItem,
  type MigrationPlanInput,
} from "../../../sdk/migration/plan";
import { currentItems, preseededItems, standbyItems } from "../../../sdk/migration/standbyPlan";
import { compareTables, reusableSums } from "../../../sdk/migration/tableVerify";
import { caughtUp, lsnBehind, lsnOffset } from "../../../sdk/replication/pgLsn";

const itemsArb = fc.uniqueArray(itemArb, { selector: itemLabel, maxLength: 6 });

const input = (items: readonly MigrationItem[], preseeded?: string[]): MigrationPlanInput =>
  planInput(items, preseeded ? { preseeded } : {});

describe("warm standby decisions", () => {
  it("a standby keeps databases, datasets and buckets warm, not directories copied with the app stopped", () => {
    const items = [...appDefinition("pixelfed").state, ...appDefinition("edumeet").state].map((state) => ({
      app: "x",
      state,
    }));
    const kept = standbyItems(items).map((i) => i.state.strategy);
    assert.ok(kept.length > 0);
    assert.ok(!kept.includes("stop-then-rsync"));
    assert.strictEqual(kept.length, items.filter((i) => i.state.strategy !== "stop-then-rsync").length);
  });

  it("only a move to the datacenter the previous deployment named as standby counts as pre-seeded", () => {
    const items = appDefinition("pixelfed").state.map((state) => ({ app: "px", state }));
    assert.deepStrictEqual(preseededItems(items, undefined, "dc-b"), []);
    assert.deepStrictEqual(preseededItems(items, "dc-c", "dc-b"), []);
    assert.deepStrictEqual(preseededItems(items, "dc-b", "dc-b"), standbyItems(items).map(itemLabel));
  });

  it("property: a promotion's plan is the migration's plan without the standby items' pre-seed steps", () => {
    fc.assert(
      fc.property(itemsArb, fc.boolean(), (items, standbyCurrent) => {
        const preseeded = preseededItems(items, standbyCurrent ? "dc-b" : undefined, "dc-b");
        const full = planMigration(input(items));
        const promotion = planMigration(input(items, preseeded));
        const skipped = new Set(preseeded.map((label) => `preseed:${label}`));
        assert.deepStrictEqual(
          promotion.steps,
          full.steps.filter((s) => !skipped.has(s.id)),
        );
        // Everything still gets its final sync and verify; an item the standby does not keep
        // warm is still pre-seeded.
        for (const item of items) {
          const label = itemLabel(item);
          assert.ok(promotion.steps.some((s) => s.id === `final-sync:${label}`));
          assert.ok(promotion.steps.some((s) => s.id === `verify:${label}`));
          const warm = standbyCurrent && item.state.strategy !== "stop-then-rsync";
          assert.strictEqual(
            promotion.steps.some((s) => s.id === `preseed:${label}`),
            !warm,
            label,
          );
        }
      }),
    );
  });

  it("an item is current when its database streams, its dataset has a snapshot, its bucket has no difference", () => {
    assert.deepStrictEqual(
      currentItems({
        databases: {
          "a:database:x": { bytes: 10, seconds: 0, streaming: true },
          "a:database:y": { bytes: 0, seconds: 0, streaming: false },
        },
        datasets: { "a:directory:/srv": { snapshotAgeSeconds: 30, snapshot: "s1" } },
        buckets: { "a:bucket:m": { differing: 0 }, "a:bucket:n": { differing: 2 } },
      }),
      ["a:bucket:m", "a:database:x", "a:directory:/srv"],
    );
  });
});

describe("PostgreSQL WAL positions", () => {
  it("parses hi/lo hexadecimal and measures how far a replica is behind", () => {
    assert.strictEqual(lsnOffset("0/16B3748"), 0x16b3748n);
    assert.strictEqual(lsnOffset("1/0"), 1n << 32n);
    assert.strictEqual(lsnBehind("1/10", "0/FFFFFFF0"), 0x20);
    assert.strictEqual(lsnBehind("0/10", "0/20"), 0);
    assert.ok(caughtUp("0/16B3748", "0/16B3748"));
    assert.ok(!caughtUp("0/16B3749", "0/16B3748"));
    assert.throws(() => lsnOffset("16B3748"), /not a PostgreSQL WAL position/);
  });

  it("property: caught up exactly when the replica's position is at or past the written one", () => {
    const lsn = fc
      .tuple(fc.nat(0xffff), fc.nat(0xffffffff))
      .map(([hi, lo]) => `${hi.toString(16)}/${lo.toString(16)}`);
    fc.assert(
      fc.property(lsn, lsn, (written, replayed) => {
        assert.strictEqual(caughtUp(written, replayed), lsnOffset(replayed) >= lsnOffset(written));
      }),
    );
  });
});

describe("table verification", () => {
  it("matches equal tables and names each table that differs or is missing", () => {
    const source = { posts: "501 abc", users: "3 def" };
    assert.deepStrictEqual(compareTables(source, { ...source }), { match: true, tables: 2, differences: [] });
    const verdict = compareTables(source, { posts: "500 abd", extra: "1 x" });
    assert.strictEqual(verdict.match, false);
    assert.deepStrictEqual(verdict.differences, [
      { table: "extra", source: undefined, target: "1 x" },
      { table: "posts", source: "501 abc", target: "500 abd" },
      { table: "users", source: "3 def", target: undefined },
    ]);
  });

  it("property: a match exactly when both sides hold the same tables with the same sums", () => {
    const sums = fc.dictionary(fc.constantFrom("a", "b", "c", "d"), fc.constantFrom("1 x", "2 y"));
    fc.assert(
      fc.property(sums, sums, (a, b) => {
        assert.strictEqual(
          compareTables(a, b).match,
          JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort()),
        );
      }),
    );
  });

  it("keeps a checkpoint sum only for a table not written since and whose columns are unchanged", () => {
    const sums = { posts: "5 h128:1.2", quiet: "9 h128:3.4", wide: "2 h128:5.6", gone: "1 h128:7.8" };
    const then = { posts: "1:a", quiet: "2:b", wide: "3:c", gone: "4:d" };
    const now = { posts: "1:a", quiet: "2:b", wide: "3:changed" };
    const changes = { tables: new Set(["posts"]), all: false };
    assert.deepStrictEqual(reusableSums(sums, then, now, changes), { quiet: "9 h128:3.4" });
    assert.deepStrictEqual(reusableSums(sums, then, now, { tables: new Set(), all: true }), {}, "a TRUNCATE");
    assert.deepStrictEqual(reusableSums(sums, then, now, undefined), {}, "no watch");
    assert.deepStrictEqual(reusableSums(sums, {}, {}, changes), {}, "no columns known");
  });

  it("property: a kept sum is the checkpoint's, for an unwritten table with the same columns at both readings", () => {
    const names = fc.constantFrom<string>("a", "b", "c", "d");
    fc.assert(
      fc.property(
        fc.dictionary(names, fc.constantFrom("1 x", "2 y")),
        fc.dictionary(names, fc.constantFrom("s1", "s2")),
        fc.dictionary(names, fc.constantFrom("s1", "s2")),
        fc.uniqueArray(names),
        fc.boolean(),
        (sums, then, now, written, all) => {
          const kept = reusableSums(sums, then, now, { tables: new Set(written), all });
          for (const [table, sum] of Object.entries(kept)) {
            assert.strictEqual(sum, sums[table]);
            assert.ok(!all && !written.includes(table) && then[table] === now[table]);
          }
          for (const table of Object.keys(sums))
            if (!all && !written.includes(table) && then[table] !== undefined && then[table] === now[table])
              assert.ok(table in kept, `${table} could have been kept`);
        },
      ),
    );
  });
});
