import * as pulumi from "@pulumi/pulumi";
import { SiteConfig } from "../config/siteConfig";
import { AppService } from "../apps/appService";
import { appDefinition } from "../apps/catalog";
import { FediService } from "../apps/fediService";
import type { SecretGenerator } from "../secrets/generator";
import { DnsConnection, DnsZone } from "../dns/dnsZone";
import { NixOSHost } from "../hosts/nixosHost";
import { renderSiteHosts, siteHostSpecOf } from "./hostConfigurations";
import {
  declareSiteStorage,
  type GarageConnection,
  type SiteStorage,
  type SiteStorageArgs,
} from "../storage";
import { InventoryConnection, SiteInventoryArgs, SiteInventoryRegistration } from "./inventory";
import { appUrls, planSiteRecords } from "./records";
import { declareSiteIdentity, type SiteIdentity } from "./identity";
import type { PostgresConnectionArgs } from "../../providers/postgresql";
import { declareSiteMigration, type SiteMigrationArgs } from "./siteMigration";
import type { Migration } from "../migration/migration";

/** Inputs of a {@link Site}: its validated config and the services it runs on. */
export interface SiteArgs {
  /** The validated site config (see parseSiteConfig). */
  config: SiteConfig;
  /** The PowerDNS that serves the site's zone (its key comes from the stack config). */
  dns: DnsConnection;
  /** How apps' identity secrets are generated; default @pulumi/random + @pulumi/tls. */
  secrets?: SecretGenerator;
  /** The Garage that holds the site's buckets (needed when the config has a `storage` section). */
  garage?: GarageConnection;
  /**
   * S3 credentials that bucket replication writes to the other side with (secret); needed when a bucket
   * has `replicateTo`.
   */
  replicationCredentials?: SiteStorageArgs["replicationCredentials"];
  /** The NetBox that `config.inventory` names (resolved by the program); without it, no inventory. */
  inventory?: InventoryConnection;
  /**
   * How the inventory's tags, VMs, interfaces and services are declared: "resources" (default),
   * one resource each; "collection", one `NetboxObjectCollection` (one listing and one bulk request
   * per object type; for large sites). A stack made with "resources" does not move to "collection"
   * by itself: the collection refuses the objects the old resources still mark.
   */
  inventoryObjects?: SiteInventoryArgs["objects"];
  /** SSH key (path on the machine running Pulumi) the hosts accept, for delivering OIDC client secrets. */
  hostSecretKeyPath?: string;
  /** The site's PostgreSQL: each app's roles and databases are made there (admin password: stack config). */
  postgres?: PostgresConnectionArgs;
  /**
   * The datacenters the site may run at (sdk/site/siteMigration.ts): with it, the site declares a
   * Migration to `config.datacenter`, and its host records and inventory follow where it serves.
   */
  migration?: SiteMigrationArgs;
}

/**
 * One site: a datacenter at one provider, with its hosts and apps. It composes the site's zone and
 * publishes a record per host and per app; the decisions live in pure functions (planSiteRecords).
 *
 * @example
 * ```ts
 * import * as pulumi from "@pulumi/pulumi";
 * import { parseSiteConfig, Site, secrets } from "sovereign";
 *
 * const config = parseSiteConfig(new pulumi.Config("sovereign").requireObject("site"));
 * const site = new Site(config.name, {
 *   config,
 *   dns: { apiUrl: "https://ns1.coop.example:8081" },
 *   secrets: secrets.builtinSecrets(),
 * });
 * export const apps = site.appUrls;
 * ```
 */
export class Site extends pulumi.ComponentResource {
  /** The site's DNS zone. */
  readonly zone: DnsZone;
  /** The zone's name ("coop.example."). */
  readonly zoneName: string;
  /** Public URL of each app, by app instance name. */
  readonly appUrls: Record<string, string>;
  /** Each host's published IPv4 address, by host name. */
  readonly hostAddresses: Record<string, pulumi.Input<string>>;
  /** sha256 of each host's rendered NixOS configuration, by host name: a change shows in preview. */
  readonly hostConfigurationHashes: Record<string, string>;
  /** The hosts that have a placement (made and reached by the SDK), by host name. */
  readonly nixosHosts: Record<string, NixOSHost>;
  /** Each app instance, by name: its state declarations, NixOS fragment and secrets. */
  readonly appServices: Record<string, AppService | FediService>;
  /** The buckets and replications of the config's `storage` section. */
  readonly storage?: SiteStorage;
  /** The site's registration in NetBox, when the config has an inventory. */
  readonly inventory?: SiteInventoryRegistration;
  /** The identity realm and the OIDC client secrets delivered to hosts, when the config has identity. */
  readonly identity?: SiteIdentity;
  /** Where the site runs and how it moves, when SiteArgs.migration is given. */
  readonly migration?: Migration;

