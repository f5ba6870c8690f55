/**
 * The NixOS options each catalog app sets. Every option path here is a real option of the NixOS
 * module named in the app's catalog entry (`nixos.module`); the reference is the NixOS manual's
 * option list (search.nixos.org/options, channel nixos-24.11), section given per app below.
 */
import { AppId, appDefinition } from "../apps/catalog";
import { NixAttrs, NixValue } from "./expr";

export interface AppContext {
  /** The app's public name, e.g. "cloud.coop.example". */
  readonly fqdn: string;
  /** The site's domain, e.g. "coop.example". */
  readonly domain: string;
}

/** The NixOS configuration of one catalog app on a host. */
export interface AppFragment {
  /** The catalog id of the app. */
  readonly app: AppId;
  /** Options under the app's module, relative to the catalog's `nixos.module`. */
  readonly options: NixAttrs;
  /** A local port the reverse proxy forwards to, for apps that do not configure nginx themselves. */
  readonly proxyPort?: number;
  /** Where the options are documented. */
  readonly source: string;
}

type FragmentOf = (ctx: AppContext) => Omit<AppFragment, "app">;

const fragments: Partial<Record<AppId, FragmentOf>> = {
  // services.nextcloud.{enable,hostName,https,database.createLocally,config.dbtype,config.adminpassFile}
  nextcloud: (c) => ({
    source: "NixOS options services.nextcloud.*",
    options: {
      enable: true,
      hostName: c.fqdn,
      https: true,
      database: { createLocally: true },
      config: { dbtype: "pgsql", adminpassFile: "/run/sovereign/secrets/nextcloud-admin" },
    },
  }),
  // services.forgejo.{enable,database.type,settings.server.{DOMAIN,ROOT_URL,HTTP_PORT}}
  forgejo: (c) => ({
    source: "NixOS options services.forgejo.*",
    proxyPort: 3000,
    options: {
      enable: true,
      database: { type: "postgres" },
      settings: { server: { DOMAIN: c.fqdn, ROOT_URL: `https://${c.fqdn}/`, HTTP_PORT: 3000 } },
    },
  }),
  // services.hedgedoc.{enable,settings.{domain,port,protocolUseSSL}}
  hedgedoc: (c) => ({
    source: "NixOS options services.hedgedoc.*",
    proxyPort: 3001,
    options: { enable: true, settings: { domain: c.fqdn, port: 3001, protocolUseSSL: true } },
  }),
  // services.roundcube.{enable,hostName} (configures nginx itself)
  webmail: (c) => ({
    source: "NixOS options services.roundcube.*",
    options: { enable: true, hostName: c.fqdn },
  }),
  // services.cryptpad.{enable,configureNginx,settings.{httpUnsafeOrigin,httpSafeOrigin}}
  documents: (c) => ({
    source: "NixOS options services.cryptpad.*",
    options: {
      enable: true,
      configureNginx: true,
      settings: { httpUnsafeOrigin: `https://${c.fqdn}`, httpSafeOrigin: `https://sandbox-${c.fqdn}` },
    },
  }),
  // services.vikunja.{enable,frontendScheme,frontendHostname,port}
  planning: (c) => ({
    source: "NixOS options services.vikunja.*",
    proxyPort: 3456,
    options: { enable: true, frontendScheme: "https", frontendHostname: c.fqdn, port: 3456 },
  }),
  // services.matrix-synapse.{enable,settings.{server_name,public_baseurl}}
  matrix: (c) => ({
    source: "NixOS options services.matrix-synapse.*",
    proxyPort: 8008,
    options: { enable: true, settings: { server_name: c.domain, public_baseurl: `https://${c.fqdn}/` } },
  }),
  // services.mastodon.{enable,localDomain,configureNginx,smtp.fromAddress}
  mastodon: (c) => ({
    source: "NixOS options services.mastodon.*",
    options: {
      enable: true,
      localDomain: c.fqdn,
      configureNginx: true,
      smtp: { fromAddress: `noreply@${c.domain}` },
    },
  }),
  // services.pixelfed.{enable,domain}
  pixelfed: (c) => ({
    source: "NixOS options services.pixelfed.*",
    options: { enable: true, domain: c.fqdn },
  }),
  // services.peertube.{enable,localDomain,configureNginx,enableWebHttps,listenWeb,database.createLocally,redis.createLocally}
  peertube: (c) => ({
    source: "NixOS options services.peertube.*",
    options: {
      enable: true,
      localDomain: c.fqdn,
      configureNginx: true,
      enableWebHttps: true,
      listenWeb: 443,
      database: { createLocally: true },
      redis: { createLocally: true },
    },
  }),
  // services.owncast.{enable,listen,port}
  owncast: () => ({
    source: "NixOS options services.owncast.*",
    proxyPort: 8080,
    options: { enable: true, listen: "127.0.0.1", port: 8080 },
  }),
  // services.postgresql.{enable,enableTCPIP} (site-internal: the apps' databases live here)
  postgresql: () => ({
    source: "NixOS options services.postgresql.*",
    options: { enable: true, enableTCPIP: false },
  }),
  // services.postfix.{enable,enableSubmission,settings.main.myhostname}; Cyrus IMAP and saslauthd are
  // their own modules (services.cyrus-imap.*, services.saslauthd.*), rendered by the mail issue's host.
  mail: (c) => ({
    source: "NixOS options services.postfix.*",
    options: { enable: true, enableSubmission: true, settings: { main: { myhostname: c.fqdn } } },
  }),
  // services.garage.{enable,settings.replication_factor}
  garage: () => ({
    source: "NixOS options services.garage.*",
    options: { enable: true, settings: { replication_factor: 1 } },
  }),
  // services.keycloak.{enable,settings.{hostname,http-host,http-port,proxy-headers},database.{type,createLocally}}
  keycloak: (c) => ({
    source: "NixOS options services.keycloak.*",
    proxyPort: 8081,
    options: {
      enable: true,
      settings: {
        hostname: c.fqdn,
        "http-host": "127.0.0.1",
        "http-port": 8081,
        "proxy-headers": "xforwarded",
      },
      database: { type: "postgresql", createLocally: true },
    },
  }),
  // services.castopod.{enable,localDomain}
  castopod: (c) => ({
    source: "NixOS options services.castopod.*",
    options: { enable: true, localDomain: c.fqdn },
  }),
};

/** The NixOS fragment of an app, or undefined for apps without a NixOS module (they need a PlainHost). */
export function appFragment(app: AppId, ctx: AppContext): AppFragment | undefined {
  const of = fragments[app];
  if (!appDefinition(app).nixos || !of) return undefined;
  return { app, ...of(ctx) };
}

/** nginx virtual host proxying to an app's local port (services.nginx.virtualHosts.<name>.*). */
export function proxyVirtualHost(port: number): NixValue {
  return {
    forceSSL: true,
    enableACME: true,
    locations: { "/": { proxyPass: `http://127.0.0.1:${port}`, proxyWebsockets: true } },
  };
}
