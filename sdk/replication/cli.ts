/**
 * `node bin/sdk/replication/cli.js [--config FILE]`: runs one replication job described by a JobSpec
 * (JSON on stdin, or in FILE), prints the JSON report on stdout and progress on stderr, and exits
 * non-zero with the reason when it fails. Pulumi's command resources and the hosts' systemd timers
 * both run this, so the behaviour is the same from `pulumi up` and from the schedule.
 */
import * as fs from "fs";
import { LocalExecutor, SshExecutor, type Executor } from "./executor";
import { forceAllowed, recordForceToken } from "./forceToken";
import { withHostLock } from "./hostLock";
import { assertValidJobSpec, type JobEndpoint, type JobSpec } from "./jobSpec";
import { DivergedTargetError } from "./zfsPlan";
import { finalSync, planReplication, prune, replicate, type ReplicationJob } from "./zfsRunner";

export { validateJobSpec } from "./jobSpec";

const DEFAULT_LOCK_TIMEOUT_SECONDS = 600;

function executorFor(endpoint: JobEndpoint): Executor {
  return endpoint.ssh ? new SshExecutor(endpoint.ssh) : new LocalExecutor();
}

/**
 * Runs one replication job (replicate, final-sync, prune or plan) from its spec, logging progress lines
 * to `log`; returns the job's report. Throws on failure (e.g. a diverged target without a force token).
 */
export async function runJob(spec: JobSpec, log: (line: string) => void): Promise<unknown> {
  assertValidJobSpec(spec);
  const source = executorFor(spec.source);
  const target = executorFor(spec.target);
  try {
    // The timer's runs and `pulumi up`'s runs of jobs on this source take turns.
    return await withHostLock(
      source,
      spec.source.dataset,
      spec.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
      () => runLocked(spec, source, target, log),
    );
  } finally {
    source.close();
    target.close();
  }
}

async function runLocked(
  spec: JobSpec,
  source: Executor,
  target: Executor,
  log: (line: string) => void,
): Promise<unknown> {
  const targetEndpoint = { executor: target, dataset: spec.target.dataset };
  const force = await forceAllowed(targetEndpoint, spec.forceToken);
  if (spec.forceToken !== undefined && !force)
    log(`forceToken ${spec.forceToken} was used before on ${spec.target.dataset}: this run is not forced`);
  const job: ReplicationJob = {
    source: { executor: source, dataset: spec.source.dataset },
    target: targetEndpoint,
    snapshotPrefix: spec.snapshotPrefix,
    force,
    log,
  };
  const result = await runAction(spec, job);
  if (spec.forceToken !== undefined && spec.action !== "plan")
    await recordForceToken(targetEndpoint, spec.forceToken);
  return result;
}

async function runAction(spec: JobSpec, job: ReplicationJob): Promise<unknown> {
  switch (spec.action) {
    case "plan": {
      const { plan, capabilities } = await planReplication(job);
      return { action: "plan", plan, capabilities };
    }
    case "prune":
      return { action: "prune", prune: await prune(job, spec.retention!) };
    case "replicate": {
      const report = await replicate(job);
      const pruned = spec.retention ? await prune(job, spec.retention) : undefined;
      return { action: "replicate", report, pruned: pruned?.destroyed ?? [] };
    }
    case "final-sync": {
      const report = await finalSync(job, {
        stopApp: spec.stopApp,
        startApp: spec.startApp,
        promoteTarget: spec.promoteTarget,
        warmPasses: spec.warmPasses,
      });
      return { action: "final-sync", report };
    }
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(argv: string[]): Promise<number> {
  const configIndex = argv.indexOf("--config");
  const text = configIndex >= 0 ? fs.readFileSync(argv[configIndex + 1], "utf8") : await readStdin();
  let spec: JobSpec;
  try {
    spec = JSON.parse(text) as JobSpec;
  } catch (error) {
    process.stderr.write(`job spec is not valid JSON: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    const result = await runJob(spec, (line) => process.stderr.write(`[zfs] ${line}\n`));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${error instanceof DivergedTargetError ? "" : "replication failed: "}${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
