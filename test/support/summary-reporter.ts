import * as fs from "fs";
import * as path from "path";
import Mocha from "mocha";

/**
 * Mocha's spec output, plus a machine-readable summary: the counts are written to the file named by
 * SOVEREIGN_TEST_SUMMARY (JSON), and one closing line `N passed, N failed` is printed, which is
 * what CI reads.
 */
class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      const out = process.env.SOVEREIGN_TEST_SUMMARY;
      if (out) {
        fs.mkdirSync(path.dirname(out), { recursive: true });
        const summary = { passed: stats.passes, failed: stats.failures, pending: stats.pending };
        fs.writeFileSync(out, JSON.stringify(summary));
      }
      process.stdout.write(`\n${stats.passes} passed, ${stats.failures} failed\n`);
    });
  }
}

export = SummaryReporter;
