import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Where the local PowerDNS that `npm run env -- up powerdns` started listens, and its key. */
export interface LocalPowerDns {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly serverId: string;
}

interface EnvFile {
  services?: { powerdns?: { endpoints?: Record<string, unknown>; credentials?: Record<string, unknown> } };
}

const START = "start it with `npm run env -- up powerdns` (npm run demo does)";

function stateFiles(repoRoot: string): { env: string; settings: string } {
  const env = process.env.SOVEREIGN_ENV_STATE ?? path.join(repoRoot, ".state", "env.json");
  // The service's persistent home (test/harness/env-state.ts serviceHome) beside the state file.
  return { env, settings: path.join(path.dirname(env), "services", "powerdns", "settings.json") };
}

/** Where a stopped local PowerDNS was last seen (its persistent settings), for the message. */
function expectedUrl(settingsFile: string): string | undefined {
  try {
    const settings = JSON.parse(fs.readFileSync(settingsFile, "utf8")) as { webPort?: unknown };
    return typeof settings.webPort === "number" ? `http://127.0.0.1:${settings.webPort}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the local services' record (`.state/env.json`, written by the harness CLI). This is the
 * "embedded local defaults" of the demo site (`endpoint: local`); a real site names its PowerDNS.
 */
export function localPowerDns(repoRoot: string): LocalPowerDns {
  const files = stateFiles(repoRoot);
  const pdns = fs.existsSync(files.env)
    ? (JSON.parse(fs.readFileSync(files.env, "utf8")) as EnvFile).services?.powerdns
    : undefined;
  const apiUrl = pdns?.endpoints?.apiUrl;
  const apiKey = pdns?.credentials?.apiKey;
  if (typeof apiUrl !== "string" || typeof apiKey !== "string") {
    const expected = expectedUrl(files.settings);
    throw new Error(
      expected
        ? `site.dns.endpoint is "local" but the local PowerDNS is not running (expected at ${expected}, ` +
            `recorded in ${files.settings}); ${START}`
        : `site.dns.endpoint is "local" but the local PowerDNS has never been started here ` +
            `(${files.env} records none); ${START}`,
    );
  }
  const serverId = typeof pdns?.endpoints?.serverId === "string" ? pdns.endpoints.serverId : "localhost";
  return { apiUrl, apiKey, serverId };
}

/** Asks the API once, in a child process (the program's set-up is synchronous). */
const PROBE = `
fetch(process.argv[1], { headers: { "X-API-Key": process.env.PDNS_KEY }, signal: AbortSignal.timeout(5000) })
  .then(async (r) => { await r.arrayBuffer(); if (r.status === 401 || r.status === 403) throw new Error("it refuses the recorded API key (" + r.status + ")"); })
  .catch((e) => { process.stderr.write(String((e.cause && e.cause.code) || e.message)); process.exit(1); });
`;

/**
 * The local PowerDNS, checked to answer before any resource is declared: a stack whose local
 * service is down fails at once, saying which service, where it was expected and how to bring it
 * back, instead of a connection error per resource.
 */
export function reachableLocalPowerDns(repoRoot: string): LocalPowerDns {
  const local = localPowerDns(repoRoot);
  const probe = spawnSync(
    process.execPath,
    ["-e", PROBE, `${local.apiUrl}/api/v1/servers/${local.serverId}`],
    {
      env: { ...process.env, PDNS_KEY: local.apiKey },
      encoding: "utf8",
      timeout: 15_000,
    },
  );
  if (probe.status !== 0) {
    const cause = probe.stderr.trim() || probe.error?.message || `exit ${probe.status}`;
    throw new Error(
      `site.dns.endpoint is "local" but the local PowerDNS does not answer at ${local.apiUrl} ` +
        `(recorded in ${stateFiles(repoRoot).env}): ${cause}; ${START.replace("start it", "start it again")}`,
    );
  }
  return local;
}
