/**
 * The continuous part of a bucket replication, as it runs on a host: `rclone sync` on a systemd
 * timer, with both remotes described by environment variables read from a root-only file (the
 * credentials never appear in the unit text or on a command line). Pure: checked and rendered here,
 * delivered to hosts by the host components.
 */
import { bucketNameProblem } from "../../providers/garage/validate";
import { systemdTimerUnit } from "../replication/schedule";

/** An S3 bucket a replication job reads or writes. */
export interface S3Target {
  /** http(s) URL of the S3 endpoint. */
  endpoint: string;
  /** The S3 region. */
  region: string;
  /** The bucket. */
  bucket: string;
}

/** A bucket replication job (rclone sync run by a systemd timer). */
export interface ReplicationSpec {
  /** Job name: systemd unit "sovereign-replicate-<name>". */
  name: string;
  /** Where objects are copied from. */
  source: S3Target;
  /** Where they are copied to. */
  target: S3Target;
  /** systemd OnCalendar expression; default "*:0/15" (every 15 minutes). */
  schedule?: string;
  /** Objects copied at once (rclone --transfers); default 16. */
  transfers?: number;
}

/** A problem with a replication job, by field. */
export interface ReplicationProblem {
  /** The field at fault, e.g. "target.endpoint". */
  field: string;
  /** What is wrong and how to fix it. */
  message: string;
}

function endpointProblem(endpoint: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint))
    return `"${endpoint}" has no scheme; write the full URL, e.g. "https://${endpoint.replace(/^\/+/, "")}"`;
  try {
    const url = new URL(endpoint);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return `"${endpoint}" must be an http:// or https:// URL`;
    if (url.pathname !== "/" || url.search)
      return `"${endpoint}" must be the endpoint only, without a path (the bucket is given apart)`;
  } catch {
    return `"${endpoint}" is not a URL; write it like "https://s3.example.org"`;
  }
  return undefined;
}

