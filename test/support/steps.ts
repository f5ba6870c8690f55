import Mocha from "mocha";

/**
 * For a suite whose tests build on each other (each step uses the state the one before left):
 * once a step fails, every later step of the suite fails at once in its `beforeEach` with a
 * message naming the step that failed, instead of running against a half-made state. Unlike
 * mocha's `this.bail(true)`, which stops the WHOLE run at the first failure (every later test
 * file then goes unreported), only this suite stops: its `after` hooks still clean up and the other
 * files still run and are counted.
 *
 *   describe("migration ...", function () {
 *     dependentSteps(this);
 *     it("step 1", ...);
 *     it("step 2", ...);
 *   });
 */
export function dependentSteps(suite: Mocha.Suite): void {
  let failed: string | undefined;
  suite.afterEach(function () {
    const test = this.currentTest;
    if (test?.state === "failed" && failed === undefined) failed = test.title;
  });
  suite.beforeEach(function () {
    if (failed === undefined) return;
    const skipped = this.currentTest?.parent?.tests.filter((t) => t.state === undefined).length ?? 0;
    throw new Error(
      `not run: the earlier step "${failed}" failed and every step of this suite builds on the one before ` +
        `(${skipped} step(s) left out; fix that failure first)`,
    );
  });
}
