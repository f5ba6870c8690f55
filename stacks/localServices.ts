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

/**
 * Reads the local services' record (`.state/env.json`, written by the harness CLI). This is the
 * "embedded local defaults" of the demo site: a real site names its PowerDNS in its config.
 */
export function localPowerDns(repoRoot: string): LocalPowerDns {
  const file = process.env.SOVEREIGN_ENV_STATE ?? path.join(repoRoot, ".state", "env.json");
  const hint = "start it with `npm run env -- up powerdns` (npm run demo does), or set site.dns.apiUrl";
  if (!fs.existsSync(file))
    throw new Error(`site.dns.endpoint is "local" but no local services run (${file} is missing); ${hint}`);
  const env = JSON.parse(fs.readFileSync(file, "utf8")) as EnvFile;
  const pdns = env.services?.powerdns;
  const apiUrl = pdns?.endpoints?.apiUrl;
  const apiKey = pdns?.credentials?.apiKey;
  if (typeof apiUrl !== "string" || typeof apiKey !== "string") {
    throw new Error(`site.dns.endpoint is "local" but ${file} records no PowerDNS; ${hint}`);
  }
  const serverId = typeof pdns?.endpoints?.serverId === "string" ? pdns.endpoints.serverId : "localhost";
  return { apiUrl, apiKey, serverId };
}

/** Where the local NetBox that `npm run env -- up netbox` started listens (its token goes to the stack config). */
export function localNetboxUrl(repoRoot: string): string {
  const file = process.env.SOVEREIGN_ENV_STATE ?? path.join(repoRoot, ".state", "env.json");
  const hint = "start it with `npm run env -- up netbox` (npm run demo does), or set site.inventory.url";
  const env = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, "utf8")) as {
        services?: { netbox?: { endpoints?: Record<string, unknown> } };
      })
    : {};
  const url = env.services?.netbox?.endpoints?.url;
  if (typeof url !== "string")
    throw new Error(`site.inventory.url is "local" but ${file} records no NetBox; ${hint}`);
  return url;
}
