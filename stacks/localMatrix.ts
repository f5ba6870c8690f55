/**
 * The local site's Matrix homeservers: each Matrix FediService of the site runs as a real Synapse on
 * its host's loopback address, with its own database on the PostgreSQL that `npm run env -- up
 * postgres` started and the venv that scripts/synapse.sh installed (npm run demo does both).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { FediService, SynapseHomeserver } from "../sdk/apps";
import type { SiteConfig } from "../sdk/config";
import type { SecretGenerator } from "../sdk/secrets";
import type { Site } from "../sdk/site";

interface PostgresRecord {
  endpoints?: { host?: unknown; port?: unknown; binDir?: unknown };
  credentials?: { user?: unknown; password?: unknown };
}

/** Synapse listens on this port of its host's address (loopback on the local site). */
export const LOCAL_SYNAPSE_PORT = 8008;

function localPostgres(repoRoot: string): {
  host: string;
  port: number;
  user: string;
  password: string;
  psql: string;
} {
  const file = process.env.SOVEREIGN_ENV_STATE ?? path.join(repoRoot, ".state", "env.json");
  const hint = "start it with `npm run env -- up postgres` (npm run demo does)";
  const env = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, "utf8")) as { services?: { postgres?: PostgresRecord } })
    : {};
  const pg = env.services?.postgres;
  const { host, port, binDir } = pg?.endpoints ?? {};
  const { user, password } = pg?.credentials ?? {};
  if (
    typeof host !== "string" ||
    typeof port !== "number" ||
    typeof user !== "string" ||
    typeof password !== "string"
  ) {
    throw new Error(
      `the site runs Matrix, which needs the local PostgreSQL, but ${file} records none; ${hint}`,
    );
  }
  const psql = typeof binDir === "string" ? path.join(binDir, "psql") : "psql";
  return { host, port, user, password, psql };
}

function synapseVenv(venv: string): string {
  if (!fs.existsSync(path.join(venv, "bin", "python"))) {
    throw new Error(
      `SOVEREIGN_SYNAPSE_VENV is ${venv} but holds no Synapse; run scripts/synapse.sh (npm run demo does) and pass the dir it prints`,
    );
  }
  return venv;
}

/** A SynapseHomeserver for each Matrix app of the site; their URLs by app name. */
export function localMatrixHomeservers(
  repoRoot: string,
  config: SiteConfig,
  site: Site,
  secrets: SecretGenerator,
): Record<string, pulumi.Output<string> | string> {
  const matrixApps = config.apps.filter((a) => a.app === "matrix");
  if (matrixApps.length === 0) return {};
  // The homeserver process is started only where asked for (npm run demo, the site test): other
  // runs of the local stack (service restarts, resets) keep to DNS and secrets.
  const given = process.env.SOVEREIGN_SYNAPSE_VENV;
  if (!given) {
    pulumi.log.warn(
      `apps ${matrixApps.map((a) => a.name).join(", ")}: no homeserver is started on this machine; set SOVEREIGN_SYNAPSE_VENV (npm run demo does) to run Synapse`,
    );
    return {};
  }
  const pg = localPostgres(repoRoot);
  const venv = synapseVenv(given);
  return Object.fromEntries(
    matrixApps.map((app) => {
      const matrix = site.appServices[app.name];
      if (!(matrix instanceof FediService)) throw new Error(`app ${app.name}: expected a FediService`);
      const host = config.hosts.find((h) => h.name === app.host);
      const server = new SynapseHomeserver(
        app.name,
        {
          matrix,
          venv,
          bindAddress: host?.address ?? "127.0.0.1",
          port: LOCAL_SYNAPSE_PORT,
          dataDir: path.join(repoRoot, ".state", "synapse", `${config.name}-${app.name}`),
          database: {
            host: pg.host,
            port: pg.port,
            adminUser: pg.user,
            adminPassword: pulumi.secret(pg.password),
            psql: pg.psql,
          },
          secrets,
          protect: config.protect,
        },
        { parent: site },
      );
      return [app.name, server.url];
    }),
  );
}
