/**
 * The NetBox dynamic resources. Each carries the NetBox URL and, when not the default, the NAME of
 * the stack config key holding the token (`tokenConfig`, default "sovereign:netboxToken"); the
 * token itself reaches the provider through `configure` and is never in the state. Every object
 * records its owner (`<project>/<stack>/<resource>`) in NetBox.
 *
 * References (site, cluster, type, virtualMachine, interface, prefix) take a NetBox id, usually
 * another resource's `netboxId` output, or the slug/name/prefix of an object that already exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier } from "../shared/moduleLocation";
import { resourceOwner } from "../shared/resourceOwner";
import type { Kind } from "./client";

const objectProvider = providerAt(providerSpecifier("netbox/objectProvider"));
const allocationProvider = providerAt(providerSpecifier("netbox/allocationProvider"));
const collectionProvider = providerAt(providerSpecifier("netbox/collectionProvider"));

type In<T> = pulumi.Input<T>;
/** A NetBox id (e.g. `site.netboxId`), or the slug/name of an existing object. */
export type NetboxRef = In<number | string>;

export interface NetboxConnectionArgs {
  /** NetBox's base URL, e.g. "http://127.0.0.1:8000". */
  url: In<string>;
  /** The stack config key with the API token (a secret); default "sovereign:netboxToken". */
  tokenConfig?: In<string>;
  /** Take over an existing object with the same identity instead of failing. */
  adopt?: In<boolean>;
  /** Owner id written into NetBox; default `<project>/<stack>/<resource name>`. */
  owner?: In<string>;
}

export interface NetboxSiteArgs extends NetboxConnectionArgs {
  name: In<string>;
  slug: In<string>;
  status?: In<string>;
  description?: In<string>;
  tags?: In<In<string>[]>;
}
export interface NetboxClusterTypeArgs extends NetboxConnectionArgs {
  name: In<string>;
  slug: In<string>;
  description?: In<string>;
}
export interface NetboxClusterArgs extends NetboxConnectionArgs {
  name: In<string>;
  type: NetboxRef;
  site?: NetboxRef;
  status?: In<string>;
  description?: In<string>;
  tags?: In<In<string>[]>;
}
export interface NetboxVirtualMachineArgs extends NetboxConnectionArgs {
  name: In<string>;
  /** Required: every VM belongs to a cluster. */
  cluster: NetboxRef;
  site?: NetboxRef;
  status?: In<string>;
  vcpus?: In<number>;
  /** MB. */
  memory?: In<number>;
  /** MB. */
  disk?: In<number>;
  description?: In<string>;
  tags?: In<In<string>[]>;
}
export interface NetboxVmInterfaceArgs extends NetboxConnectionArgs {
  virtualMachine: NetboxRef;
  name: In<string>;
  enabled?: In<boolean>;
  mtu?: In<number>;
  description?: In<string>;
  tags?: In<In<string>[]>;
}
export interface NetboxPrefixArgs extends NetboxConnectionArgs {
  /** "10.0.0.0/24" (no host bits). */
  prefix: In<string>;
  site?: NetboxRef;
  status?: In<string>;
  isPool?: In<boolean>;
  description?: In<string>;
  tags?: In<In<string>[]>;
}
export interface NetboxIpAddressArgs extends NetboxConnectionArgs {
  /** "10.0.0.5/24". */
  address: In<string>;
  /** The VM interface it is assigned to. */
  interface?: NetboxRef;
  /** When given, `address` must lie inside this prefix (checked at preview). */
  withinPrefix?: In<string>;
  status?: In<string>;
  dnsName?: In<string>;
  description?: In<string>;
  tags?: In<In<string>[]>;
}
export interface NetboxServiceArgs extends NetboxConnectionArgs {
  virtualMachine: NetboxRef;
  name: In<string>;
  /** "tcp" (default in NetBox), "udp" or "sctp". */
  protocol?: In<string>;
  ports: In<In<number>[]>;
  description?: In<string>;
  tags?: In<In<string>[]>;
}
export interface NetboxTagArgs extends NetboxConnectionArgs {
  name: In<string>;
  slug: In<string>;
  /** 6 hex digits, e.g. "9e9e9e". */
  color?: In<string>;
}

/** A NetBox object managed by the generic provider (objectProvider.ts). */
export abstract class NetboxObjectResource extends pulumi.dynamic.Resource {
  /** The object's NetBox id: pass it to references. */
  declare readonly netboxId: pulumi.Output<number>;
  /** NetBox's display name. */
  declare readonly display: pulumi.Output<string>;

  protected constructor(
    kind: Kind,
    type: string,
    name: string,
    args: NetboxConnectionArgs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      objectProvider,
      name,
      {
        ...args,
        kind,
        owner: args.owner ?? resourceOwner(name),
        netboxId: undefined,
        refIds: undefined,
        display: undefined,
      },
      opts,
      "sovereign/netbox",
      type,
    );
  }
}

