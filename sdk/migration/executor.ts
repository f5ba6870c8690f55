/**
 * Runs a migration plan: the remaining steps in order, each timed, with the downtime probe
 * running throughout. A failing step ends the run with the source serving (its apps restarted if
 * they had been stopped and clients were not yet switched) and the progress the next run resumes
 * from (plan.ts, afterFailure): a destructive step that completed is never run again.
 */
import {
  afterFailure,
  remainingSteps,
  stepGroups,
  type MigrationPlan,
  type MigrationProgress,
  type MigrationStep,
} from "./plan";
import { releaseCheckpoints, runStep, type StepContext } from "./steps";

/** How long one step took and what it reported, as a run records it. */
export interface StepTiming {
  /** The step's id ({@link MigrationStep.id}). */
  readonly id: string;
  /** Wall-clock time the step took, in seconds (fractional). */
  readonly seconds: number;
  /** When it started (ms since the epoch): steps of one group run side by side. */
  readonly startedAt?: number;
  /** The step's short report (bytes moved, what was verified), or `FAILED: <message>`. */
  readonly note: string;
}

/** The result of {@link runMigration}: how far it got, how long each step took, and any failure. */
export interface MigrationRun {
  /**
   * The progress to record for the next run: every completed step, or after a failure before the
   * DNS switch, the completed steps outside the write window ({@link afterFailure}).
   */
  readonly progress: MigrationProgress;
  /** One entry per step this run attempted, failed ones included, in the order they finished. */
  readonly timings: readonly StepTiming[];
  /** Set when a step failed: the run stopped there. */
  readonly failure?: {
    /** The id of the step that failed (the first in plan order when parallel steps failed). */
    readonly step: string;
    /** Its error message (and the restart's, if restarting the source's apps failed too). */
    readonly message: string;
    /** The source's apps were stopped by this migration and were started again successfully. */
    readonly sourceRestarted: boolean;
  };
}

export interface RunOptions {
  /** A drill: fail this step (by id or kind) as if it had failed, to rehearse the recovery. */
  readonly failAt?: string;
}

/**
 * Runs the steps of `plan` that `progress` has not completed, in order, grouped by
 * {@link stepGroups}: consecutive per-item steps run side by side, one lane per item (an item's
 * verify right after its own final sync). Each step is logged through `ctx.log` and timed.
 * A failing step does not reject: the run stops after its batch and resolves with `failure` set and
 * the progress to resume from; before the DNS switch, the source's apps are started again if the
 * migration had stopped them. `options.failAt` (a step id or kind) injects a failure for a drill.
 */
export async function runMigration(
  plan: MigrationPlan,
  ctx: StepContext,
  progress: MigrationProgress,
  options: RunOptions = {},
): Promise<MigrationRun> {
  const timings: StepTiming[] = [];
  let completed = [...progress.completed];
  for (const group of stepGroups(remainingSteps(plan, progress))) {
    const runOne = async (step: MigrationStep) => {
      const started = Date.now();
      ctx.log(`step ${step.id}: ${step.description}`);
      try {
        if (options.failAt === step.id || options.failAt === step.kind)
          throw new Error(`failure injected at ${step.id} (failAt: "${options.failAt}")`);
        const note = await runStep(ctx, step);
        const seconds = (Date.now() - started) / 1000;
        timings.push({ id: step.id, seconds, note, startedAt: started });
        completed = [...completed, step.id];
        ctx.log(`step ${step.id} done in ${seconds.toFixed(1)} s: ${note}`);
      } catch (error) {
        timings.push({
          id: step.id,
          seconds: (Date.now() - started) / 1000,
          note: `FAILED: ${(error as Error).message}`,
          startedAt: started,
        });
        throw error;
      }
    };
    // A lane stops at its first failure; the other lanes of the group finish.
    const failures = new Map<string, Error>();
    await Promise.all(
      group.map(async (lane) => {
        for (const step of lane)
          try {
            await runOne(step);
          } catch (error) {
            failures.set(step.id, error as Error);
            return;
          }
      }),
    );
    // The first failed step in plan order names the failure.
    const step = plan.steps.find((s) => failures.has(s.id));
    if (!step) continue;
    const message = failures.get(step.id)!.message;
    const outcome = afterFailure(plan, { completed }, step.id);
    await releaseCheckpoints(ctx);
    if (!outcome.restartSource)
      return {
        progress: outcome.progress,
        timings,
        failure: { step: step.id, message, sourceRestarted: false },
      };
    ctx.log(`step ${step.id} failed; starting the apps again at ${ctx.source.side.name}`);
    try {
      await ctx.source.runApp(ctx.app, "start");
    } catch (startError) {
      return {
        progress: outcome.progress,
        timings,
        failure: {
          step: step.id,
          message: `${message}; AND restarting the apps at ${ctx.source.side.name} failed: ${(startError as Error).message}`,
          sourceRestarted: false,
        },
      };
    }
    return {
      progress: outcome.progress,
      timings,
      failure: { step: step.id, message, sourceRestarted: true },
    };
  }
  return { progress: { completed }, timings };
}
