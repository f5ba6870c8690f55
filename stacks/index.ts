/**
 * The site program: one stack per site. `sovereign:site` in stacks/Pulumi.<stack>.yaml describes
 * the site; it is validated before any resource is declared.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseSiteConfig } from "../sdk/config";
import { DnsConnection } from "../sdk/dns";
import { Site } from "../sdk/site";
import { reachableLocalPowerDns } from "./localServices";

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

const deployed = new Site(site.name, { config: site, dns: dnsConnection() });

export const zone = deployed.zoneName;
export const datacenter = site.datacenter;
export const apps = deployed.appUrls;
export const hosts = deployed.hostAddresses;
