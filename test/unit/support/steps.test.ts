import * as assert from "assert";
import Mocha from "mocha";
import { dependentSteps } from "../../support/steps";

/** Runs a small mocha run of its own (silent) and reports what each test and hook did. */
async function run(
  build: (root: Mocha.Suite, log: string[]) => void,
): Promise<{ log: string[]; failures: string[]; passes: string[] }> {
  const mocha = new Mocha({ reporter: class extends Mocha.reporters.Base {} });
  const log: string[] = [];
  build(mocha.suite, log);
  const failures: string[] = [];
  const passes: string[] = [];
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on("fail", (t: Mocha.Runnable, e: Error) => failures.push(`${t.title}: ${e.message}`));
    runner.on("pass", (t: Mocha.Runnable) => passes.push(t.title));
  });
  return { log, failures, passes };
}

describe("dependentSteps (suites whose tests build on each other)", () => {
  it("stops only its own suite after a failed step: later steps are reported, cleanup and other suites still run", async () => {
    const { log, failures, passes } = await run((root, log) => {
      const steps = Mocha.Suite.create(root, "steps");
      dependentSteps(steps);
      steps.addTest(new Mocha.Test("one", () => void log.push("one")));
      steps.addTest(
        new Mocha.Test("two", () => {
          log.push("two");
          throw new Error("boom");
        }),
      );
      steps.addTest(new Mocha.Test("three", () => void log.push("three")));
      steps.afterAll(() => void log.push("cleanup"));
      const other = Mocha.Suite.create(root, "other");
      other.addTest(new Mocha.Test("independent", () => void log.push("independent")));
    });
    assert.deepStrictEqual(log, ["one", "two", "cleanup", "independent"]);
    assert.deepStrictEqual(passes, ["one", "independent"]);
    assert.strictEqual(failures.length, 2, failures.join("\n"));
    assert.match(failures[0], /^two: boom$/);
    assert.match(failures[1], /not run: the earlier step "two" failed .*\(1 step\(s\) left out/);
  });

  it("runs every step when none fails", async () => {
    const { log, failures } = await run((root, log) => {
      const steps = Mocha.Suite.create(root, "steps");
      dependentSteps(steps);
      for (const t of ["a", "b", "c"]) steps.addTest(new Mocha.Test(t, () => void log.push(t)));
    });
    assert.deepStrictEqual(failures, []);
    assert.deepStrictEqual(log, ["a", "b", "c"]);
  });
});
