import { openServiceHome, stablePort } from "./home";
import * as fs from "fs";
import * as path from "path";
import { runCommand } from "./commands";
import { waitUntilHealthy } from "./health";
import { idempotent, startOrClean } from "./lifecycle";
import { withFileLock } from "./lock";
import {
  CHROOT,
  claimTree,
  INSTANCES_IN_TREE,
  netboxInstall,
  releaseTree,
  treeEnv,
  type NetboxInstall,
} from "./netbox-install";
import { createNetboxToken } from "./netbox-token";
import { startPostgres, type PostgresServiceWithBin } from "./postgres";
import { stopPid } from "./processes";
import { retryOnPortClash } from "./port-clash";
import { freePort } from "./ports";
import { startRedis } from "./redis";
import { randomSecret } from "./secrets";
import { registerSharedService } from "./shared";
import { spawnDetached } from "./spawn";
import { makeServiceDir, removeServiceDir } from "./tempdir";
import type { NetboxService, RedisService, RunningService } from "./types";

export interface NetboxOptions {
  /** How long to wait for the server to answer once started (the migration has its own). */
  timeoutMs?: number;
  /**
   * A persistent home (the local site's `.state/services/netbox`): its PostgreSQL cluster lives
   * there and keeps the inventory across `env down` / `env up`; each start makes a fresh token.
   */
  home?: string;
  /**
   * Serve with gunicorn (in the install's venv) and this many worker processes, as NetBox is run
   * in production, instead of Django's single-process `runserver` (the default). The scale
   * benchmark uses it: under `runserver` one Python process (one core) answers every request.
   */
  workers?: number;
}

export interface NetboxServiceWithParts extends NetboxService {
  /** The PostgreSQL and Redis this NetBox uses (stopped with it). */
  readonly postgres: PostgresServiceWithBin;
  readonly redis: RedisService;
  /** The instance root (NETBOX_ROOT) on the host, inside the tree; removed on stop. */
  readonly instanceDir: string;
  readonly install: NetboxInstall;
  /** Stops only the web server (NetBox "goes down"; its database stays). */
  stopServer(): Promise<void>;
  /** Starts the web server again on the same port and database. */
  restartServer(): Promise<void>;
}

interface ServerHandle {
  install: NetboxInstall;
  instanceInTree: string;
  dir: string;
  logFile: string;
  url: string;
  token: string;
  /** The server's pids (also in `pids`, all of the service's). */
  serverPids: number[];
  pids: number[];
  /** gunicorn workers; undefined = `runserver`. */
  workers?: number;
}

/** The server's command in the tree: `netbox runserver`, or gunicorn with workers. */
function serverCommand(host: string, workers: number | undefined): string[] {
  if (workers === undefined) return ["/opt/venv/bin/netbox", "runserver", host, "--insecure", "--noreload"];
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`NetBox workers must be a positive integer, got ${workers}`);
  // --preload: the application is imported once, then forked (faster start, shared memory).
  return [
    "/opt/venv/bin/gunicorn",
    "--bind",
    host,
    "--workers",
    String(workers),
    "--timeout",
    "300",
    "--preload",
    "netbox.wsgi",
  ];
}

/** Runs NetBox (see `serverCommand`) in the tree on the handle's URL and waits until the API answers. */
async function launchServer(server: ServerHandle, timeoutMs = 300_000): Promise<string> {
  const { install, instanceInTree, dir, logFile, url, token } = server;
  const child = spawnDetached({
    command: CHROOT,
    args: [install.root, ...serverCommand(new URL(url).host, server.workers)],
    cwd: dir,
    logFile,
    env: treeEnv(instanceInTree),
  });
  server.pids.push(child.pid);
  server.serverPids.push(child.pid);
  let version = "";
  await waitUntilHealthy({
    what: `NetBox at ${url}`,
    logFile,
    exited: child.exitDescription,
    timeoutMs,
    intervalMs: 250,
    check: async () => {
      const response = await fetch(`${url}/api/status/`, {
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
      });
      const body = await response.text();
      if (response.status !== 200)
        throw new Error(`GET /api/status/ answered ${response.status}: ${body.slice(0, 200)}`);
      version = String((JSON.parse(body) as Record<string, unknown>)["netbox-version"] ?? "");
      return true;
    },
  });
  return version;
}

async function stopServer(server: ServerHandle): Promise<void> {
  for (const pid of server.serverPids.splice(0)) {
    await stopPid(pid);
    server.pids.splice(server.pids.indexOf(pid), 1);
  }
}

