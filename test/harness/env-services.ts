import { stopAndRemove } from "./lifecycle";
import { startGarage } from "./garage";
import { startNetbox, teardownRecordedNetbox } from "./netbox";
import { startKeycloak } from "./keycloak";
import { startPostgres } from "./postgres";
import { startPowerDns } from "./powerdns";
import { isAlive, processStartTime } from "./processes";
import { startSshd } from "./sshd";
import { removeServiceDir } from "./tempdir";
import { startZfs, teardownZfs, zpoolNames } from "./zfs";
import { startDatacenter } from "./datacenter";
import { serviceHome, type ServiceName, type ServiceRecord } from "./env-state";
import type { RunningService } from "./types";

/** Pools `env up zfs` makes: one per "datacenter", for replication demos. */
const ZFS_POOL_PREFIXES = ["dc1", "dc2"];

type Details = Pick<
  ServiceRecord,
  "endpoints" | "credentials" | "stopSignal" | "zfs" | "home" | "netbox" | "extraDirs"
>;

function record(service: RunningService, name: ServiceName, details: Details): ServiceRecord {
  return {
    name,
    dir: service.dir,
    logFile: service.logFile,
    pids: [...service.pids],
    startTimes: service.pids.map((pid) => processStartTime(pid) ?? ""),
    startedAt: new Date().toISOString(),
    ...details,
  };
}

/** Starts one service so that it outlives this process, and describes it for the state file. */
export async function startRecorded(name: ServiceName): Promise<ServiceRecord> {
  switch (name) {
    case "powerdns": {
      // Same data, ports and key on every `up`: the local stack's state keeps matching it.
      const home = serviceHome(name);
      const pdns = await startPowerDns({ home });
      return record(pdns, name, {
        endpoints: {
          apiUrl: pdns.apiUrl,
          serverId: pdns.serverId,
          dnsAddress: pdns.dnsAddress,
          dnsPort: pdns.dnsPort,
        },
        credentials: { apiKey: pdns.apiKey },
        home,
      });
    }
    case "zfs": {
      const zfs = await startZfs({ persistent: true });
      for (const prefix of ZFS_POOL_PREFIXES) await zfs.createPool(prefix);
      return record(zfs, name, {
        endpoints: Object.fromEntries(zfs.pools.map((pool) => [pool.name, pool.mountpoint])),
        credentials: {},
        zfs: { leaseId: zfs.leaseId, pools: [...zfs.pools] },
      });
    }
    case "postgres": {
      const home = serviceHome(name);
      const pg = await startPostgres({ home });
      return record(pg, name, {
        endpoints: {
          host: pg.host,
          port: pg.port,
          database: pg.database,
          socketDir: pg.socketDir,
          binDir: pg.binDir,
        },
        credentials: { user: pg.user, password: pg.password, connectionString: pg.connectionString },
        stopSignal: "SIGINT",
        home,
      });
    }
    case "garage": {
      const garage = await startGarage();
      return record(garage, name, {
        endpoints: {
          s3Endpoint: garage.s3Endpoint,
          adminUrl: garage.adminUrl,
          webEndpoint: garage.webEndpoint,
          region: garage.region,
          zone: garage.zone,
        },
        credentials: { adminToken: garage.adminToken },
      });
    }
    case "sshd": {
      const sshd = await startSshd();
      return record(sshd, name, {
        endpoints: { host: sshd.host, port: sshd.port, user: sshd.user, knownHostsPath: sshd.knownHostsPath },
        credentials: { privateKeyPath: sshd.privateKeyPath },
      });
    }
    case "netbox": {
      const home = serviceHome(name);
      const netbox = await startNetbox({ home });
      return record(netbox, name, {
        endpoints: { url: netbox.url, version: netbox.version },
        credentials: { token: netbox.token },
        netbox: {
          installDir: netbox.install.dir,
          instanceDir: netbox.instanceDir,
          partDirs: [netbox.postgres.dir, netbox.redis.dir],
        },
        home,
      });
    }
    case "dc-a":
    case "dc-b": {
      const dc = await startDatacenter(name, { persistent: true });
      const parts = [
        record(dc.zfs, "zfs", {
          endpoints: { [dc.pool.name]: dc.pool.mountpoint },
          credentials: {},
          zfs: { leaseId: dc.zfs.leaseId, pools: [dc.pool] },
        }),
        record(dc.sshd, "sshd", {
          endpoints: {
            host: dc.sshd.host,
            port: dc.sshd.port,
            user: dc.sshd.user,
            knownHostsPath: dc.sshd.knownHostsPath,
          },
          credentials: { privateKeyPath: dc.sshd.privateKeyPath },
        }),
        record(dc.postgres, "postgres", {
          endpoints: {
            host: dc.postgres.host,
            port: dc.postgres.port,
            database: dc.postgres.database,
            binDir: dc.postgres.binDir,
          },
          credentials: { user: dc.postgres.user, password: dc.postgres.password },
          stopSignal: "SIGINT",
        }),
        record(dc.garage, "garage", {
          endpoints: {
            s3Endpoint: dc.garage.s3Endpoint,
            adminUrl: dc.garage.adminUrl,
            region: dc.garage.region,
          },
          credentials: { adminToken: dc.garage.adminToken },
        }),
      ];
      return {
        ...record(dc, name, {
          endpoints: { range: dc.range, address: dc.address, pool: dc.pool.name },
          credentials: {},
        }),
        pids: [],
        startTimes: [],
        parts,
      };
    }
    case "identity": {
      const keycloak = await startKeycloak();
      const pg = keycloak.ownPostgres;
      // Stopped in reverse order: Keycloak first, then its PostgreSQL.
      const recorded = record(keycloak, name, {
        endpoints: { url: keycloak.url, managementUrl: keycloak.managementUrl, database: keycloak.database },
        credentials: { adminUser: keycloak.adminUser, adminPassword: keycloak.adminPassword },
        extraDirs: pg ? [pg.dir] : [],
      });
      return pg
        ? {
            ...recorded,
            pids: [...pg.pids, ...recorded.pids],
            startTimes: [...pg.pids.map((pid) => processStartTime(pid) ?? ""), ...recorded.startTimes],
          }
        : recorded;
    }
  }
}

