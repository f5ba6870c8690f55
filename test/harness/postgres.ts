import { registerSharedService } from "./shared";
import type { PostgresConnection } from "../../sdk/replication/postgresCopy";
import * as fs from "fs";
import * as path from "path";
import { runCommand } from "./commands";
import { waitUntilHealthy } from "./health";
import { idempotent, startOrClean, stopAndRemove } from "./lifecycle";
import { chownTree, unprivilegedUser } from "./osuser";
import { retryOnPortClash } from "./port-clash";
import { assertRecordedPortsFree, openServiceHome, stablePort } from "./home";
import { freePort } from "./ports";
import { randomSecret } from "./secrets";
import { spawnDetached } from "./spawn";
import { makeServiceDir } from "./tempdir";
import type { PostgresService } from "./types";

const POSTGRES_ROOT = "/usr/lib/postgresql";

export interface PostgresOptions {
  /** Name of the superuser and of the database created for the caller. */
  user?: string;
  database?: string;
  timeoutMs?: number;
  /** Loopback address to listen on (a datacenter's own, see datacenter.ts); default 127.0.0.1. */
  address?: string;
  /**
   * A persistent home (the local site's `.state/services/postgres`): the cluster, port and
   * password are made on the first start and reused after; `stop()` keeps them.
   */
  home?: string;
  /**
   * `wal_level=logical`, so databases can be streamed to another cluster by logical replication
   * (a datacenter's cluster: the migration's pre-seed and the warm standby).
   */
  logicalReplication?: boolean;
  /** The cluster's default locale (initdb --locale; default "C"). */
  locale?: string;
}

interface PostgresSettings {
  port: number;
  password: string;
}

export interface PostgresServiceWithBin extends PostgresService {
  /** Dir of the server's binaries (psql, pg_dump, pg_basebackup ...) of the same version. */
  readonly binDir: string;
  /** The unix socket dir (also the service dir). */
  readonly socketDir: string;
}

/** The bin dir of the newest PostgreSQL installed under /usr/lib/postgresql. */
export function postgresBinDir(): string {
  const versions = fs.existsSync(POSTGRES_ROOT)
    ? fs
        .readdirSync(POSTGRES_ROOT)
        .filter((entry) => fs.existsSync(path.join(POSTGRES_ROOT, entry, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL under ${POSTGRES_ROOT}: run scripts/services.sh`);
  return path.join(POSTGRES_ROOT, versions[0], "bin");
}

/** Starts a fresh PostgreSQL cluster (password auth) on 127.0.0.1:<free port>, socket in its dir. */
export function startPostgres(options: PostgresOptions = {}): Promise<PostgresServiceWithBin> {
  return retryOnPortClash(() => startPostgresOnce(options));
}

async function startPostgresOnce(options: PostgresOptions = {}): Promise<PostgresServiceWithBin> {
  const { user = "sovereign", database = "sovereign", address = "127.0.0.1" } = options;
  const binDir = postgresBinDir();
  const osUser = unprivilegedUser("postgres");
  const choose = async (pickPort: () => Promise<number>): Promise<PostgresSettings> => ({
    port: await pickPort(),
    password: randomSecret(),
  });
  const home = options.home ? await openServiceHome(options.home, () => choose(stablePort)) : undefined;
  const dir = home?.dir ?? makeServiceDir("postgres");
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "postgres.log");
  const pids: number[] = [];
  // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for clients to disconnect.
  const stop = idempotent(() => stopAndRemove({ pids, dir, signal: "SIGINT", keepDir: home !== undefined }));
  const cleanup = async () => {
    await stop();
    if (home?.fresh) fs.rmSync(dir, { recursive: true, force: true });
  };
  const asUser = { uid: osUser?.uid, gid: osUser?.gid };

  return startOrClean(async () => {
    const { password, port } = home?.settings ?? (await choose(freePort));
    const initialized = fs.existsSync(path.join(dataDir, "PG_VERSION"));
    if (home && !home.fresh) await assertRecordedPortsFree("the local PostgreSQL", dir, { port });
    const passwordFile = path.join(dir, "password");
    if (!initialized) fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (!fs.existsSync(logFile)) fs.writeFileSync(logFile, "");
    chownTree(dir, osUser);
    if (!initialized)
      await runCommand(
        path.join(binDir, "initdb"),
        [
          "-D",
          dataDir,
          "-U",
          user,
          `--pwfile=${passwordFile}`,
          "--auth=scram-sha-256",
          "-E",
          "UTF8",
          `--locale=${options.locale ?? "C"}`,
        ],
        { ...asUser, cwd: dir, timeoutMs: 120_000 },
      );
    fs.rmSync(passwordFile, { force: true });

    const server = spawnDetached({
      command: path.join(binDir, "postgres"),
      args: [
        "-D",
        dataDir,
        "-c",
        `listen_addresses=${address}`,
        "-c",
        `port=${port}`,
        "-c",
        `unix_socket_directories=${dir}`,
        ...(options.logicalReplication ? ["-c", "wal_level=logical"] : []),
      ],
      cwd: dir,
      logFile,
      ...asUser,
    });
    pids.push(server.pid);

    await waitUntilHealthy({
      what: `PostgreSQL on ${address}:${port}`,
      logFile,
      exited: server.exitDescription,
      timeoutMs: options.timeoutMs,
      check: async () => {
        await runCommand(path.join(binDir, "pg_isready"), [
          "-q",
          "-h",
          address,
          "-p",
          String(port),
          "-d",
          "postgres",
        ]);
        return true;
      },
    });
    const clientEnv = { ...process.env, PGPASSWORD: password };
    if (!initialized) {
      await runCommand(
        path.join(binDir, "createdb"),
        ["-h", address, "-p", String(port), "-U", user, database],
        {
          env: clientEnv,
        },
      );
    }

    const encode = encodeURIComponent;
    const service: PostgresServiceWithBin = {
      name: "postgres",
      dir,
      logFile,
      pids,
      host: address,
      port,
      user,
      password,
      database,
      dataDir,
      binDir,
      socketDir: dir,
      connectionString: `postgres://${encode(user)}:${encode(password)}@${address}:${port}/${encode(database)}`,
      stop,
    };
    return service;
  }, cleanup);
}

declare module "./shared" {
  interface SharedServices {
    postgres: PostgresServiceWithBin;
  }
}
registerSharedService("postgres", () => startPostgres());

/** A connection to `database` on a harness cluster, as the replication code takes it. */
export function postgresConnection(
  service: PostgresService & { readonly binDir?: string },
  database: string,
): PostgresConnection {
  return {
    host: service.host,
    port: service.port,
    user: service.user,
    password: service.password,
    database,
    ...(service.binDir ? { binDir: service.binDir } : {}),
  };
}
