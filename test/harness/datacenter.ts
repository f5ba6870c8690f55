/**
 * A "datacenter" on this machine: sshd, a zfs-fuse pool, a PostgreSQL cluster and a Garage, all
 * listening on the datacenter's own loopback address, so that two of them are told apart by
 * address as two providers' networks would be. Linux routes all of 127.0.0.0/8 to `lo`, so no
 * interface is changed: each datacenter owns one /24 of it (see DATACENTER_RANGES), and its
 * services listen on `.1` of that range. PowerDNS and NetBox are shared by all datacenters.
 * dc-b's PostgreSQL cluster defaults to the C.UTF-8 locale (dc-a's and the others' to C), so the
 * migration tests see a target whose default collation is not the one an app (Synapse: C) needs.
 *
 *   const dcA = useService("datacenter", { instance: "dc-a" });
 *   `npm run env -- up dc-a dc-b` (cli.ts) starts the same for manual runs and the demo.
 */
import { registerSharedService } from "./shared";
import { idempotent, startOrClean } from "./lifecycle";
import { startGarage } from "./garage";
import { startPostgres, type PostgresServiceWithBin } from "./postgres";
import { startSshd, type SshdServiceWithArgs } from "./sshd";
import { startZfs, type ZfsServiceWithLease } from "./zfs";
import type { GarageService, RunningService, ZfsPool } from "./types";

/**
 * The loopback ranges the harness owns for datacenters: `dc-a` is 127.0.10.0/24, `dc-b`
 * 127.0.20.0/24, ... (`dc-<letter>`: the letter's position times ten). Nothing else is sent to.
 */
export function datacenterRange(name: string): { range: string; address: string } {
  const match = /^dc-([a-y])$/.exec(name);
  if (!match)
    throw new Error(
      `unknown datacenter "${name}": the harness makes dc-a ... dc-y (127.0.10.0/24, 127.0.20.0/24, ...)`,
    );
  const third = (match[1].charCodeAt(0) - 96) * 10;
  return { range: `127.0.${third}.0/24`, address: `127.0.${third}.1` };
}

export interface DatacenterService extends RunningService {
  /** "dc-a" */
  readonly datacenter: string;
  /** The datacenter's loopback range, e.g. 127.0.10.0/24. */
  readonly range: string;
  /** The address its services listen on (its one "host"), e.g. 127.0.10.1. */
  readonly address: string;
  readonly sshd: SshdServiceWithArgs;
  readonly postgres: PostgresServiceWithBin;
  readonly garage: GarageService;
  readonly zfs: ZfsServiceWithLease;
  /** The datacenter's ZFS pool (file-backed, on the machine's zfs-fuse daemon). */
  readonly pool: ZfsPool;
}

export interface DatacenterOptions {
  /** Keep the ZFS lease after this process exits (the CLI's `up`). */
  persistent?: boolean;
  poolSizeMiB?: number;
  /** The PostgreSQL cluster's default locale; default "C.UTF-8" for dc-b, "C" for the others. */
  postgresLocale?: string;
}

/** Starts a datacenter's services one after the other; a failure stops those already started. */
export async function startDatacenter(
  name: string,
  options: DatacenterOptions = {},
): Promise<DatacenterService> {
  const { range, address } = datacenterRange(name);
  const parts: RunningService[] = [];
  const stop = idempotent(async () => {
    const failures: string[] = [];
    for (const part of [...parts].reverse())
      await part.stop().catch((e: Error) => failures.push(`${part.name}: ${e.message}`));
    if (failures.length > 0) throw new Error(`stopping datacenter ${name} failed: ${failures.join("; ")}`);
  });
  return startOrClean(async () => {
    const started = <T extends RunningService>(service: T): T => (parts.push(service), service);
    const zfs = started(await startZfs({ persistent: options.persistent }));
    const pool = await zfs.createPool(name.replace(/-/g, ""), options.poolSizeMiB ?? 256);
    const sshd = started(await startSshd({ address, ownHome: true }));
    const locale = options.postgresLocale ?? (name === "dc-b" ? "C.UTF-8" : "C");
    const postgres = started(await startPostgres({ address, logicalReplication: true, locale }));
    const garage = started(await startGarage({ address, zone: name }));
    const service: DatacenterService = {
      name: `datacenter ${name}`,
      dir: sshd.dir,
      logFile: sshd.logFile,
      pids: parts.flatMap((p) => p.pids),
      datacenter: name,
      range,
      address,
      sshd,
      postgres,
      garage,
      zfs,
      pool,
      stop,
    };
    return service;
  }, stop);
}

declare module "./shared" {
  interface SharedServices {
    datacenter: DatacenterService;
  }
}
/** `SOVEREIGN_DC_POOL_MIB`: the pools' size (sparse files) for runs that hold more data (the benchmark). */
const poolSizeFromEnv = (): number | undefined => Number(process.env.SOVEREIGN_DC_POOL_MIB) || undefined;
registerSharedService("datacenter", (instance) =>
  startDatacenter(instance, { poolSizeMiB: poolSizeFromEnv() }),
);
