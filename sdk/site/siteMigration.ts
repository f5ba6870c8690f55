/**
 * A site's location as a resource: when the program describes the datacenters the site may run
 * at, the Site declares a Migration (sdk/migration) whose target is the config's `datacenter`.
 * Changing `datacenter` (dc-a -> dc-b) makes `pulumi preview` print the ordered plan (with the
 * config's hooks in place) and `pulumi up` carry it out; the host records and the inventory follow
 * `servingAt` / `servingAddress`, so they change only once the switch happened.
 */
import * as pulumi from "@pulumi/pulumi";
import { siteHooks, type SiteConfig } from "../config/siteConfig";
import { appDefinition } from "../apps/catalog";
import { Migration } from "../migration/migration";
import type { MigrationHook } from "../migration/hooks";
import type { MigrationItem } from "../migration/plan";
import type { DatacenterSide } from "../migration/sides";
import type { AppControl } from "../migration/siteData";
import { resourceOwner } from "../../providers/shared/resourceOwner";

/**
 * What a Site needs to move between datacenters when its config's `datacenter` changes: the
 * datacenters' descriptions, how its apps start and stop, and the downtime probe. With it the Site
 * declares a `Migration` (`<name>-location`) whose inputs show the ordered plan in a preview.
 */
export interface SiteMigrationArgs {
  /** Every datacenter the site may run at, by name (non-secret; credentials: `sovereign:datacenterSecrets`). */
  readonly datacenters: Record<string, DatacenterSide>;
  /** How the site's apps start and stop on a datacenter's site host. */
  readonly app: AppControl;
  /** The port and path the downtime probe fetches on the first host's name; no probe without it. */
  readonly probe?: {
    /** TCP port of the app's public endpoint, e.g. 443. */
    readonly port: number;
    /** HTTP path fetched (default "/"). */
    readonly path?: string;
    /** DNS server (host:port) the probe asks for the name's address, so it follows the switch. */
    readonly dnsServer: string;
  };
  /** Hooks given by the program, run after the apps' and the config's at each point (hookMerge.ts). */
  readonly hooks?: readonly MigrationHook[];
  /** Longest wait for caches to drop the old TTL before the switch (default the records' TTL). */
  readonly ttlWaitCapSeconds?: number;
  /** A drill: fail this step (id or kind), to rehearse the recovery. */
  readonly failAt?: string;
}

/** The state items of the site's apps, named by app instance (what a migration moves). */
export function siteMigrationItems(config: SiteConfig): MigrationItem[] {
  return config.apps.flatMap((a) => appDefinition(a.app).state.map((state) => ({ app: a.name, state })));
}

/**
 * The hooks the site's Migration runs, merged in the documented order (sdk/migration/hookMerge.ts):
 * each app's catalog hooks, then its declared hooks, then the config's `migration.hooks`, then the
 * program's. Throws, naming every field, when two of them make the same step or one is malformed.
 */
export function migrationHooks(config: SiteConfig, program: readonly MigrationHook[] = []): MigrationHook[] {
  const merged = siteHooks(config.apps, config.migration?.hooks ?? [], undefined, program);
  if (merged.problems.length > 0)
    throw new Error(
      `the site's migration hooks: ${merged.problems.map((p) => `${p.field} ${p.message}`).join("; ")}`,
    );
  return [...merged.hooks];
}

/** The names whose A record follows the serving datacenter: the site's hosts. */
export function switchedNames(config: SiteConfig): string[] {
  return config.hosts.map((h) => `${h.name}.${config.domain}.`);
}

export function declareSiteMigration(
  name: string,
  args: {
    config: SiteConfig;
    migration: SiteMigrationArgs;
    dns: { apiUrl: pulumi.Input<string>; serverId?: pulumi.Input<string> };
    inventory?: { url: pulumi.Input<string>; tokenConfig?: string };
    hookOutputs?: Record<string, pulumi.Input<unknown>>;
  },
  parent: pulumi.Resource,
): Migration {
  const { config, migration } = args;
  const names = switchedNames(config);
  return new Migration(
    `${name}-location`,
    {
      site: config.name,
      datacenter: config.datacenter,
      datacenters: migration.datacenters,
      items: siteMigrationItems(config),
      keepSource: config.migration?.keepSource ?? false,
      app: migration.app,
      owner: resourceOwner(`${name}-location`),
      hooks: migrationHooks(config, migration.hooks),
      hookOutputs: pulumi.output(args.hookOutputs ?? {}) as unknown as pulumi.Output<Record<string, unknown>>,
      dns: pulumi.all([args.dns.apiUrl, args.dns.serverId]).apply(([apiUrl, serverId]) => ({
        apiUrl,
        serverId: serverId ?? "localhost",
        zone: `${config.domain}.`,
        names,
        ttl: config.dns.ttl,
        switchTtl: config.migration?.switchTtl ?? 60,
        ttlWaitCapSeconds: migration.ttlWaitCapSeconds ?? config.dns.ttl,
      })),
      ...(migration.probe ? { probe: { name: names[0], ...migration.probe } } : {}),
      ...(args.inventory && config.inventory
        ? {
            inventory: pulumi
              .output(args.inventory.url)
              .apply((url) => ({ url, siteSlug: config.name, tokenConfig: args.inventory?.tokenConfig })),
          }
        : {}),
      ...(migration.failAt ? { failAt: migration.failAt } : {}),
    },
    { parent },
  );
}