/** A migrated database per NetBox version, made once (minutes) and restored per run (~1 s). */
const MIGRATED_DUMP = "migrated.dump";
const MIGRATION_TIMEOUT_MS = 30 * 60_000;

const py = (value: unknown): string => JSON.stringify(value);

function configuration(pg: PostgresServiceWithBin, redis: RedisService, pepper: string): string {
  const redisDb = (database: number) => ({
    HOST: "127.0.0.1",
    PORT: redis.port,
    USERNAME: "",
    PASSWORD: redis.password,
    DATABASE: database,
    SSL: false,
  });
  return [
    "# Written by the sovereign test harness (test/harness/netbox.ts) for one run.",
    "ALLOWED_HOSTS = ['*']",
    `DATABASES = {'default': ${py({
      ENGINE: "django.db.backends.postgresql",
      NAME: pg.database,
      USER: pg.user,
      PASSWORD: pg.password,
      HOST: pg.host,
      PORT: pg.port,
      CONN_MAX_AGE: 300,
    })}}`,
    `REDIS = {'tasks': ${py(redisDb(0))}, 'caching': ${py(redisDb(1))}}`,
    `SECRET_KEY = ${py(randomSecret(40))}`,
    `API_TOKEN_PEPPERS = {1: ${py(pepper)}}`,
    "CENSUS_REPORTING_ENABLED = False",
    "RELEASE_CHECK_URL = None",
    "LOGIN_REQUIRED = True",
    "",
  ]
    .join("\n")
    .replace(/\bfalse\b/g, "False");
}

/** Runs a `netbox` management command in the tree for this instance. */
function netboxCommand(
  install: NetboxInstall,
  instanceInTree: string,
  args: string[],
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
) {
  return runCommand(CHROOT, [install.root, "/opt/venv/bin/netbox", ...args], {
    env: { ...treeEnv(instanceInTree), ...options.env },
    timeoutMs: options.timeoutMs ?? 120_000,
  });
}

/**
 * Fills the run's empty database: restores the cached migrated dump, or (first time for this
 * version) migrates it, which takes minutes, and caches its dump. A partial dump is never left
 * under the final name.
 */
