import { registerSharedService } from "./shared";
import * as fs from "fs";
import * as path from "path";
import { runCommand } from "./commands";
import { waitUntilHealthy } from "./health";
import { idempotent, startOrClean, stopAndRemove } from "./lifecycle";
import { retryOnPortClash } from "./port-clash";
import { assertRecordedPortsFree, openServiceHome } from "./home";
import { freePort } from "./ports";
import { randomSecret } from "./secrets";
import { spawnDetached } from "./spawn";
import { makeServiceDir } from "./tempdir";
import type { PowerDnsService } from "./types";

export const POWERDNS_SCHEMA = "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql";

export interface PowerDnsOptions {
  /** Extra pdns.conf lines (key=value), appended after the harness's own. */
  extraConfig?: Record<string, string>;
  timeoutMs?: number;
  /**
   * A persistent home (the local site's `.state/services/powerdns`): data, ports and API key are
   * chosen on the first start, recorded there, and reused by every later start; `stop()` keeps
   * them. Without it: a fresh temp dir, removed by `stop()`.
   */
  home?: string;
}

interface PowerDnsSettings {
  webPort: number;
  dnsPort: number;
  apiKey: string;
}

function pdnsConfig(settings: Record<string, string>): string {
  return (
    Object.entries(settings)
      .map(([key, value]) => `${key}=${value}`)
      .join("\n") + "\n"
  );
}

/**
 * Runs pdns_server on the config in `service.dir`, adds its pid to `service.pids` (so `stop()`
 * ends it) and waits for its API. Also restarts a server stopped by pid, on the same data and ports.
 */
export async function launchPdnsServer(
  service: Pick<PowerDnsService, "dir" | "logFile" | "pids" | "apiUrl" | "apiKey">,
  timeoutMs?: number,
): Promise<void> {
  const { dir, logFile, apiUrl, apiKey } = service;
  const server = spawnDetached({
    command: "pdns_server",
    args: [`--config-dir=${dir}`, "--daemon=no", "--guardian=no", "--disable-syslog", "--write-pid=no"],
    cwd: dir,
    logFile,
  });
  service.pids.push(server.pid);
  await waitUntilHealthy({
    what: `PowerDNS API at ${apiUrl}`,
    logFile,
    exited: server.exitDescription,
    timeoutMs,
    check: async () => {
      const response = await fetch(`${apiUrl}/api/v1/servers/localhost`, {
        headers: { "X-API-Key": apiKey },
      });
      await response.arrayBuffer();
      if (response.status !== 200)
        throw new Error(`GET /api/v1/servers/localhost answered ${response.status}`);
      return true;
    },
  });
}

/** Starts pdns_server (gsqlite3 backend, HTTP API with a random key) on free loopback ports. */
export function startPowerDns(options: PowerDnsOptions = {}): Promise<PowerDnsService> {
  return retryOnPortClash(() => startPowerDnsOnce(options));
}

async function chooseSettings(): Promise<PowerDnsSettings> {
  return { webPort: await freePort(), dnsPort: await freePort(true), apiKey: randomSecret() };
}

async function startPowerDnsOnce(options: PowerDnsOptions = {}): Promise<PowerDnsService> {
  if (!fs.existsSync(POWERDNS_SCHEMA)) {
    throw new Error(`PowerDNS sqlite schema missing at ${POWERDNS_SCHEMA}: run scripts/services.sh`);
  }
  const home = options.home ? await openServiceHome(options.home, chooseSettings) : undefined;
  const dir = home?.dir ?? makeServiceDir("powerdns");
  const logFile = path.join(dir, "pdns.log");
  const pids: number[] = [];
  // A persistent home keeps its data; a fresh one that failed to start is removed (new ports next try).
  const stop = idempotent(() => stopAndRemove({ pids, dir, keepDir: home !== undefined }));
  const cleanup = async () => {
    await stop();
    if (home?.fresh) fs.rmSync(dir, { recursive: true, force: true });
  };

  return startOrClean(async () => {
    const database = path.join(dir, "pdns.sqlite3");
    if (!fs.existsSync(database))
      await runCommand("sqlite3", [database], { input: fs.readFileSync(POWERDNS_SCHEMA, "utf8") });
    const { apiKey, webPort, dnsPort } = home?.settings ?? (await chooseSettings());
    if (home && !home.fresh)
      await assertRecordedPortsFree("the local PowerDNS", dir, { webPort, dnsPort }, ["dnsPort"]);
    const config = {
      launch: "gsqlite3",
      "gsqlite3-database": database,
      "local-address": "127.0.0.1",
      "local-port": String(dnsPort),
      api: "yes",
      "api-key": apiKey,
      webserver: "yes",
      "webserver-address": "127.0.0.1",
      "webserver-port": String(webPort),
      "webserver-allow-from": "127.0.0.0/8",
      "socket-dir": dir,
      ...options.extraConfig,
    };
    fs.writeFileSync(path.join(dir, "pdns.conf"), pdnsConfig(config), { mode: 0o600 });

    const apiUrl = `http://127.0.0.1:${webPort}`;
    await launchPdnsServer({ dir, logFile, pids, apiUrl, apiKey }, options.timeoutMs);

    const service: PowerDnsService = {
      name: "powerdns",
      dir,
      logFile,
      pids,
      apiUrl,
      apiKey,
      serverId: "localhost",
      dnsAddress: "127.0.0.1",
      dnsPort,
      stop,
    };
    return service;
  }, cleanup);
}

declare module "./shared" {
  interface SharedServices {
    powerdns: PowerDnsService;
  }
}
registerSharedService("powerdns", () => startPowerDns());