const normalEndpoint = (e: string): string => {
  try {
    const u = new URL(e);
    const host = u.hostname === "localhost" ? "127.0.0.1" : u.hostname;
    return `${u.protocol}//${host}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
  } catch {
    return e;
  }
};

/** Every problem of a replication spec, naming the field and the fix; empty when it is fine. */
export function checkReplication(spec: ReplicationSpec): ReplicationProblem[] {
  const out: ReplicationProblem[] = [];
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(spec.name))
    out.push({ field: "name", message: `"${spec.name}" must be lowercase letters, digits and "-"` });
  for (const side of ["source", "target"] as const) {
    const problem = endpointProblem(spec[side].endpoint);
    if (problem) out.push({ field: `${side}.endpoint`, message: problem });
    const bucket = bucketNameProblem(spec[side].bucket);
    if (bucket)
      out.push({ field: `${side}.bucket`, message: `bucket name "${spec[side].bucket}" ${bucket}` });
    if (!spec[side].region)
      out.push({ field: `${side}.region`, message: 'is required, e.g. "garage" or "eu-west-1"' });
  }
  if (
    spec.source.bucket === spec.target.bucket &&
    normalEndpoint(spec.source.endpoint) === normalEndpoint(spec.target.endpoint)
  )
    out.push({
      field: "target",
      message: `is the source bucket itself (${spec.source.bucket} at ${spec.source.endpoint}); replicate to another bucket or another endpoint`,
    });
  if (spec.schedule !== undefined && !/^[\w*:/,. -]+$/.test(spec.schedule))
    out.push({
      field: "schedule",
      message: `"${spec.schedule}" is not a systemd OnCalendar expression such as "hourly" or "*:0/15"`,
    });
  if (
    spec.transfers !== undefined &&
    !(Number.isInteger(spec.transfers) && spec.transfers >= 1 && spec.transfers <= 256)
  )
    out.push({ field: "transfers", message: "must be a whole number from 1 to 256" });
  return out;
}

/** A bucket replication spec with problems, each with its field and fix. */
export class ReplicationSpecError extends Error {
  constructor(
    /** Each problem with its field. */
    readonly problems: readonly ReplicationProblem[],
    what: string,
  ) {
    super(
      `${what} has ${problems.length} problem(s); please fix:\n${problems.map((p) => `  - ${p.field}: ${p.message}`).join("\n")}`,
    );
    this.name = "ReplicationSpecError";
  }
}

/** The systemd units that run a replication job. */
export interface RenderedReplicationJob {
  /** The units' name, "sovereign-replicate-<name>". */
  unitName: string;
  /** The service unit's text. */
  service: string;
  /** The timer unit's text. */
  timer: string;
  /** Path of the environment file on the host; its content is `environment(...)` (a secret). */
  environmentFile: string;
  /** The sync command (no credentials in it). */
  command: string[];
}

const REMOTE = { source: "SRC", target: "DST" } as const;

/** The rclone remote settings for both sides, as environment variables (the file's content). */
export function replicationEnvironment(
  spec: ReplicationSpec,
  credentials: Record<"source" | "target", { accessKeyId: string; secretAccessKey: string }>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const side of ["source", "target"] as const) {
    const p = `RCLONE_CONFIG_${REMOTE[side]}_`;
    Object.assign(env, {
      [`${p}TYPE`]: "s3",
      [`${p}PROVIDER`]: "Other",
      [`${p}ENDPOINT`]: spec[side].endpoint,
      [`${p}REGION`]: spec[side].region,
      [`${p}FORCE_PATH_STYLE`]: "true",
      [`${p}ACCESS_KEY_ID`]: credentials[side].accessKeyId,
      [`${p}SECRET_ACCESS_KEY`]: credentials[side].secretAccessKey,
    });
  }
  return env;
}

/**
 * The systemd units for a replication job. Pure; throws a ReplicationSpecError listing every problem of
 * the spec.
 */
export function renderReplicationJob(
  spec: ReplicationSpec,
  rclone = "/usr/bin/rclone",
): RenderedReplicationJob {
  const problems = checkReplication(spec);
  if (problems.length) throw new ReplicationSpecError(problems, `bucket replication "${spec.name}"`);
  const unitName = `sovereign-replicate-${spec.name}`;
  const environmentFile = `/run/secrets/${unitName}.env`;
  // --checksum: compare size and MD5 (from the listing), as the one-shot sync does.
  const command = [
    rclone,
    "sync",
    "--checksum",
    "--fast-list",
    `--transfers=${spec.transfers ?? 16}`,
    `${REMOTE.source}:${spec.source.bucket}`,
    `${REMOTE.target}:${spec.target.bucket}`,
  ];
  const service = [
    "[Unit]",
    `Description=Replicate bucket ${spec.source.bucket} (${spec.source.endpoint}) to ${spec.target.bucket} (${spec.target.endpoint})`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=oneshot",
    `EnvironmentFile=${environmentFile}`,
    `ExecStart=${command.join(" ")}`,
    "DynamicUser=yes",
    "PrivateTmp=yes",
    "ProtectSystem=strict",
    "NoNewPrivileges=yes",
    "",
  ].join("\n");
  const timer = systemdTimerUnit(
    `Replicate bucket ${spec.source.bucket} on a schedule`,
    spec.schedule ?? "*:0/15",
  );
  return { unitName, service, timer, environmentFile, command };
}

/**
 * The environment to run the rendered rclone command with, here and now: the remotes on top of
 * `base` without AWS_CA_BUNDLE, which rclone 1.60 cannot apply to its own HTTP transport (it fails
 * with "LoadCustomCABundleError ... unsupported transport"); a host's unit never sets it.
 */
export function rcloneProcessEnv(
  remotes: Record<string, string>,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...remotes };
  delete env.AWS_CA_BUNDLE;
  return env;
}
