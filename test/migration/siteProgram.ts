/**
 * The migration site as a site stack writes it, shared by the Site-level migration test, `npm run
 * demo -- migrate` and `npm run bench -- migration`: a Site whose config's `datacenter` decides
 * where it runs, with the datacenters of `npm run env -- up dc-a dc-b`, and as its "app" a web
 * server on the datacenter's address serving the site's datasets.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseSiteConfig } from "../../sdk/config";
import { Site } from "../../sdk/site";
import { builtinSecrets } from "../../sdk/secrets";
import type { DatacenterSide } from "../../sdk/migration/sides";
import type { AppControl } from "../../sdk/migration/siteData";
import type { MigrationItem } from "../../sdk/migration/plan";
import { appDefinition } from "../../sdk/apps/catalog";
import { webApp as fixtureWebApp } from "./fixtures";

export const APP_PORT = 8080;

export { sideOf, secretsOf } from "./fixtures";

/** A web server on the datacenter's address serving the site's root dataset (pid file per run). */
export const webApp = (pidFile: string): AppControl => fixtureWebApp(pidFile, APP_PORT);

/** The `sovereign:site` value: pixelfed (database, media dataset, bucket) and edumeet (a config dir). */
export function migrationSiteConfig(
  site: string,
  domain: string,
  datacenter: string,
  hooks: readonly unknown[] = [],
  options: {
    matrix?: boolean;
    inventory?: boolean;
    /** Hooks declared on an app instance (site.apps[i].hooks), by app. */
    appHooks?: Record<string, readonly unknown[]>;
  } = {},
): Record<string, unknown> {
  const hooksOf = (app: string) => (options.appHooks?.[app] ? { hooks: options.appHooks[app] } : {});
  return {
    name: site,
    domain,
    datacenter,
    protect: false,
    secrets: "builtin",
    dns: { endpoint: "local", ttl: 60 },
    hosts: [{ name: "web1", kind: "existing", address: "127.0.10.1" }],
    apps: [
      { app: "pixelfed", host: "web1", domain, ...hooksOf("pixelfed") },
      { app: "edumeet", host: "web1", ...hooksOf("edumeet") },
      ...(options.matrix ? [{ app: "matrix", host: "web1", domain, ...hooksOf("matrix") }] : []),
    ],
    externalServices: ["postgresql", "redis", "smtp", "objectStorage", "oidc"],
    ...(options.inventory === false ? {} : { inventory: { url: "local" } }),
    migration: { keepSource: false, switchTtl: 5, hooks },
  };
}

export interface SiteProgramArgs {
  readonly pdnsApiUrl: string;
  /** "127.0.0.1:5300": where the downtime probe asks for the site's name. */
  readonly dnsServer: string;
  /** Without it, the site has no inventory. */
  readonly netboxUrl?: string;
  readonly pidFile: string;
  /** The apps' start/stop; default the web server alone (webApp). */
  readonly app?: AppControl;
}

/** The program: stack config `sovereign:site`, `sovereign:datacenters` (+ the secrets) decide everything. */
export function siteProgram(args: SiteProgramArgs) {
  return async () => {
    const config = new pulumi.Config("sovereign");
    const site = parseSiteConfig(config.requireObject("site"));
    const deployed = new Site(site.name, {
      config: site,
      dns: { apiUrl: args.pdnsApiUrl, serverId: "localhost" },
      ...(args.netboxUrl ? { inventory: { url: args.netboxUrl } } : {}),
      secrets: builtinSecrets(),
      migration: {
        datacenters: config.requireObject<Record<string, DatacenterSide>>("datacenters"),
        app: args.app ?? webApp(args.pidFile),
        probe: { port: APP_PORT, dnsServer: args.dnsServer },
        ttlWaitCapSeconds: 2,
        failAt: config.get("failAt"),
      },
    });
    return {
      servingAt: deployed.migration!.servingAt,
      plan: deployed.migration!.plan,
      migration: deployed.migration!.migration,
      hosts: deployed.hostAddresses,
    };
  };
}

/** The state items of the migration site's apps (what its Migration moves). */
export function migrationSiteItems(matrix = false): MigrationItem[] {
  return (["pixelfed", "edumeet", ...(matrix ? (["matrix"] as const) : [])] as const).flatMap((a) =>
    appDefinition(a).state.map((state) => ({ app: a, state })),
  );
}
