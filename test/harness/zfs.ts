import { registerSharedService } from "./shared";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCommand } from "./commands";
import { waitUntilHealthy } from "./health";
import { idempotent, startOrClean } from "./lifecycle";
import { withFileLock } from "./lock";
import { isAlive, sleep, stopPid } from "./processes";
import { randomSuffix } from "./secrets";
import { spawnDetached } from "./spawn";
import { makeServiceDir, removeServiceDir } from "./tempdir";
import type { ZfsPool, ZfsService } from "./types";

/*
 * zfs-fuse is one daemon per machine (one control socket, /var/run/zfs/zfs_socket). Every user of
 * it, in this process or another, holds a lease file in a machine-wide state dir; the daemon is
 * stopped only by the last lease holder, only if a sovereign process started it (its pidfile is in
 * the state dir) and only when no pool is left on it.
 */

export interface ZfsOptions {
  /**
   * Keep the lease after this process exits (the CLI's `up`): it is released by `stop()` or by
   * `releaseZfs` with the recorded lease id. Otherwise the lease dies with this process.
   */
  persistent?: boolean;
  timeoutMs?: number;
}

export interface ZfsServiceWithLease extends ZfsService {
  /** Id of this service's lease on the shared daemon (recorded by the CLI for `down`). */
  readonly leaseId: string;
}

interface Lease {
  /** The process holding the lease; absent for a persistent lease. */
  ownerPid?: number;
}

const stateDir = (): string =>
  process.env.SOVEREIGN_ZFS_STATE_DIR ?? path.join(os.tmpdir(), "sovereign-zfs-fuse");
const leaseDir = (): string => path.join(stateDir(), "leases");
/** Written by the harness (not by zfs-fuse, which refuses to start over an existing pidfile). */
const daemonPidFile = (): string => path.join(stateDir(), "started-by-sovereign.pid");
export const zfsDaemonLog = (): string => path.join(stateDir(), "zfs-fuse.log");
const lockFile = (): string => path.join(stateDir(), "lock");

function runningDaemonPids(): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "zfs-fuse";
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(isAlive);
}

/** Pid of the daemon if a sovereign process started it and it still runs. */
function daemonStartedBySovereign(): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(daemonPidFile(), "utf8").trim());
  } catch {
    return undefined;
  }
  return runningDaemonPids().includes(pid) ? pid : undefined;
}

/** Leases held by live users of the daemon (dead holders' leases are removed on the way). */
export function liveLeases(): string[] {
  if (!fs.existsSync(leaseDir())) return [];
  return fs.readdirSync(leaseDir()).filter((file) => {
    try {
      const lease = JSON.parse(fs.readFileSync(path.join(leaseDir(), file), "utf8")) as Lease;
      if (lease.ownerPid === undefined || isAlive(lease.ownerPid)) return true;
    } catch {
      // An unreadable lease is treated like a dead one.
    }
    fs.rmSync(path.join(leaseDir(), file), { force: true });
    return false;
  });
}

/** Names of the pools the daemon has in the given health states (default: usable ones). */
export async function zpoolNames(states: string[] = ["ONLINE", "DEGRADED"]): Promise<string[]> {
  const { stdout } = await runCommand("zpool", ["list", "-H", "-o", "name,health"]);
  return stdout
    .split("\n")
    .map((line) => line.split("\t"))
    .filter(([name, health]) => name && states.includes(health ?? ""))
    .map(([name]) => name);
}

async function startDaemon(timeoutMs: number | undefined): Promise<number> {
  fs.rmSync(daemonPidFile(), { force: true });
  const daemon = spawnDetached({
    command: "zfs-fuse",
    args: ["--no-daemon", "--no-kstat-mount"],
    cwd: stateDir(),
    logFile: zfsDaemonLog(),
    survivesExit: true,
  });
  fs.writeFileSync(daemonPidFile(), String(daemon.pid));
  await startOrClean(
    () =>
      waitUntilHealthy({
        what: "zfs-fuse daemon (zpool list)",
        logFile: zfsDaemonLog(),
        exited: daemon.exitDescription,
        timeoutMs,
        check: async () => {
          await runCommand("zpool", ["list"]);
          return true;
        },
      }),
    async () => {
      await stopPid(daemon.pid);
      fs.rmSync(daemonPidFile(), { force: true });
    },
  );
  return daemon.pid;
}

/** Takes a lease on the daemon, starting it first if no zfs-fuse runs on the machine. */
async function acquireDaemon(options: ZfsOptions): Promise<{ leaseId: string; startedPid?: number }> {
  fs.mkdirSync(leaseDir(), { recursive: true });
  return withFileLock(lockFile(), async () => {
    let startedPid: number | undefined;
    if (runningDaemonPids().length === 0) startedPid = await startDaemon(options.timeoutMs);
    const leaseId = `${process.pid}-${randomSuffix()}`;
    const lease: Lease = options.persistent ? {} : { ownerPid: process.pid };
    fs.writeFileSync(path.join(leaseDir(), `${leaseId}.json`), JSON.stringify(lease));
    return { leaseId, startedPid };
  });
}

