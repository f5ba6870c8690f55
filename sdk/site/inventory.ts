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
  NetboxService,
  NetboxSite,
  NetboxTag,
  NetboxVirtualMachine,
  NetboxVmInterface,
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
    this.hostAddresses = {};
    const vms = new Map<string, NetboxVirtualMachine>();
    for (const host of config.hosts) {
      const vm = new NetboxVirtualMachine(
        `${name}-vm-${host.name}`,
        {
          ...conn,
          name: `${host.name}.${config.domain}`,
          cluster: cluster.netboxId,
          site: site.netboxId,
          status: "active",
        },
        child,
      );
      vms.set(host.name, vm);
      const iface = new NetboxVmInterface(
        `${name}-if-${host.name}`,
        { ...conn, virtualMachine: vm.netboxId, name: "eth0" },
        child,
      );
      const prefix = config.inventory?.prefix;
      if (host.address === "netbox" && prefix) {
        const allocation = new NetboxIpAllocation(
          `${name}-addr-${host.name}`,
          {
            ...conn,
            prefix,
            interface: iface.netboxId,
            dnsName: `${host.name}.${config.domain}`,
            description: `host ${host.name}`,
          },
          child,
        );
        this.hostAddresses[host.name] = allocation.ip;
      } else {
        const length = prefix ? prefix.split("/")[1] : "32";
        new NetboxIpAddress(
          `${name}-ip-${host.name}`,
          {
            ...conn,
            address: `${host.address}/${length}`,
            interface: iface.netboxId,
            dnsName: `${host.name}.${config.domain}`,
          },
          child,
        );
        this.hostAddresses[host.name] = pulumi.output(host.address);
      }
      if (host.address6) {
        new NetboxIpAddress(
          `${name}-ip6-${host.name}`,
          {
            ...conn,
            address: `${host.address6}/128`,
            interface: iface.netboxId,
            dnsName: `${host.name}.${config.domain}`,
          },
          child,
        );
      }
    }
    for (const app of config.apps) {
      const vm = vms.get(app.host);
      if (!vm) continue;
      const definition = appDefinition(app.app);
      const url = `https://${app.subdomain}.${config.domain}/`;
      for (const svc of inventoryServices(app.name, definition.ports)) {
        const ranges = svc.collapsedRanges.length ? ` (ports ${svc.collapsedRanges.join(", ")})` : "";
        new NetboxService(
          svc.protocol === "tcp" ? `${name}-svc-${app.name}` : `${name}-svc-${app.name}-${svc.protocol}`,
          {
            ...conn,
            virtualMachine: vm.netboxId,
            name: svc.name,
            protocol: svc.protocol,
            ports: svc.ports,
            description: `${definition.title}: ${url}${ranges}`,
            tags: [appTagSlug(app.app)],
          },
          { ...child, dependsOn: [...tags.entries()].filter(([id]) => id === app.app).map(([, tag]) => tag) },
        );
      }
    }
    this.siteId = site.netboxId;
    this.registerOutputs({ siteId: this.siteId, hostAddresses: this.hostAddresses });
  }
}
