import * as pulumi from "@pulumi/pulumi";
import { SiteConfig } from "../config/siteConfig";
import { DnsConnection, DnsZone } from "../dns/dnsZone";
import { declareSiteStorage, type GarageConnection, type SiteStorage, type SiteStorageArgs } from "../storage";
import { appUrls, planSiteRecords } from "./records";

export interface SiteArgs {
  /** The validated site config (see parseSiteConfig). */
  config: SiteConfig;
  /** The PowerDNS that serves the site's zone (its key comes from the stack config). */
  dns: DnsConnection;
  /** The Garage that holds the site's buckets (needed when the config has a `storage` section). */
  garage?: GarageConnection;
  replicationCredentials?: SiteStorageArgs["replicationCredentials"];
}

/**
 * One site: a datacenter at one provider, with its hosts and apps. It composes the site's zone and
 * publishes a record per host and per app; the decisions live in pure functions (planSiteRecords).
 */
export class Site extends pulumi.ComponentResource {
  readonly zone: DnsZone;
  /** The zone's name ("coop.example."). */
  readonly zoneName: string;
  /** Public URL of each app, by app instance name. */
  readonly appUrls: Record<string, string>;
  /** Each host's published IPv4 address, by host name. */
  readonly hostAddresses: Record<string, string>;
  /** The buckets and replications of the config's `storage` section. */
  readonly storage?: SiteStorage;

  constructor(name: string, args: SiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:site:Site", name, {}, opts);
    const { config } = args;
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
        { name: record.name, type: record.type, records: [...record.records] },
        `site ${config.name}`,
      );
    }
    this.zoneName = this.zone.zoneName;
    if (config.storage) {
      if (!args.garage)
        throw new Error(`site ${config.name} declares storage but no Garage connection was given (SiteArgs.garage)`);
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
    this.hostAddresses = Object.fromEntries(config.hosts.map((h) => [h.name, h.address]));
    this.registerOutputs({
      zoneName: this.zoneName,
      appUrls: this.appUrls,
      hostAddresses: this.hostAddresses,
    });
  }
}
