/**
 * The local site's apps, run for real on this machine: the apps' databases on the PostgreSQL that
 * `npm run env -- up postgres` started, and each Matrix FediService of the site as a real Synapse
 * on its host's loopback address, installed over SSH (the sshd of `npm run env -- up sshd`) from
 * the venv that scripts/synapse.sh installed (npm run demo does all three).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { FediService, SynapseHomeserver } from "../sdk/apps";
import type { SiteConfig } from "../sdk/config";
import type { Site } from "../sdk/site";
import type { PostgresConnectionArgs } from "../providers/postgresql";

interface ServiceRecord {
  endpoints?: Record<string, unknown>;
  credentials?: Record<string, unknown>;
}

/** Synapse listens on this port of its host's address (loopback on the local site). */
export const LOCAL_SYNAPSE_PORT = 8008;

function localService(repoRoot: string, name: "postgres" | "sshd"): ServiceRecord {
  const file = process.env.SOVEREIGN_ENV_STATE ?? path.join(repoRoot, ".state", "env.json");
  const env = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, "utf8")) as { services?: Record<string, ServiceRecord> })
    : {};
  const record = env.services?.[name];
  if (!record?.endpoints)
    throw new Error(
      `the site's apps run on this machine and need the local ${name}, but ${file} records none; start it with \`npm run env -- up ${name}\` (npm run demo does)`,
    );
  return record;
}

/**
 * Whether this run of the local stack runs its apps for real (npm run demo, the site test): other
 * runs (service restarts, resets) keep to DNS, inventory and secrets.
 */
export function localAppsRun(): boolean {
  return Boolean(process.env.SOVEREIGN_SYNAPSE_VENV);
}

/**
 * The local PostgreSQL, where the apps' databases are made. Its admin password reaches the
 * provider as the stack config secret sovereign:postgresAdminPassword (scripts/demo.sh sets it).
 */
export function localPostgres(repoRoot: string): PostgresConnectionArgs {
  const { host, port } = localService(repoRoot, "postgres").endpoints ?? {};
  const { user } = localService(repoRoot, "postgres").credentials ?? {};
  if (typeof host !== "string" || typeof port !== "number" || typeof user !== "string")
    throw new Error(
      "the local PostgreSQL's record lacks host, port or user; run `npm run env -- up postgres`",
    );
  return { host, port, adminUser: user };
}

function localSsh(repoRoot: string) {
  const { host, port, user, knownHostsPath } = localService(repoRoot, "sshd").endpoints ?? {};
  const { privateKeyPath } = localService(repoRoot, "sshd").credentials ?? {};
  if (
    typeof host !== "string" ||
    typeof port !== "number" ||
    typeof knownHostsPath !== "string" ||
    typeof privateKeyPath !== "string"
  )
    throw new Error("the local sshd's record is incomplete; run `npm run env -- up sshd`");
  return {
    target: { host, port, user: typeof user === "string" ? user : "root", knownHostsPath },
    privateKey: pulumi.secret(fs.readFileSync(privateKeyPath, "utf8")),
  };
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
): Record<string, pulumi.Output<string> | string> {
  const matrixApps = config.apps.filter((a) => a.app === "matrix");
  if (matrixApps.length === 0) return {};
  if (!localAppsRun()) {
    pulumi.log.warn(
      `apps ${matrixApps.map((a) => a.name).join(", ")}: no homeserver is started on this machine; set SOVEREIGN_SYNAPSE_VENV (npm run demo does) to run Synapse`,
    );
    return {};
  }
  const venv = synapseVenv(process.env.SOVEREIGN_SYNAPSE_VENV ?? "");
  const ssh = localSsh(repoRoot);
  return Object.fromEntries(
    matrixApps.map((app) => {
      const matrix = site.appServices[app.name];
      if (!(matrix instanceof FediService)) throw new Error(`app ${app.name}: expected a FediService`);
      const host = config.hosts.find((h) => h.name === app.host);
      const server = new SynapseHomeserver(
        app.name,
        {
          matrix,
          host: { hostName: app.host, ...ssh },
          venv,
          bindAddress: host?.address ?? "127.0.0.1",
          port: LOCAL_SYNAPSE_PORT,
          dataDir: path.join(repoRoot, ".state", "synapse", `${config.name}-${app.name}`),
        },
        { parent: site },
      );
      return [app.name, server.url];
    }),
  );
}
