/**
 * Runs a migration plan: the remaining steps in order, each timed, with the downtime probe
 * running throughout. A failing step ends the run with the source serving (its apps restarted if
 * they had been stopped and clients were not yet switched) and the progress the next run resumes
 * from (plan.ts, afterFailure): a destructive step that completed is never run again.
 */
import {
  afterFailure,
  remainingSteps,
  type MigrationPlan,
  type MigrationProgress,
  type MigrationStep,
} from "./plan";
import { runStep, type StepContext } from "./steps";

export interface StepTiming {
  readonly id: string;
  readonly seconds: number;
  readonly note: string;
}

export interface MigrationRun {
  readonly progress: MigrationProgress;
  readonly timings: readonly StepTiming[];
  /** Set when a step failed: the run stopped there. */
  readonly failure?: { readonly step: string; readonly message: string; readonly sourceRestarted: boolean };
}

export interface RunOptions {
  /** A drill: fail this step (by id or kind) as if it had failed, to rehearse the recovery. */
  readonly failAt?: string;
}

/** Per-item steps of one kind touch different data: they run side by side (shorter downtime). */
const PARALLEL_KINDS = new Set(["preseed", "final-sync", "verify"]);

function batches(steps: readonly MigrationStep[]): MigrationStep[][] {
  const out: MigrationStep[][] = [];
  for (const step of steps) {
    const last = out[out.length - 1];
    if (last && PARALLEL_KINDS.has(step.kind) && last[0].kind === step.kind) last.push(step);
    else out.push([step]);
  }
  return out;
}

export async function runMigration(
  plan: MigrationPlan,
  ctx: StepContext,
  progress: MigrationProgress,
  options: RunOptions = {},
): Promise<MigrationRun> {
  const timings: StepTiming[] = [];
  let completed = [...progress.completed];
  for (const batch of batches(remainingSteps(plan, progress))) {
    const results = await Promise.allSettled(
      batch.map(async (step) => {
        const started = Date.now();
        ctx.log(`step ${step.id}: ${step.description}`);
        try {
          if (options.failAt === step.id || options.failAt === step.kind)
            throw new Error(`failure injected at ${step.id} (failAt: "${options.failAt}")`);
          const note = await runStep(ctx, step);
          const seconds = (Date.now() - started) / 1000;
          timings.push({ id: step.id, seconds, note });
          ctx.log(`step ${step.id} done in ${seconds.toFixed(1)} s: ${note}`);
        } catch (error) {
          timings.push({
            id: step.id,
            seconds: (Date.now() - started) / 1000,
            note: `FAILED: ${(error as Error).message}`,
          });
          throw error;
        }
      }),
    );
    batch.forEach((step, i) => {
      if (results[i].status === "fulfilled") completed = [...completed, step.id];
    });
    const failedAt = results.findIndex((r) => r.status === "rejected");
    if (failedAt < 0) continue;
    const step = batch[failedAt];
    const message = ((results[failedAt] as PromiseRejectedResult).reason as Error).message;
    const outcome = afterFailure(plan, { completed }, step.id);
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
