/**
 * The site program of the panel test's project: a site from `sovereign:site` with its DNS on the
 * PowerDNS the config names (the key: stack secret `sovereign:powerdnsApiKey`), and registered in
 * the NetBox its `inventory.url` names (the token: stack secret `sovereign:netboxToken`).
 */
import * as pulumi from "@pulumi/pulumi";
import { parseSiteConfig } from "../../sdk/config";
import { builtinSecrets } from "../../sdk/secrets";
import { Site } from "../../sdk/site";

const site = parseSiteConfig(new pulumi.Config("sovereign").requireObject<unknown>("site"));
if (site.dns.endpoint === "local") throw new Error("the panel test's sites name their PowerDNS URL");
const deployed = new Site(site.name, {
  config: site,
  dns: { apiUrl: site.dns.endpoint.apiUrl, serverId: site.dns.serverId },
  secrets: builtinSecrets(),
  ...(site.inventory && site.inventory.endpoint !== "local"
    ? { inventory: { url: site.inventory.endpoint.url } }
    : {}),
});
export const zone = deployed.zoneName;
export const hostCount = site.hosts.length;
