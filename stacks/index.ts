/**
 * The site program: one stack per site. `sovereign:site` in stacks/Pulumi.<stack>.yaml describes
 * the site; it is validated before any resource is declared.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseSiteConfig } from "../sdk/config";
import { DnsConnection } from "../sdk/dns";
import { Site, type SiteMigrationArgs } from "../sdk/site";
import { localNetboxUrl, reachableLocalPowerDns } from "./localServices";
import { builtinSecrets, pluginSecrets } from "../sdk/secrets";
import { localAppsRun, localMatrixHomeservers, localPostgres } from "./localMatrix";

const config = new pulumi.Config("sovereign");
const site = parseSiteConfig(config.getObject<unknown>("site"));

function dnsConnection(): DnsConnection {
  if (site.dns.endpoint === "local") {
    const local = reachableLocalPowerDns(path.resolve(__dirname, "../.."));
    // The key of the local PowerDNS reaches the stack config through scripts/demo.sh.
    return { apiUrl: local.apiUrl, serverId: local.serverId };
  }
  // The API key: stack config secret sovereign:powerdnsApiKey, read by the provider (configure).
  return { apiUrl: site.dns.endpoint.apiUrl, serverId: site.dns.serverId };
}

/** The NetBox of `site.inventory` (its token: stack config secret `sovereign:netboxToken`). */
function inventoryConnection(): { url: string } | undefined {
  const inventory = site.inventory;
  if (!inventory) return undefined;
  return {
    url:
      inventory.endpoint === "local"
        ? localNetboxUrl(path.resolve(__dirname, "../.."))
        : inventory.endpoint.url,
  };
}

/**
 * Where the site may run (issue 14): with `sovereign:datacenters` (each datacenter's non-secret
 * description; credentials in the secret `sovereign:datacenterSecrets`) and `sovereign:siteApps`
 * (`{ start, stop }` argv run on a datacenter's site host), the Site declares a Migration, and a
 * change of `site.datacenter` moves the site (preview prints the plan).
 */
function siteMigration(): SiteMigrationArgs | undefined {
  const datacenters = config.getObject<SiteMigrationArgs["datacenters"]>("datacenters");
  if (!datacenters) return undefined;
  return { datacenters, app: config.requireObject<SiteMigrationArgs["app"]>("siteApps") };
}

const secrets = site.secrets === "builtin" ? builtinSecrets() : pluginSecrets();
const repoRoot = path.resolve(__dirname, "../..");
const deployed = new Site(site.name, {
  config: site,
  dns: dnsConnection(),
  inventory: inventoryConnection(),
  secrets,
  // The local site's apps get their databases on the local PostgreSQL when they run for real.
  postgres: site.dns.endpoint === "local" && localAppsRun() ? localPostgres(repoRoot) : undefined,
  migration: siteMigration(),
});

export const zone = deployed.zoneName;
export const datacenter = site.datacenter;
/** The migration's plan and progress, when the stack describes its datacenters. */
export const migration = deployed.migration
  ? { servingAt: deployed.migration.servingAt, plan: deployed.migration.plan }
  : undefined;
export const apps = deployed.appUrls;
export const hosts = deployed.hostAddresses;
export const hostConfigurations = deployed.hostConfigurationHashes;
/** Public identity of the federating apps (Matrix verify keys), for checking what the servers publish. */
export const matrixVerifyKeys = Object.fromEntries(
  Object.entries(deployed.appServices).flatMap(([name, s]) =>
    "matrixVerifyKey" in s && s.matrixVerifyKey
      ? [[name, { keyId: s.matrixVerifyKey.keyId, key: s.matrixVerifyKey.publicKey }]]
      : [],
  ),
);
/** The local site's real Matrix homeservers (Synapse on the hosts' loopback addresses), by app name. */
export const matrixHomeservers =
  site.dns.endpoint === "local" ? localMatrixHomeservers(repoRoot, site, deployed) : {};
