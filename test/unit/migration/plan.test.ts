import * as assert from "assert";
import fc from "fast-check";
import { appDefinition } from "../../../sdk/apps/catalog";
import {
  afterFailure,
  describePlan,
  planMigration,
  remainingSteps,
  STEP_KINDS,
  type MigrationItem,
  type MigrationPlan,
  type MigrationPlanInput,
} from "../../../sdk/migration/plan";
import { itemArb } from "./arbitraries";

const matrixItems: MigrationItem[] = appDefinition("matrix").state.map((state) => ({ app: "chat", state }));

function input(overrides: Partial<MigrationPlanInput> = {}): MigrationPlanInput {
  return {
    site: "local",
    source: "dc-a",
    target: "dc-b",
    items: matrixItems,
    ttl: 3600,
    switchTtl: 60,
    keepSource: false,
    ...overrides,
  };
}

const planArb: fc.Arbitrary<MigrationPlan> = fc
  .record({
    items: fc.uniqueArray(itemArb, {
      selector: (i) => `${i.app}:${JSON.stringify(i.state)}`,
      maxLength: 6,
    }),
    keepSource: fc.boolean(),
  })
  .map(({ items, keepSource }) => planMigration(input({ items, keepSource })));

const indexOf = (plan: MigrationPlan, id: string) => plan.steps.findIndex((s) => s.id === id);

describe("migration planner", () => {
  it("orders the steps of moving Synapse's state: pre-seed while serving, verify before the switch, retire last", () => {
    const plan = planMigration(input());
    const kinds = plan.steps.map((s) => s.kind);
    // Each kind of step appears, in the order STEP_KINDS declares (no keep-source: it retires).
    assert.deepStrictEqual(
      [...new Set(kinds)],
      STEP_KINDS.filter((k) => k !== "keep-source-stopped" && k !== "hook"),
    );
    // Every state item of the catalog entry is pre-seeded, synced and verified.
    for (const kind of ["preseed", "final-sync", "verify"])
      assert.strictEqual(plan.steps.filter((s) => s.kind === kind).length, matrixItems.length);
    assert.match(describePlan(plan).join("\n"), /\[destructive\] retire-source: retire dc-a/);
  });

  it("plans nothing when the datacenter does not change", () => {
    assert.deepStrictEqual(planMigration(input({ target: "dc-a" })).steps, []);
  });

  it("keeps the source stopped instead of retiring it when asked", () => {
    const plan = planMigration(input({ keepSource: true }));
    assert.ok(plan.steps.some((s) => s.kind === "keep-source-stopped"));
    assert.ok(!plan.steps.some((s) => s.kind === "retire-source"));
  });

  it("refuses an item declared twice, naming it", () => {
    assert.throws(
      () => planMigration(input({ items: [matrixItems[0], matrixItems[0]] })),
      /declared twice: chat:database:synapse/,
    );
  });

  it("property: no destructive step before the last verify, no write window before every pre-seed", () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const lastVerify = Math.max(...plan.steps.map((s, i) => (s.kind === "verify" ? i : -1)));
        const lastPreseed = Math.max(...plan.steps.map((s, i) => (s.kind === "preseed" ? i : -1)));
        plan.steps.forEach((s, i) => {
          if (s.destructive) assert.ok(i > lastVerify, `${s.id} runs before verify`);
          if (s.inWriteWindow) assert.ok(i > lastPreseed, `${s.id} runs before the pre-seed ended`);
        });
        assert.ok(indexOf(plan, "lower-ttl") < indexOf(plan, "switch-dns"));
        assert.strictEqual(new Set(plan.steps.map((s) => s.id)).size, plan.steps.length);
      }),
    );
  });

  it("property: whatever step fails, the resumed run never repeats a destructive step and ends with every step done", () => {
    fc.assert(
      fc.property(planArb, fc.array(fc.nat(), { maxLength: 4 }), (plan, failurePoints) => {
        // Run the plan repeatedly, failing at the given positions of each run's remaining steps.
        let progress = { completed: [] as string[] };
        const ranDestructive: string[] = [];
        let restartedAfterSwitch = false;
        for (const point of [...failurePoints, -1]) {
          const todo = remainingSteps(plan, progress);
          const failAt = point < 0 || todo.length === 0 ? -1 : point % todo.length;
          let failed: string | undefined;
          for (const [i, step] of todo.entries()) {
            if (i === failAt) {
              failed = step.id;
              break;
            }
            if (step.destructive) ranDestructive.push(step.id);
            progress = { completed: [...progress.completed, step.id] };
          }
          if (failed) {
            const outcome = afterFailure(plan, progress, failed);
            if (outcome.restartSource && progress.completed.includes("switch-dns"))
              restartedAfterSwitch = true;
            progress = { completed: [...outcome.progress.completed] };
          }
        }
        assert.deepStrictEqual(remainingSteps(plan, progress), []);
        assert.strictEqual(
          new Set(ranDestructive).size,
          ranDestructive.length,
          `repeated: ${ranDestructive}`,
        );
        assert.ok(!restartedAfterSwitch, "the source was restarted after clients were switched");
      }),
    );
  });

  it("a failure at verify restarts the source and forgets the write window, keeping the pre-seed", () => {
    const plan = planMigration(input());
    const upToVerify = plan.steps
      .slice(
        0,
        plan.steps.findIndex((s) => s.kind === "verify"),
      )
      .map((s) => s.id);
    const outcome = afterFailure(plan, { completed: upToVerify }, plan.steps[upToVerify.length].id);
    assert.strictEqual(outcome.restartSource, true);
    assert.ok(outcome.progress.completed.includes("lower-ttl"));
    assert.ok(!outcome.progress.completed.includes("stop-writes"));
    assert.ok(!outcome.progress.completed.some((id) => id.startsWith("final-sync")));
    assert.ok(
      !outcome.progress.completed.some((id) => id.startsWith("pre-verify")),
      "the checkpoint lives in the run that took it: the next run takes it again",
    );
  });

  it("pre-verifies each streamed database (and nothing else) after the TTL is lowered, before the stop", () => {
    const plan = planMigration(input());
    const streamed = matrixItems.filter((i) => i.state.strategy === "db-streaming-replication");
    assert.ok(streamed.length > 0 && streamed.length < matrixItems.length);
    const pre = plan.steps.filter((s) => s.kind === "pre-verify");
    assert.deepStrictEqual(
      pre.map((s) => s.strategy),
      streamed.map(() => "db-streaming-replication"),
    );
    for (const step of pre) {
      assert.ok(indexOf(plan, "lower-ttl") < indexOf(plan, step.id));
      assert.ok(indexOf(plan, step.id) < indexOf(plan, "stop-writes"));
      assert.strictEqual(step.inWriteWindow, false, "it runs while the source serves");
      assert.strictEqual(step.destructive, false);
    }
  });
});
