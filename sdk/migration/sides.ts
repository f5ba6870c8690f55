/**
 * What the migration knows about a datacenter (non-secret, kept in the resource's inputs), its
 * secrets (from the stack config, never in the state), and where each piece of an app's state
 * lives there. The naming is pure and shared by both sides, so "the same data" is the same name.
 */
import { createHash } from "crypto";
import type { MigrationItem } from "./plan";

/**
 * A datacenter as a migration or standby reaches it: the non-secret part, kept in the resources'
 * inputs (its credentials are {@link DatacenterSecrets}, from the stack config).
 */
export interface DatacenterSide {
  /** The datacenter's name, e.g. "dc-a"; the key it is described under. */
  readonly name: string;
  /** The address the site's names point at while this datacenter serves. */
  readonly address: string;
  /** The site's host there, reached over SSH (ZFS, app start/stop). */
  readonly ssh: {
    /** Host name or address of the site host. */
    readonly host: string;
    /** SSH port, usually 22. */
    readonly port: number;
    /** Login user; its private key is {@link DatacenterSecrets.sshPrivateKey}. */
    readonly user: string;
    /** Path (on the machine running Pulumi) of the known_hosts file the host key is checked against. */
    readonly knownHostsPath: string;
  };
  /** Parent dataset of the site's datasets, e.g. "dca/site". */
  readonly zfsRoot: string;
  /** The PostgreSQL cluster holding the site's databases there (password in the secrets). */
  readonly postgres: {
    /** Host name or address of the cluster. */
    readonly host: string;
    /** Its port, usually 5432. */
    readonly port: number;
    /** A role allowed to create databases and replication subscriptions. */
    readonly user: string;
  };
  /** The Garage cluster holding the site's buckets there (admin token in the secrets). */
  readonly garage: {
    /** The URL of its S3 API. */
    readonly s3Endpoint: string;
    /** The admin API URL (buckets and keys are made through it). */
    readonly adminUrl: string;
    /** The S3 region the cluster is configured with (Garage's `s3_region`). */
    readonly region: string;
  };
}

/**
 * A datacenter's credentials: the JSON value of the stack config secret
 * `sovereign:datacenterSecrets` (one entry per datacenter name).
 */
export interface DatacenterSecrets {
  /** OpenSSH private key text for `ssh.user`. */
  readonly sshPrivateKey: string;
  /** Password of `postgres.user`. */
  readonly postgresPassword: string;
  /** Token of the Garage admin API at `garage.adminUrl`. */
  readonly garageAdminToken: string;
}

/**
 * The stack config key holding every datacenter's {@link DatacenterSecrets}, as a secret JSON
 * object keyed by datacenter name. A migration that needs a datacenter without an entry fails
 * with an error naming the key.
 */
export const DATACENTER_SECRETS_CONFIG = "sovereign:datacenterSecrets";

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");

/**
 * A site's database name in a datacenter's PostgreSQL cluster: `<site>_<app>_<name>`, lower-case
 * letters, digits and `_`. Clusters are shared by every site at the datacenter, so the site is part
 * of the name (two sites running the same app must not meet in one database); a name longer than
 * PostgreSQL's 63 bytes is cut and given a hash of the whole, so it stays unique.
 */
export function databaseName(site: string, app: string, name: string): string {
  const full = `${site}_${app}_${name}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  if (full.length <= 63) return full;
  return `${full.slice(0, 54)}_${createHash("sha256").update(full).digest("hex").slice(0, 8)}`;
}

/** Where an item lives at a datacenter: a dataset, a database or a bucket name. */
export function locationOf(site: string, side: Pick<DatacenterSide, "zfsRoot">, item: MigrationItem): string {
  const s = item.state;
  switch (s.kind) {
    case "directory":
      return `${side.zfsRoot}/${slug(`${item.app}-${s.path}`)}`;
    case "database":
      return databaseName(site, item.app, s.name);
    case "bucket":
      return slug(`${site}-${item.app}-${s.name}`);
  }
}

/** The problems of one side's description, each naming its field. */
export function sideProblems(field: string, side: unknown): string[] {
  if (typeof side !== "object" || side === null) return [`${field} must be a mapping`];
  const s = side as Record<string, unknown>;
  const problems: string[] = [];
  const text = (name: string, v: unknown) =>
    typeof v === "string" && v.length > 0 ? undefined : `${field}.${name} must be a non-empty string`;
  for (const [name, v] of [
    ["name", s.name],
    ["address", s.address],
    ["zfsRoot", s.zfsRoot],
  ] as const) {
    const p = text(name, v);
    if (p) problems.push(p);
  }
  if (typeof s.zfsRoot === "string" && !/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)+$/.test(s.zfsRoot))
    problems.push(`${field}.zfsRoot "${s.zfsRoot}" must be a dataset under a pool, e.g. "tank/site"`);
  for (const part of ["ssh", "postgres", "garage"])
    if (typeof s[part] !== "object" || s[part] === null) problems.push(`${field}.${part} must be a mapping`);
  return problems;
}

/** The argv with `{address}`, `{datacenter}` and `{root}` replaced by the side's values. */
export function expandCommand(argv: readonly string[], vars: Record<string, string>): string[] {
  return argv.map((arg) => arg.replace(/\{(\w+)\}/g, (whole, key: string) => vars[key] ?? whole));
}
