/**
 * The site's inventory in NetBox: the site (with its datacenter), a cluster for the datacenter,
 * each host as a virtual machine with an interface and its addresses, and each app as a service per
 * protocol with the catalog's ports on its host's VM, tagged with the app id. So NetBox reflects
 * the stack; `readSiteInventory` reads it back for tools that start from the inventory.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SiteConfig } from "../config/siteConfig";
import { appDefinition } from "../apps/catalog";
import { inventoryServices } from "./inventoryServices";
import {
  NetboxCluster,
  NetboxClusterType,
  NetboxIpAddress,
  NetboxIpAllocation,
  NetboxObjectCollection,
  NetboxService,
  NetboxSite,
  NetboxTag,
  NetboxVirtualMachine,
  NetboxVmInterface,
  type NetboxCollectionObject,
} from "../../providers/netbox/resources";

/** The NetBox a site registers in. */
export interface InventoryConnection {
  /** NetBox's base URL. */
  url: pulumi.Input<string>;
  /** The stack config key with the token; default "sovereign:netboxToken". */
  tokenConfig?: string;
}

/** Inputs of a {@link SiteInventoryRegistration}. */
export interface SiteInventoryArgs {
  /** The validated site config whose hosts and apps are registered. */
  config: SiteConfig;
  /** The NetBox to register in. */
  netbox: InventoryConnection;
  /** Where the site serves, when it differs from `config.datacenter` during a migration (Migration.servingAt). */
  datacenter?: pulumi.Input<string>;
  /**
   * "resources" (default): one resource per tag, VM, interface and service. "collection": those
   * as one `NetboxObjectCollection` (`<name>-objects`; one listing and one bulk request per object
   * type instead of one resource and several requests per object); the site, cluster type,
   * cluster and addresses stay resources of their own.
   */
  objects?: "resources" | "collection";
}

/** The NetBox slug of an app's tag: "app-<id>". */
export const appTagSlug = (appId: string): string => `app-${appId}`;

/** Registers a site's hosts and apps in NetBox. *
 * @example
 * ```ts
 * new SiteInventoryRegistration("coop-inventory", {
 *   config, // a parsed SiteConfig with an `inventory` section
 *   netbox: { url: "https://netbox.coop.example" },
 * });
 * ```
 */