async function fillDatabase(install: NetboxInstall, instanceInTree: string, pg: PostgresServiceWithBin) {
  const dump = path.join(install.dir, MIGRATED_DUMP);
  const client = ["-h", pg.host, "-p", String(pg.port), "-U", pg.user];
  const env = { ...process.env, PGPASSWORD: pg.password };
  await withFileLock(
    path.join(install.dir, "migrate.lock"),
    async () => {
      if (fs.existsSync(dump)) return;
      const started = Date.now();
      console.error(
        `[sovereign] NetBox ${install.version}: migrating a fresh database (first time only; ~7 min on 2 cores), then caching it in ${dump}`,
      );
      await netboxCommand(install, instanceInTree, ["upgrade", "--no-input", "--skip-static"], {
        timeoutMs: MIGRATION_TIMEOUT_MS,
      });
      await netboxCommand(install, instanceInTree, ["createsuperuser", "--no-input"], {
        env: {
          DJANGO_SUPERUSER_USERNAME: "admin",
          DJANGO_SUPERUSER_EMAIL: "admin@example.invalid",
          DJANGO_SUPERUSER_PASSWORD: randomSecret(),
        },
      });
      const partial = `${dump}.${process.pid}.tmp`;
      await runCommand(path.join(pg.binDir, "pg_dump"), [...client, "-Fc", "-f", partial, pg.database], {
        env,
      });
      fs.renameSync(partial, dump);
      console.error(
        `[sovereign] NetBox ${install.version}: database migrated and cached in ${Math.round((Date.now() - started) / 1000)} s`,
      );
    },
    MIGRATION_TIMEOUT_MS + 60_000,
  );
  const { stdout } = await runCommand(
    path.join(pg.binDir, "psql"),
    [...client, "-d", pg.database, "-tAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
    { env },
  );
  if (Number(stdout.trim()) > 0) return; // this run made the migration itself
  await runCommand(
    path.join(pg.binDir, "pg_restore"),
    [...client, "-d", pg.database, "--no-owner", "--exit-on-error", dump],
    { env, timeoutMs: 120_000 },
  );
}

/**
 * Starts a real NetBox (the cached install, see scripts/netbox.sh) on 127.0.0.1:<free port> with
 * its own PostgreSQL and Redis, a restored migrated database and a fresh v2 API token.
 */
export function startNetbox(options: NetboxOptions = {}): Promise<NetboxServiceWithParts> {
  return retryOnPortClash(() => startNetboxOnce(options));
}

async function startNetboxOnce(options: NetboxOptions): Promise<NetboxServiceWithParts> {
  const started = Date.now();
  const install = netboxInstall();
  const dir = makeServiceDir("netbox");
  const logFile = path.join(dir, "netbox.log");
  fs.writeFileSync(logFile, "");
  const instanceName = path.basename(dir);
  const instanceInTree = `${INSTANCES_IN_TREE}/${instanceName}`;
  /** Every pid of this NetBox (PostgreSQL, Redis, the server), in start order. */
  const pids: number[] = [];
  const serverPids: number[] = [];
  const parts: RunningService[] = [];
  let instanceDir: string | undefined;
  const stop = idempotent(async () => {
    for (const pid of serverPids) await stopPid(pid);
    for (const part of [...parts].reverse()) await part.stop();
    if (instanceDir) await releaseTree(install, instanceDir);
    removeServiceDir(dir);
  });

  return startOrClean(async () => {
    // Generous: NetBox is started on busy machines, and a slow part must not fail the whole start.
    const partTimeoutMs = options.timeoutMs ?? 180_000;
    const [postgres, redis] = await Promise.all([
      startPostgres({
        user: "netbox",
        database: "netbox",
        timeoutMs: partTimeoutMs,
        ...(options.home ? { home: path.join(options.home, "postgres") } : {}),
      }),
      startRedis({ timeoutMs: partTimeoutMs }),
    ]);
    parts.push(postgres, redis);
    pids.push(...postgres.pids, ...redis.pids);
    instanceDir = await claimTree(install, instanceName, dir);
    // In a persistent home the port, the token pepper and the token are chosen once and kept (the
    // database keeps the token's row): the stack's inventory URL stays, and the token recorded in
    // a stack's state (a plain `refresh` uses it) keeps working across `env down` / `env up`.
    const saved = options.home
      ? await openServiceHome(path.join(options.home, "server"), async () => ({
          port: await stablePort(),
          pepper: randomSecret(32),
          token: "",
        }))
      : undefined;
    const pepper = saved?.settings.pepper ?? randomSecret(32);
    fs.writeFileSync(path.join(instanceDir, "conf", "__init__.py"), "");
    fs.writeFileSync(
      path.join(instanceDir, "conf", "configuration.py"),
      configuration(postgres, redis, pepper),
      {
        mode: 0o600,
      },
    );
    await fillDatabase(install, instanceInTree, postgres);
    let token = saved?.settings.token;
    if (!token) {
      token = await createNetboxToken(postgres, { pepperId: 1, pepper, username: "admin" });
      if (saved)
        fs.writeFileSync(
          path.join(saved.dir, "settings.json"),
          JSON.stringify({ ...saved.settings, token }),
          {
            mode: 0o600,
          },
        );
    }

    // In a persistent home the port is chosen once and kept, so the stack's inventory URL stays.
    const port = saved?.settings.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const server: ServerHandle = {
      install,
      instanceInTree,
      dir,
      logFile,
      url,
      token,
      serverPids,
      pids,
      workers: options.workers,
    };
    const version = await launchServer(server, options.timeoutMs);
    console.error(
      `[sovereign] NetBox ${version} serving at ${url}, started in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const service: NetboxServiceWithParts = {
      name: "netbox",
      dir,
      logFile,
      pids,
      url,
      token,
      version,
      postgres,
      redis,
      instanceDir,
      install,
      stop,
      stopServer: () => stopServer(server),
      restartServer: () => launchServer(server, options.timeoutMs).then(() => undefined),
    };
    return service;
  }, stop);
}

/** Stops a NetBox that `env up` recorded (see env-services.ts): its pids, dirs and tree claim. */
export async function teardownRecordedNetbox(
  livePids: number[],
  dir: string,
  recorded: { installDir: string; instanceDir: string; partDirs: string[]; home?: string },
): Promise<void> {
  for (const pid of [...livePids].reverse()) await stopPid(pid);
  // A part dir inside a persistent home (the inventory's PostgreSQL) is kept for the next `env up`.
  for (const partDir of [dir, ...recorded.partDirs])
    if (!recorded.home || !partDir.startsWith(recorded.home + path.sep)) removeServiceDir(partDir);
  const install = { dir: recorded.installDir, root: path.join(recorded.installDir, "root"), version: "" };
  await releaseTree(install, recorded.instanceDir);
}

declare module "./shared" {
  interface SharedServices {
    netbox: NetboxServiceWithParts;
  }
}
// One NetBox serves every suite of a run that does not stop or restart it (the slowest service).
registerSharedService("netbox", () => startNetbox());
