/**
 * The serializable description of a replication job: what the CLI reads (from the component's
 * command, or from a host's config file under a systemd timer) and turns into runner calls.
 * Validation lives here so that the component, the CLI and the renderer give the same messages.
 */
import type { SshConnection } from "./executor";
import {
  validateDatasetName,
  validateRetention,
  validateSnapshotPrefix,
  type RetentionPolicy,
} from "./zfsPlan";

export type JobAction = "replicate" | "final-sync" | "prune" | "plan";

export interface JobEndpoint {
  readonly dataset: string;
  /** Absent: the dataset is on the machine that runs the job. */
  readonly ssh?: SshConnection;
}

export interface JobSpec {
  readonly action: JobAction;
  readonly source: JobEndpoint;
  readonly target: JobEndpoint;
  readonly snapshotPrefix?: string;
  readonly force?: boolean;
  /** Applied on both sides after a successful replicate / final sync, or alone with `prune`. */
  readonly retention?: RetentionPolicy;
  /** final-sync: argv run on the source host to stop the app. */
  readonly stopApp?: readonly string[];
  readonly promoteTarget?: boolean;
  readonly warmPasses?: number;
}

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
      if (!endpoint.ssh.host) errors.push(`${side}.ssh.host is required`);
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
  if (spec.stopApp !== undefined && (!Array.isArray(spec.stopApp) || spec.stopApp.length === 0)) {
    errors.push('stopApp must be a non-empty argv array, e.g. ["systemctl", "stop", "nextcloud"]');
  }
  if (spec.warmPasses !== undefined && !(Number.isInteger(spec.warmPasses) && spec.warmPasses >= 0)) {
    errors.push(`warmPasses must be a whole number >= 0, got ${spec.warmPasses}`);
  }
  return errors;
}

export function assertValidJobSpec(spec: JobSpec, what = "ZFS replication job"): void {
  const errors = validateJobSpec(spec);
  if (errors.length > 0) throw new Error(`invalid ${what}; please fix:\n  - ${errors.join("\n  - ")}`);
}
