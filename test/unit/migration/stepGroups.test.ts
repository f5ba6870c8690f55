import * as assert from "assert";
import fc from "fast-check";
import { planMigration, remainingSteps, stepGroups, type MigrationPlan } from "../../../sdk/migration/plan";
import { ttlWaitMs, type DnsSwitch } from "../../../sdk/migration/steps";
import { withHooks } from "../../../sdk/migration/hooks";
import { postgresDatabase, zfsDirectory } from "../../../sdk/apps/entries/state";
import { itemArb, planInput } from "./arbitraries";

const planArb: fc.Arbitrary<MigrationPlan> = fc
  .uniqueArray(itemArb, { selector: (i) => `${i.app}:${JSON.stringify(i.state)}`, maxLength: 6 })
  .map((items) => planMigration(planInput(items)));

describe("migration step groups (what runs side by side)", () => {
  it("runs each item's verify right after its own final sync, items side by side, and the switch after all", () => {
    const zfs = { app: "files", state: zfsDirectory("/srv/files", "data", []) };
    const db = { app: "chat", state: postgresDatabase("synapse", []) };
    const plan = planMigration(planInput([zfs, db], { keepSource: true }));
    const ids = stepGroups(plan.steps).map((g) => g.map((lane) => lane.map((s) => s.id)));
    const window = ids.find((g) => g.some((lane) => lane[0].startsWith("final-sync:")))!;
    assert.strictEqual(window.length, 2, "one lane per item");
    for (const lane of window) {
      assert.strictEqual(lane.length, 2);
      assert.ok(lane[0].startsWith("final-sync:") && lane[1] === lane[0].replace("final-sync:", "verify:"));
    }
    const at = (id: string) => ids.findIndex((g) => g.some((lane) => lane.includes(id)));
    assert.ok(at("stop-writes") < at(window[0][0]) && at(window[0][0]) < at("switch-dns"));
    assert.deepStrictEqual(ids[at("switch-dns")], [["switch-dns"]]);
  });

  it("property: groups hold every remaining step once, keep plan order within a lane and between groups, and never pair a verify with another item", () => {
    fc.assert(
      fc.property(planArb, fc.nat(), fc.boolean(), (bare, skip, hooked) => {
        const plan = hooked
          ? withHooks(bare, [
              { name: "flush", at: "before-backup", run: ["true"] },
              { name: "smoke", at: "after-restore", run: ["true"] },
            ])
          : bare;
        const todo = remainingSteps(plan, {
          completed: plan.steps.slice(0, skip % (plan.steps.length + 1)).map((s) => s.id),
        });
        const groups = stepGroups(todo);
        const position = new Map(plan.steps.map((s, i) => [s.id, i]));
        // Every step once.
        assert.deepStrictEqual(
          groups
            .flat(2)
            .map((s) => s.id)
            .sort(),
          todo.map((s) => s.id).sort(),
        );
        groups.forEach((group, g) => {
          for (const lane of group) {
            // One item per lane, in plan order.
            assert.strictEqual(new Set(lane.map((s) => s.item)).size, 1);
            lane.forEach((s, i) => i > 0 && assert.ok(position.get(lane[i - 1].id)! < position.get(s.id)!));
          }
          // A step that is not per item runs alone.
          if (group.flat().some((s) => s.item === undefined)) assert.strictEqual(group.flat().length, 1);
          // Every step of a later group comes after every step of this one in the plan.
          const last = Math.max(...group.flat().map((s) => position.get(s.id)!));
          for (const later of groups.slice(g + 1).flat(2)) assert.ok(position.get(later.id)! > last);
        });
      }),
    );
  });
});

describe("waiting out the old DNS TTL", () => {
  const dns: DnsSwitch = {
    apiUrl: "http://127.0.0.1:8081",
    serverId: "localhost",
    apiKey: "k",
    zone: "coop.example.",
    names: ["web.coop.example."],
    ttl: 60,
    switchTtl: 5,
    ttlWaitCapSeconds: 30,
  };
  it("waits the rest of the old TTL (capped) since the lowering, and never when it has run out or was not lowered", () => {
    assert.strictEqual(ttlWaitMs(dns, 1_000, 11_000), 20_000);
    assert.strictEqual(ttlWaitMs({ ...dns, ttl: 10 }, 1_000, 5_000), 6_000);
    assert.strictEqual(ttlWaitMs(dns, 1_000, 40_000), 0);
    assert.strictEqual(ttlWaitMs(dns, undefined, 40_000), 0);
  });
});
