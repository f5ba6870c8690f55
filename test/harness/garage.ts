import { registerSharedService } from "./shared";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { waitUntilHealthy } from "./health";
import { idempotent, startOrClean, stopAndRemove } from "./lifecycle";
import { retryOnPortClash } from "./port-clash";
import { freePort } from "./ports";
import { repoRoot } from "./repo";
import { randomSecret } from "./secrets";
import { spawnDetached } from "./spawn";
import { makeServiceDir } from "./tempdir";
import type { GarageService } from "./types";

export interface GarageOptions {
  /** Layout zone of the single node, e.g. "dc1" (two instances = two datacenters). */
  zone?: string;
  /** S3 region name Garage answers to (default "garage"). */
  region?: string;
  timeoutMs?: number;
  /** Loopback address of every listener (a datacenter's own, see datacenter.ts); default 127.0.0.1. */
  address?: string;
}

/** The garage binary: found or built once (scripts/garage.sh, cached outside the clone). */
export function garageBinary(): string {
  return execFileSync("bash", [path.join(repoRoot(), "scripts", "garage.sh"), "--print-bin"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

function garageToml(s: {
  dir: string;
  address: string;
  rpcPort: number;
  s3Port: number;
  webPort: number;
  adminPort: number;
  region: string;
  adminToken: string;
}): string {
  return `metadata_dir = "${s.dir}/meta"
data_dir = "${s.dir}/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "${s.address}:${s.rpcPort}"
rpc_public_addr = "${s.address}:${s.rpcPort}"
rpc_secret = "${randomSecret(32)}"

[s3_api]
s3_region = "${s.region}"
api_bind_addr = "${s.address}:${s.s3Port}"
root_domain = ".s3.garage.localhost"

[s3_web]
bind_addr = "${s.address}:${s.webPort}"
root_domain = ".web.garage.localhost"
index = "index.html"

[admin]
api_bind_addr = "${s.address}:${s.adminPort}"
admin_token = "${s.adminToken}"
`;
}

async function adminCall<T>(
  service: Pick<GarageService, "adminUrl" | "adminToken">,
  op: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${service.adminUrl}/v2/${op}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${service.adminToken}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${op} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Runs `garage server` on the config in `service.dir`, adds its pid to `service.pids` and waits
 * until the cluster is healthy. Also restarts a Garage stopped by pid, on the same data and ports.
 */
export async function launchGarage(
  service: Pick<
    GarageService,
    "dir" | "logFile" | "pids" | "adminUrl" | "adminToken" | "configFile" | "binary"
  >,
  timeoutMs = 60_000,
): Promise<void> {
  const server = spawnDetached({
    command: service.binary,
    args: ["-c", service.configFile, "server"],
    cwd: service.dir,
    logFile: service.logFile,
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "garage=warn" },
  });
  service.pids.push(server.pid);
  await waitUntilHealthy({
    what: `Garage admin API at ${service.adminUrl}`,
    logFile: service.logFile,
    exited: server.exitDescription,
    timeoutMs,
    check: async () => (await adminCall<{ nodes: unknown[] }>(service, "GetClusterStatus")).nodes.length > 0,
  });
}

/** Gives the single node a role (zone, 1 GB) and applies the layout, then waits for health. */
async function assignLayout(service: GarageService, zone: string, timeoutMs: number): Promise<void> {
  const status = await adminCall<{ nodes: { id: string }[]; layoutVersion: number }>(
    service,
    "GetClusterStatus",
  );
  await adminCall(service, "UpdateClusterLayout", {
    roles: [{ id: status.nodes[0].id, zone, capacity: 1_000_000_000, tags: [] }],
  });
  await adminCall(service, "ApplyClusterLayout", { version: status.layoutVersion + 1 });
  await waitUntilHealthy({
    what: `Garage cluster health at ${service.adminUrl}`,
    logFile: service.logFile,
    timeoutMs,
    check: async () =>
      (await adminCall<{ status: string }>(service, "GetClusterHealth")).status === "healthy",
  });
}

/** Starts a single-node Garage on free loopback ports: S3, web, admin API (random token), layout applied. */
export function startGarage(options: GarageOptions = {}): Promise<GarageService> {
  return retryOnPortClash(() => startGarageOnce(options));
}

async function startGarageOnce(options: GarageOptions): Promise<GarageService> {
  const binary = garageBinary();
  const dir = makeServiceDir("garage");
  const logFile = path.join(dir, "garage.log");
  const pids: number[] = [];
  const stop = idempotent(() => stopAndRemove({ pids, dir }));
  const timeoutMs = options.timeoutMs ?? 60_000;
  return startOrClean(async () => {
    const [rpcPort, s3Port, webPort, adminPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const region = options.region ?? "garage";
    const address = options.address ?? "127.0.0.1";
    const adminToken = randomSecret(32);
    const configFile = path.join(dir, "garage.toml");
    fs.writeFileSync(
      configFile,
      garageToml({ dir, address, rpcPort, s3Port, webPort, adminPort, region, adminToken }),
      {
        mode: 0o600,
      },
    );
    const service: GarageService = {
      name: "garage",
      dir,
      logFile,
      pids,
      binary,
      configFile,
      s3Endpoint: `http://${address}:${s3Port}`,
      webEndpoint: `http://${address}:${webPort}`,
      webRootDomain: "web.garage.localhost",
      adminUrl: `http://${address}:${adminPort}`,
      adminToken,
      region,
      zone: options.zone ?? "dc1",
      stop,
    };
    await launchGarage(service, timeoutMs);
    await assignLayout(service, service.zone, timeoutMs);
    return service;
  }, stop);
}

declare module "./shared" {
  interface SharedServices {
    garage: GarageService;
  }
}
// One Garage for every suite of a run (`useService("garage")`, or `{ instance: "dc2" }` for a
// second datacenter); tests that stop or restart Garage start a private one instead.
registerSharedService("garage", () => startGarage());