/**
 * Releases a lease; if it was the last one, a sovereign process started the daemon and no usable
 * pool remains on it, stops the daemon. Used by `stop()` and by the CLI's `down`.
 */
export async function releaseZfs(leaseId: string): Promise<void> {
  if (!fs.existsSync(stateDir())) return;
  await withFileLock(lockFile(), async () => {
    fs.rmSync(path.join(leaseDir(), `${leaseId}.json`), { force: true });
    const pid = daemonStartedBySovereign();
    if (pid === undefined || liveLeases().length > 0) return;
    if ((await zpoolNames()).length > 0) return;
    await stopPid(pid, { timeoutMs: 20_000 });
    fs.rmSync(daemonPidFile(), { force: true });
  });
}

/** zfs-fuse answers "pool is busy" for a moment after recent activity (its own unmount racing). */
async function destroyPool(name: string, attempts = 20): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand("zpool", ["destroy", "-f", name]);
      return;
    } catch (error) {
      if (attempt >= attempts || !/busy/i.test((error as Error).message)) throw error;
      await sleep(500);
    }
  }
}

/** Destroys pools by name (forcing unmount); pools already gone are fine. */
export async function destroyPools(names: readonly string[]): Promise<void> {
  const existing = await zpoolNames(["ONLINE", "DEGRADED", "FAULTED", "UNAVAIL", "SUSPENDED"]);
  for (const name of names) {
    if (existing.includes(name)) await destroyPool(name);
  }
}

/** Destroys a service's pools, releases its lease (maybe stopping the daemon), removes its dir. */
export async function teardownZfs(owned: {
  pools: readonly ZfsPool[];
  leaseId?: string;
  dir: string;
}): Promise<void> {
  try {
    await destroyPools(owned.pools.map((pool) => pool.name));
  } finally {
    if (owned.leaseId) await releaseZfs(owned.leaseId);
    await removeUnmountedDir(owned.dir);
  }
}

/** zfs-fuse unmounts a destroyed pool's file systems a moment later: EBUSY until then. */
async function removeUnmountedDir(dir: string, attempts = 40): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      removeServiceDir(dir);
      return;
    } catch (error) {
      if (attempt >= attempts || (error as NodeJS.ErrnoException).code !== "EBUSY") throw error;
      await sleep(250);
    }
  }
}

const POOL_PREFIX = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Uses the machine's zfs-fuse daemon (starting it if none runs) and makes file-backed pools. */
export async function startZfs(options: ZfsOptions = {}): Promise<ZfsServiceWithLease> {
  if (process.getuid?.() !== 0) throw new Error("zfs-fuse needs root: run the ZFS tests as root");
  const dir = makeServiceDir("zfs");
  const pools: ZfsPool[] = [];
  const pids: number[] = [];
  let leaseId: string | undefined;
  const stop = idempotent(() => teardownZfs({ pools, leaseId, dir }));

  return startOrClean(async () => {
    const acquired = await acquireDaemon(options);
    leaseId = acquired.leaseId;
    if (acquired.startedPid !== undefined) pids.push(acquired.startedPid);
    const sovereignDaemon = daemonStartedBySovereign() !== undefined;
    const logFile = sovereignDaemon ? zfsDaemonLog() : path.join(dir, "zfs.log");
    if (!sovereignDaemon) {
      fs.writeFileSync(
        logFile,
        `using zfs-fuse pid ${runningDaemonPids().join(",")} started outside sovereign\n`,
      );
    }

    const createPool = async (prefix: string, sizeMiB = 128): Promise<ZfsPool> => {
      if (!POOL_PREFIX.test(prefix)) throw new Error(`pool prefix "${prefix}" must match ${POOL_PREFIX}`);
      const name = `${prefix}-${randomSuffix()}`;
      const image = path.join(dir, `${name}.img`);
      const mountpoint = path.join(dir, "mnt", name);
      fs.mkdirSync(mountpoint, { recursive: true });
      fs.closeSync(fs.openSync(image, "w"));
      fs.truncateSync(image, sizeMiB * 1024 * 1024);
      await runCommand("zpool", ["create", "-m", mountpoint, name, image]);
      const pool: ZfsPool = { name, mountpoint, image };
      pools.push(pool);
      return pool;
    };

    const service: ZfsServiceWithLease = {
      name: "zfs",
      dir,
      logFile,
      pids,
      pools,
      leaseId,
      createPool,
      stop,
    };
    return service;
  }, stop);
}

declare module "./shared" {
  interface SharedServices {
    zfs: ZfsServiceWithLease;
  }
}
registerSharedService("zfs", () => startZfs());