  constructor(name: string, args: SiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:site:Site", name, {}, opts);
    const { config } = args;
    if (args.migration)
      this.migration = declareSiteMigration(
        name,
        {
          config,
          migration: args.migration,
          dns: args.dns,
          inventory: args.inventory && { ...args.inventory, tokenConfig: config.inventory?.tokenConfig },
          hookOutputs: { appUrls: appUrls(config), hosts: config.hosts.map((h) => h.name) },
        },
        this,
      );
    if (config.inventory && args.inventory) {
      this.inventory = new SiteInventoryRegistration(
        `${name}-inventory`,
        {
          config,
          netbox: { tokenConfig: config.inventory.tokenConfig, ...args.inventory },
          ...(args.inventoryObjects ? { objects: args.inventoryObjects } : {}),
          ...(this.migration ? { datacenter: this.migration.servingAt } : {}),
        },
        { parent: this },
      );
    }
    // A host whose address is "netbox" publishes the address NetBox allocated for it.
    // With a migration, a host's A record is the serving datacenter's address (it moves at the switch).
    const published = (address: string, host: string): pulumi.Input<string> =>
      this.migration
        ? this.migration.servingAddress
        : address === "netbox" && this.inventory
          ? this.inventory.hostAddresses[host]
          : address;
    this.zone = new DnsZone(
      `${name}-zone`,
      {
        connection: args.dns,
        zone: `${config.domain}.`,
        nameservers:
          config.dns.nameservers.length > 0 ? [...config.dns.nameservers] : [`ns1.${config.domain}.`],
        defaultTtl: config.dns.ttl,
        protect: config.protect,
      },
      { parent: this },
    );
    for (const record of planSiteRecords(config)) {
      this.zone.record(
        {
          name: record.name,
          type: record.type,
          records:
            record.type === "A" ? record.records.map((r) => published(r, record.name)) : [...record.records],
        },
        `site ${config.name}`,
      );
    }
    if (config.identity)
      this.identity = declareSiteIdentity(
        name,
        {
          config,
          identity: config.identity,
          secrets: args.secrets,
          hostSecretKeyPath: args.hostSecretKeyPath,
        },
        this,
      );
    this.appServices = Object.fromEntries(
      config.apps.map((app) => {
        // The site published each app's name above (planSiteRecords); the services add the rest.
        const common = {
          app: app.app,
          host: app.host,
          zone: this.zone,
          subdomain: app.subdomain,
          secrets: args.secrets,
          publishName: false,
          oidc: this.identity?.clientFor(app.name),
          postgres: args.postgres,
          protect: config.protect,
        };
        const service =
          app.domain && appDefinition(app.app).federation.length > 0
            ? new FediService(app.name, { ...common, domain: app.domain }, { parent: this })
            : new AppService(app.name, common, { parent: this });
        return [app.name, service];
      }),
    );
    this.zoneName = this.zone.zoneName;
    if (config.storage) {
      if (!args.garage)
        throw new Error(
          `site ${config.name} declares storage but no Garage connection was given (SiteArgs.garage)`,
        );
      this.storage = declareSiteStorage(
        name,
        {
          storage: config.storage,
          garage: args.garage,
          zone: this.zone,
          replicationHost: config.hosts[0].name,
          replicationCredentials: args.replicationCredentials,
          protect: config.protect,
        },
        this,
      );
    }
    this.appUrls = appUrls(config);
    this.hostAddresses = Object.fromEntries(config.hosts.map((h) => [h.name, published(h.address, h.name)]));
    const rendered = renderSiteHosts(config);
    this.hostConfigurationHashes = Object.fromEntries(Object.entries(rendered).map(([n, r]) => [n, r.hash]));
    // Hosts with a placement become NixOSHosts; their A/AAAA stay with the site's record plan above.
    this.nixosHosts = Object.fromEntries(
      config.hosts
        .filter((h) => h.placement)
        .map((h) => [
          h.name,
          new NixOSHost(
            `${name}-${h.name}`,
            { ...siteHostSpecOf(config, h), protect: config.protect },
            { parent: this },
          ),
        ]),
    );
    this.registerOutputs({
      hostConfigurationHashes: this.hostConfigurationHashes,
      zoneName: this.zoneName,
      appUrls: this.appUrls,
      hostAddresses: this.hostAddresses,
    });
  }
}
