/**
 * The serializable description of a replication job: what the CLI reads (from the component's
 * command, or from a host's config file under a systemd timer) and turns into runner calls.
 * Validation lives here so that the component, the CLI and the renderer give the same messages.
 */
import type { SshConnection } from "./executor";
import { sshConnectionProblems } from "./sshTarget";
import {
  validateDatasetName,
  validateRetention,
  validateSnapshotPrefix,
  type RetentionPolicy,
} from "./zfsPlan";

/** What a replication job run does: replicate, a final sync before cutover, prune snapshots, or only plan. */
export type JobAction = "replicate" | "final-sync" | "prune" | "plan";

/** One side of a replication job: a dataset, local or over SSH. */
export interface JobEndpoint {
  /** The ZFS dataset, e.g. "tank/apps/forgejo". */
  readonly dataset: string;
  /** Absent: the dataset is on the machine that runs the job. */
  readonly ssh?: SshConnection;
}

/**
 * A replication job as the runner (cli.ts) reads it: what to do, between which datasets, with which
 * policies.
 */
export interface JobSpec {
  /** What the run does. */
  readonly action: JobAction;
  /** Where the data comes from. */
  readonly source: JobEndpoint;
  /** Where it goes. */
  readonly target: JobEndpoint;
  /** Prefix of the snapshots the job takes and prunes; default derived from the target. */
  readonly snapshotPrefix?: string;
  /**
   * Overwrite a diverged target, once: the token is recorded on the target after the run, and a
   * later run with the same token is not forced again. Give a new token for another forced run.
   */
  readonly forceToken?: string;
  /** Applied on both sides after a successful replicate / final sync, or alone with `prune`. */
  readonly retention?: RetentionPolicy;
  /** final-sync: argv run on the source host to stop the app. */
  readonly stopApp?: readonly string[];
  /** final-sync: argv run on the source host to start the app again when the final sync fails. */
  readonly startApp?: readonly string[];
  /** final-sync: make the target writable (promote it) after the final copy; default false. */
  readonly promoteTarget?: boolean;
  /** final-sync: incremental passes made while the app still runs, before stopping it; default 1. */
  readonly warmPasses?: number;
  /** How long to wait for another run of a job on the same source dataset (default 600). */
  readonly lockTimeoutSeconds?: number;
}

/** Snapshots kept by default: 24 hourly, 7 daily, 4 weekly, 6 monthly. */
export const DEFAULT_RETENTION: RetentionPolicy = { hourly: 24, daily: 7, weekly: 4, monthly: 6 };

const ACTIONS: readonly JobAction[] = ["replicate", "final-sync", "prune", "plan"];

/** Every problem with a spec, each phrased so that a person can fix it. Empty when valid. */
export function validateJobSpec(spec: JobSpec): string[] {
  const errors: string[] = [];
  if (!ACTIONS.includes(spec.action))
    errors.push(`action must be one of ${ACTIONS.join(", ")}, got ${JSON.stringify(spec.action)}`);
  for (const side of ["source", "target"] as const) {
    const endpoint = spec[side];
    if (!endpoint || typeof endpoint.dataset !== "string") {
      errors.push(`${side}.dataset is required`);
      continue;
    }
    const bad = validateDatasetName(endpoint.dataset);
    if (bad) errors.push(`${side}: ${bad}`);
    if (endpoint.ssh) {
      errors.push(...sshConnectionProblems(`${side}.ssh`, endpoint.ssh));
      if (
        endpoint.ssh.port !== undefined &&
        !(Number.isInteger(endpoint.ssh.port) && endpoint.ssh.port > 0 && endpoint.ssh.port < 65536)
      ) {
        errors.push(`${side}.ssh.port must be 1-65535, got ${endpoint.ssh.port}`);
      }
      if (!endpoint.ssh.privateKey && !endpoint.ssh.privateKeyPath) {
        errors.push(`${side}.ssh needs privateKey (a secret) or privateKeyPath`);
      }
    }
  }
  if (
    spec.source?.dataset === spec.target?.dataset &&
    (spec.source?.ssh?.host ?? "") === (spec.target?.ssh?.host ?? "") &&
    (spec.source?.ssh?.port ?? 22) === (spec.target?.ssh?.port ?? 22)
  ) {
    errors.push(`source and target are the same dataset (${spec.source?.dataset}) on the same host`);
  }
  if (spec.snapshotPrefix !== undefined) {
    const bad = validateSnapshotPrefix(spec.snapshotPrefix);
    if (bad) errors.push(bad);
  }
  if (spec.retention) errors.push(...validateRetention(spec.retention));
  if (spec.action === "prune" && !spec.retention) errors.push("action prune needs retention");
  const force = (spec as { force?: unknown }).force;
  if (force !== undefined) {
    errors.push(
      `force is not a job setting: use forceToken, a string that forces one run only (e.g. "overwrite-dr-2026-11-26")`,
    );
  }
  if (spec.forceToken !== undefined) {
    const bad = forceTokenProblem(spec.forceToken);
    if (bad) errors.push(`forceToken ${bad}`);
  }
  for (const [key, example] of [
    ["stopApp", "stop"],
    ["startApp", "start"],
  ] as const) {
    const argv = spec[key];
    if (
      argv !== undefined &&
      (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== "string"))
    )
      errors.push(`${key} must be a non-empty argv array, e.g. ["systemctl", "${example}", "nextcloud"]`);
  }
  if (spec.stopApp !== undefined && spec.startApp === undefined) {
    errors.push(
      'stopApp needs startApp too (e.g. ["systemctl", "start", "nextcloud"]): it restarts the app on the source if the final sync fails',
    );
  }
  if (
    spec.lockTimeoutSeconds !== undefined &&
    !(Number.isInteger(spec.lockTimeoutSeconds) && spec.lockTimeoutSeconds >= 0)
  ) {
    errors.push(`lockTimeoutSeconds must be a whole number >= 0, got ${spec.lockTimeoutSeconds}`);
  }
  if (spec.warmPasses !== undefined && !(Number.isInteger(spec.warmPasses) && spec.warmPasses >= 0)) {
    errors.push(`warmPasses must be a whole number >= 0, got ${spec.warmPasses}`);
  }
  return errors;
}

/** Why a force token is unusable, or undefined (it is stored as a ZFS user property on the target). */
export function forceTokenProblem(token: unknown): string | undefined {
  if (typeof token !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,127}$/.test(token))
    return `${JSON.stringify(token)} must be 1-128 letters, digits, "_", ".", ":", "+", "-" (e.g. "overwrite-dr-2026-11-26")`;
  return undefined;
}

/**
 * Checks a job spec; throws an Error listing every problem by field. @param what how the job is named in
 * the message
 */
export function assertValidJobSpec(spec: JobSpec, what = "ZFS replication job"): void {
  const errors = validateJobSpec(spec);
  if (errors.length > 0) throw new Error(`invalid ${what}; please fix:\n  - ${errors.join("\n  - ")}`);
}