export class SiteInventoryRegistration extends pulumi.ComponentResource {
  /** The NetBox id of the site. */
  readonly siteId: pulumi.Output<number>;
  /** Each host's IPv4 address as NetBox holds it (allocated ones included), by host name. */
  readonly hostAddresses: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: SiteInventoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:site:SiteInventory", name, {}, opts);
    const { config } = args;
    const datacenter = args.datacenter ?? config.datacenter;
    const conn = { url: args.netbox.url, tokenConfig: args.netbox.tokenConfig };
    const child = { parent: this };
    const site = new NetboxSite(
      `${name}-site`,
      {
        ...conn,
        name: config.name,
        slug: config.name,
        status: "active",
        description: pulumi.interpolate`datacenter: ${datacenter}`,
      },
      child,
    );
    const clusterType = new NetboxClusterType(
      `${name}-cluster-type`,
      { ...conn, name: `sovereign ${config.name}`, slug: `sovereign-${config.name}` },
      child,
    );
    const cluster = new NetboxCluster(
      `${name}-cluster`,
      {
        ...conn,
        name: pulumi.interpolate`${config.name}-${datacenter}`,
        type: clusterType.netboxId,
        site: site.netboxId,
        status: "active",
      },
      child,
    );
    const vmName = (host: string): string => `${host}.${config.domain}`;
    const interfaceIds =
      args.objects === "collection"
        ? this.objectCollection({ name, args, cluster: cluster.netboxId, site: site.netboxId })
        : this.objectResources({ name, args, cluster: cluster.netboxId, site: site.netboxId });
    this.hostAddresses = {};
    for (const host of config.hosts) {
      const iface = interfaceIds.get(host.name);
      if (!iface) continue;
      const prefix = config.inventory?.prefix;
      if (host.address === "netbox" && prefix) {
        const allocation = new NetboxIpAllocation(
          `${name}-addr-${host.name}`,
          {
            ...conn,
            prefix,
            interface: iface,
            dnsName: vmName(host.name),
            description: `host ${host.name}`,
          },
          child,
        );
        this.hostAddresses[host.name] = allocation.ip;
      } else {
        const length = prefix ? prefix.split("/")[1] : "32";
        new NetboxIpAddress(
          `${name}-ip-${host.name}`,
          { ...conn, address: `${host.address}/${length}`, interface: iface, dnsName: vmName(host.name) },
          child,
        );
        this.hostAddresses[host.name] = pulumi.output(host.address);
      }
      if (host.address6) {
        new NetboxIpAddress(
          `${name}-ip6-${host.name}`,
          { ...conn, address: `${host.address6}/128`, interface: iface, dnsName: vmName(host.name) },
          child,
        );
      }
    }
    this.siteId = site.netboxId;
    this.registerOutputs({ siteId: this.siteId, hostAddresses: this.hostAddresses });
  }

  /** Tags, VMs, interfaces and services as resources of their own; each host's interface id. */
  private objectResources({ name, args, cluster, site }: ObjectsOf): Map<string, pulumi.Input<number>> {
    const { config } = args;
    const conn = { url: args.netbox.url, tokenConfig: args.netbox.tokenConfig };
    const child = { parent: this };
    const tags = new Map<string, NetboxTag>();
    for (const app of config.apps) {
      if (tags.has(app.app)) continue;
      tags.set(
        app.app,
        new NetboxTag(
          `${name}-tag-${app.app}`,
          { ...conn, name: appTagSlug(app.app), slug: appTagSlug(app.app) },
          child,
        ),
      );
    }
    const interfaces = new Map<string, pulumi.Input<number>>();
    const vms = new Map<string, NetboxVirtualMachine>();
    for (const host of config.hosts) {
      const vm = new NetboxVirtualMachine(
        `${name}-vm-${host.name}`,
        { ...conn, name: `${host.name}.${config.domain}`, cluster, site, status: "active" },
        child,
      );
      vms.set(host.name, vm);
      const iface = new NetboxVmInterface(
        `${name}-if-${host.name}`,
        { ...conn, virtualMachine: vm.netboxId, name: "eth0" },
        child,
      );
      interfaces.set(host.name, iface.netboxId);
    }
    for (const app of config.apps) {
      const vm = vms.get(app.host);
      if (!vm) continue;
      for (const svc of appServices(config, app)) {
        new NetboxService(
          svc.protocol === "tcp" ? `${name}-svc-${app.name}` : `${name}-svc-${app.name}-${svc.protocol}`,
          { ...conn, virtualMachine: vm.netboxId, ...svc },
          { ...child, dependsOn: [...tags.entries()].filter(([id]) => id === app.app).map(([, tag]) => tag) },
        );
      }
    }
    return interfaces;
  }

  /** Tags, VMs, interfaces and services as one NetboxObjectCollection; each host's interface id. */
  private objectCollection({ name, args, cluster, site }: ObjectsOf): Map<string, pulumi.Input<number>> {
    const { config } = args;
    const vmName = (host: string): string => `${host}.${config.domain}`;
    const hosts = new Set(config.hosts.map((h) => h.name));
    const objects: NetboxCollectionObject[] = [
      ...[...new Set(config.apps.map((a) => a.app))].map((app): NetboxCollectionObject => ({
        kind: "tag",
        name: appTagSlug(app),
        slug: appTagSlug(app),
      })),
      ...config.hosts.flatMap((host): NetboxCollectionObject[] => [
        { kind: "virtualMachine", name: vmName(host.name), cluster, site, status: "active" },
        { kind: "vmInterface", virtualMachine: vmName(host.name), name: "eth0" },
      ]),
      ...config.apps
        .filter((app) => hosts.has(app.host))
        .flatMap((app) =>
          appServices(config, app).map((svc): NetboxCollectionObject => ({
            kind: "service",
            virtualMachine: vmName(app.host),
            ...svc,
          })),
        ),
    ];
    const collection = new NetboxObjectCollection(
      `${name}-objects`,
      { url: args.netbox.url, tokenConfig: args.netbox.tokenConfig, objects },
      { parent: this },
    );
    return new Map(
      config.hosts.map((h) => [
        h.name,
        collection.netboxIds.apply((ids) => ids[`interface ${vmName(h.name)}/eth0`]),
      ]),
    );
  }
}

/** What the tags, VMs, interfaces and services are declared from. */
interface ObjectsOf {
  name: string;
  args: SiteInventoryArgs;
  cluster: pulumi.Output<number>;
  site: pulumi.Output<number>;
}

/** An app's NetBox services (one per protocol), as the service resources and entries take them. */
function appServices(config: SiteConfig, app: SiteConfig["apps"][number]) {
  const definition = appDefinition(app.app);
  const url = `https://${app.subdomain}.${config.domain}/`;
  return inventoryServices(app.name, definition.ports).map((svc) => {
    const ranges = svc.collapsedRanges.length ? ` (ports ${svc.collapsedRanges.join(", ")})` : "";
    return {
      name: svc.name,
      protocol: svc.protocol,
      ports: svc.ports,
      description: `${definition.title}: ${url}${ranges}`,
      tags: [appTagSlug(app.app)],
    };
  });
}
