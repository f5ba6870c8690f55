import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./repo";
import type { ZfsPool } from "./types";

export const SERVICE_NAMES = [
  "powerdns",
  "zfs",
  "postgres",
  "sshd",
  "garage",
  "netbox",
  "identity",
  "dc-a",
  "dc-b",
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** What `env up` recorded about one running service: enough to use it, and to stop it later. */
export interface ServiceRecord {
  name: ServiceName;
  dir: string;
  logFile: string;
  pids: number[];
  /** Start time of each pid (see processStartTime), so that `down` never signals a reused pid. */
  startTimes: string[];
  stopSignal?: NodeJS.Signals;
  endpoints: Record<string, string | number>;
  credentials: Record<string, string>;
  zfs?: { leaseId: string; pools: ZfsPool[] };
  /** A persistent home (see serviceHome): `down` keeps it, `wipe` deletes it. */
  home?: string;
  /** NetBox: its PostgreSQL and Redis dirs, and its instance dir in the cached tree. */
  netbox?: { installDir: string; instanceDir: string; partDirs: string[] };
  /** A datacenter (datacenter.ts): the records of its services, stopped in reverse order. */
  parts?: ServiceRecord[];
  /** More dirs the service owns besides `dir` (Keycloak's own PostgreSQL cluster), removed on stop. */
  extraDirs?: string[];
  startedAt: string;
}

export interface EnvState {
  services: Partial<Record<ServiceName, ServiceRecord>>;
}

/** `<repo>/.state/env.json`; SOVEREIGN_ENV_STATE points elsewhere (the harness's own tests use that). */
export function envStateFile(): string {
  return process.env.SOVEREIGN_ENV_STATE ?? path.join(repoRoot(), ".state", "env.json");
}

/**
 * Where a local service keeps its data, ports and credentials across `env down` / `env up`:
 * `.state/services/<name>` beside the state file.
 */
export function serviceHome(name: ServiceName): string {
  return path.join(path.dirname(envStateFile()), "services", name);
}

export function readEnvState(): EnvState {
  const file = envStateFile();
  if (!fs.existsSync(file)) return { services: {} };
  return JSON.parse(fs.readFileSync(file, "utf8")) as EnvState;
}

/** Writes the state (readable by its owner only: it holds credentials); removes it when empty. */
export function writeEnvState(state: EnvState): void {
  const file = envStateFile();
  if (Object.keys(state.services).length === 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}