/** Recorded pids that are still the processes started then (a reused pid is not ours). */
export function livePids(recorded: ServiceRecord): number[] {
  return recorded.pids.filter(
    (pid, index) => isAlive(pid) && processStartTime(pid) === recorded.startTimes[index],
  );
}

export async function isRunning(recorded: ServiceRecord): Promise<boolean> {
  if (recorded.parts) {
    for (const part of recorded.parts) if (!(await isRunning(part))) return false;
    return true;
  }
  if (livePids(recorded).length !== recorded.pids.length) return false;
  if (!recorded.zfs) return true;
  const pools = await zpoolNames().catch((): string[] => []);
  return recorded.zfs.pools.every((pool) => pools.includes(pool.name));
}

/** Stops a recorded service: its own pids, its pools and daemon lease, its dir. */
export async function stopRecorded(recorded: ServiceRecord): Promise<void> {
  if (recorded.parts) {
    for (const part of [...recorded.parts].reverse()) await stopRecorded(part);
    return;
  }
  if (recorded.zfs) return teardownZfs({ ...recorded.zfs, dir: recorded.dir });
  if (recorded.netbox)
    return teardownRecordedNetbox(livePids(recorded), recorded.dir, {
      ...recorded.netbox,
      home: recorded.home,
    });
  await stopAndRemove({
    pids: livePids(recorded),
    dir: recorded.dir,
    signal: recorded.stopSignal,
    keepDir: recorded.home !== undefined,
  });
  for (const dir of recorded.extraDirs ?? []) removeServiceDir(dir);
}