export class NetboxSite extends NetboxObjectResource {
  constructor(name: string, args: NetboxSiteArgs, opts?: pulumi.CustomResourceOptions) {
    super("site", "Site", name, args, opts);
  }
}
export class NetboxClusterType extends NetboxObjectResource {
  constructor(name: string, args: NetboxClusterTypeArgs, opts?: pulumi.CustomResourceOptions) {
    super("clusterType", "ClusterType", name, args, opts);
  }
}
export class NetboxCluster extends NetboxObjectResource {
  constructor(name: string, args: NetboxClusterArgs, opts?: pulumi.CustomResourceOptions) {
    super("cluster", "Cluster", name, args, opts);
  }
}
export class NetboxVirtualMachine extends NetboxObjectResource {
  constructor(name: string, args: NetboxVirtualMachineArgs, opts?: pulumi.CustomResourceOptions) {
    super("virtualMachine", "VirtualMachine", name, args, opts);
  }
}
export class NetboxVmInterface extends NetboxObjectResource {
  constructor(name: string, args: NetboxVmInterfaceArgs, opts?: pulumi.CustomResourceOptions) {
    super("vmInterface", "VmInterface", name, args, opts);
  }
}
export class NetboxPrefix extends NetboxObjectResource {
  constructor(name: string, args: NetboxPrefixArgs, opts?: pulumi.CustomResourceOptions) {
    super("prefix", "Prefix", name, args, opts);
  }
}
export class NetboxIpAddress extends NetboxObjectResource {
  constructor(name: string, args: NetboxIpAddressArgs, opts?: pulumi.CustomResourceOptions) {
    super("ipAddress", "IpAddress", name, args, opts);
  }
}
export class NetboxService extends NetboxObjectResource {
  constructor(name: string, args: NetboxServiceArgs, opts?: pulumi.CustomResourceOptions) {
    super("service", "Service", name, args, opts);
  }
}
export class NetboxTag extends NetboxObjectResource {
  constructor(name: string, args: NetboxTagArgs, opts?: pulumi.CustomResourceOptions) {
    super("tag", "Tag", name, args, opts);
  }
}

export interface NetboxIpAllocationArgs {
  url: In<string>;
  tokenConfig?: In<string>;
  owner?: In<string>;
  /** The prefix to take the next free address of: its CIDR, or its NetBox id (`prefix.netboxId`). */
  prefix: NetboxRef;
  /** The VM interface to assign the address to (its NetBox id). */
  interface?: NetboxRef;
  description?: In<string>;
  dnsName?: In<string>;
  status?: In<string>;
}

/**
 * The next free address of a prefix, taken once: a re-run keeps it, parallel allocations get
 * distinct addresses (NetBox allocates under the prefix's lock), deleting the resource frees it.
 */
export class NetboxIpAllocation extends pulumi.dynamic.Resource {
  /** "10.0.0.7/24". */
  declare readonly address: pulumi.Output<string>;
  /** "10.0.0.7". */
  declare readonly ip: pulumi.Output<string>;
  declare readonly netboxId: pulumi.Output<number>;
  declare readonly prefixId: pulumi.Output<number>;

  constructor(name: string, args: NetboxIpAllocationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      allocationProvider,
      name,
      {
        ...args,
        owner: args.owner ?? resourceOwner(name),
        address: undefined,
        ip: undefined,
        netboxId: undefined,
        prefixId: undefined,
        interfaceId: undefined,
      },
      opts,
      "sovereign/netbox",
      "IpAllocation",
    );
  }
}

/** An object's own fields, without the connection inputs the collection gives once. */
type Fields<T> = Omit<T, keyof NetboxConnectionArgs>;

/**
 * One object of a `NetboxObjectCollection`: its `kind` and the fields the resource of that kind
 * takes. A reference (`type`, `site`, `cluster`, `virtualMachine`) names another entry by its
 * natural key (a cluster type's slug, a cluster's or VM's name), or an existing NetBox object (its
 * slug/name, or its id).
 */
export type NetboxCollectionObject =
  | ({ kind: "tag" } & Fields<NetboxTagArgs>)
  | ({ kind: "site" } & Fields<NetboxSiteArgs>)
  | ({ kind: "clusterType" } & Fields<NetboxClusterTypeArgs>)
  | ({ kind: "cluster" } & Fields<NetboxClusterArgs>)
  | ({ kind: "virtualMachine" } & Fields<NetboxVirtualMachineArgs>)
  | ({ kind: "vmInterface" } & Fields<NetboxVmInterfaceArgs>)
  | ({ kind: "service" } & Fields<NetboxServiceArgs>);

/** The inputs of a `NetboxObjectCollection`. */
export interface NetboxObjectCollectionArgs extends NetboxConnectionArgs {
  /** The objects, in any order (they are written in dependency order). */
  objects: In<In<NetboxCollectionObject>[]>;
}

/**
 * Many NetBox objects of one stack as ONE resource: an `up` costs the engine one resource instead
 * of one per object, and NetBox one listing per object type plus one bulk request per object type
 * and operation. Keys: "tag <slug>", "site <slug>", "cluster-type <slug>", "cluster <name>",
 * "vm <name>", "interface <vm>/<name>", "service <vm>/<name>" (`pulumi preview --diff` lists
 * each object by its key). Every object carries the owner marker; one held by another stack or
 * by no one is refused (nothing is sent) unless `adopt: true`; a removed object is deleted only
 * while it carries our marker.
 */
export class NetboxObjectCollection extends pulumi.dynamic.Resource {
  /** Each object's NetBox id, by key (e.g. `netboxIds["vm web1"]`). */
  declare readonly netboxIds: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: NetboxObjectCollectionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      collectionProvider,
      name,
      { ...args, owner: args.owner ?? resourceOwner(name), netboxIds: undefined, refIds: undefined },
      opts,
      "sovereign/netbox",
      "ObjectCollection",
    );
  }
}
