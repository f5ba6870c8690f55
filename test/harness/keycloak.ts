import { execFileSync } from "child_process";
import * as path from "path";
import { runCommand } from "./commands";
import { waitUntilHealthy } from "./health";
import { idempotent, startOrClean, stopAndRemove } from "./lifecycle";
import { retryOnPortClash } from "./port-clash";
import { freePort } from "./ports";
import { startPostgres, type PostgresServiceWithBin } from "./postgres";
import { repoRoot } from "./repo";
import { randomSecret } from "./secrets";
import { spawnDetached } from "./spawn";
import { makeServiceDir } from "./tempdir";
import type { KeycloakService } from "./types";

export interface KeycloakOptions {
  /** A running PostgreSQL to hold Keycloak's database; by default Keycloak gets a cluster of its own. */
  postgres?: PostgresServiceWithBin;
  /** Start-up takes 20-60 s on 2 busy cores. */
  timeoutMs?: number;
}

export interface KeycloakServiceWithDb extends KeycloakService {
  /** The PostgreSQL cluster started for this Keycloak (stopped with it), if it was not given one. */
  readonly ownPostgres?: PostgresServiceWithBin;
}

interface KeycloakInstall {
  home: string;
  javaHome: string;
}

let install: KeycloakInstall | undefined;

/** The cached Keycloak install (scripts/keycloak.sh makes it on first use, about 2 minutes). */
export function keycloakInstall(): KeycloakInstall {
  if (!install) {
    const script = path.join(repoRoot(), "scripts", "keycloak.sh");
    const run = (flag: string): string =>
      execFileSync("bash", [script, flag], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
    install = { home: run("--print-home"), javaHome: run("--print-java") };
  }
  return install;
}

/**
 * Starts Keycloak (optimized start of the cached build, production mode, plain HTTP on loopback)
 * with its own PostgreSQL database and a random bootstrap admin in the master realm.
 */
export function startKeycloak(options: KeycloakOptions = {}): Promise<KeycloakServiceWithDb> {
  return retryOnPortClash(() => startKeycloakOnce(options));
}

async function startKeycloakOnce(options: KeycloakOptions): Promise<KeycloakServiceWithDb> {
  const { home, javaHome } = keycloakInstall();
  const ownPostgres = options.postgres ? undefined : await startPostgres({ database: "keycloak" });
  const pg = options.postgres ?? ownPostgres!;
  const dir = makeServiceDir("keycloak");
  const logFile = path.join(dir, "keycloak.log");
  const pids: number[] = [];
  const stop = idempotent(async () => {
    await stopAndRemove({ pids, dir });
    await ownPostgres?.stop();
  });

  return startOrClean(async () => {
    const database = ownPostgres ? pg.database : `keycloak_${randomSecret(4)}`;
    if (!ownPostgres) {
      await runCommand(
        path.join(pg.binDir, "createdb"),
        ["-h", pg.host, "-p", String(pg.port), "-U", pg.user, database],
        {
          env: { ...process.env, PGPASSWORD: pg.password },
        },
      );
    }
    const adminUser = "sovereign-admin";
    const adminPassword = randomSecret();
    const port = await freePort();
    const managementPort = await freePort();
    const server = spawnDetached({
      command: path.join(home, "bin", "kc.sh"),
      args: [
        "start",
        "--optimized",
        "--http-enabled=true",
        "--http-host=127.0.0.1",
        `--http-port=${port}`,
        `--http-management-port=${managementPort}`,
        "--hostname-strict=false",
        `--db-url=jdbc:postgresql://${pg.host}:${pg.port}/${database}`,
      ],
      cwd: dir,
      logFile,
      // Credentials go by environment, not on a command line that `ps` shows.
      env: {
        ...process.env,
        JAVA_HOME: javaHome,
        JAVA_OPTS_KC_HEAP: "-Xms64m -Xmx768m",
        KC_DB_USERNAME: pg.user,
        KC_DB_PASSWORD: pg.password,
        KC_BOOTSTRAP_ADMIN_USERNAME: adminUser,
        KC_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      },
    });
    pids.push(server.pid);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilHealthy({
      what: `Keycloak at ${url}`,
      logFile,
      exited: server.exitDescription,
      timeoutMs: options.timeoutMs ?? 240_000,
      intervalMs: 1_000,
      check: async () => {
        const ready = await fetch(`http://127.0.0.1:${managementPort}/health/ready`);
        await ready.arrayBuffer();
        if (!ready.ok) throw new Error(`/health/ready answered ${ready.status}`);
        const discovery = await fetch(`${url}/realms/master/.well-known/openid-configuration`);
        await discovery.arrayBuffer();
        if (!discovery.ok)
          throw new Error(`the master realm's discovery document answered ${discovery.status}`);
        return true;
      },
    });
    const service: KeycloakServiceWithDb = {
      name: "identity",
      dir,
      logFile,
      pids,
      url,
      managementUrl: `http://127.0.0.1:${managementPort}`,
      adminUser,
      adminPassword,
      database,
      ownPostgres,
      stop,
    };
    return service;
  }, stop);
}
