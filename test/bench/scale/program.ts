/**
 * The scale benchmark's Pulumi program, run by the engine as a program of its own (a separate
 * process, so its memory is measured apart from the driver). Config (namespace "scale"):
 *   mode      "site" (the generated site on the real services), "floor" (as many plain
 *             ComponentResources as the site declares, no provider: the engine's own floor) or
 *             "records" (one zone with `records` A record sets: the DNS limit run)
 *   apps, services (comma list), tag, dns ("rrsets" | "collection"), pdnsUrl, garageUrl, netboxUrl,
 *   garage ("collection" | "buckets": one GarageBucketCollection or one GarageBucketResource per bucket)
 *   netbox ("objects": one resource per NetBox object | "collection": one NetboxObjectCollection)
 * Credentials come from the stack config secrets the providers read through `configure`.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  PowerDnsRecordCollection,
  PowerDnsRecordSet,
  PowerDnsZone,
} from "../../../providers/powerdns/resources";
import { GarageBucketCollection, GarageBucketResource } from "../../../providers/garage/resources";
import {
  NetboxCluster,
  NetboxClusterType,
  NetboxObjectCollection,
  NetboxService,
  NetboxVirtualMachine,
} from "../../../providers/netbox/resources";
import {
  GarageResources,
  netboxResourcesFrom,
  planScaleSite,
  recordsPlan,
  ScalePlan,
  ScaleService,
} from "./plan";

class Floor extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:bench:Floor", name, {}, opts);
    this.registerOutputs({});
  }
}

class Group extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
  }
  done(): void {
    this.registerOutputs({});
  }
}

interface Endpoints {
  pdnsUrl: string;
  garageUrl: string;
  netboxUrl: string;
}

function declareDns(
  plan: ScalePlan,
  site: Group,
  ep: Endpoints,
  apps: Map<string, Group>,
  collection: boolean,
): void {
  const conn = { apiUrl: ep.pdnsUrl };
  const zone = new PowerDnsZone(
    "zone",
    { ...conn, name: plan.zone, nameservers: [`ns1.${plan.zone}`] },
    { parent: site },
  );
  if (collection) {
    new PowerDnsRecordCollection(
      "records",
      { ...conn, zone: zone.name, rrsets: plan.rrsets },
      { parent: site },
    );
    return;
  }
  for (const r of plan.rrsets) {
    const app = apps.get(r.name.split(".").find((l) => l.startsWith("app")) ?? "");
    new PowerDnsRecordSet(`${r.type}-${r.name}`, { ...conn, zone: zone.name, ...r }, { parent: app ?? site });
  }
}

function declareGarage(
  plan: ScalePlan,
  site: Group,
  ep: Endpoints,
  apps: Map<string, Group>,
  mode: GarageResources,
): void {
  const withBucket = plan.apps.filter((a) => a.bucket);
  if (mode === "collection") {
    if (withBucket.length)
      new GarageBucketCollection(
        "buckets",
        { adminUrl: ep.garageUrl, buckets: withBucket.map((a) => ({ name: a.bucket ?? "" })) },
        { parent: site },
      );
    return;
  }
  for (const a of withBucket)
    new GarageBucketResource(
      `bucket-${a.name}`,
      { adminUrl: ep.garageUrl, globalAliases: [a.bucket ?? ""] },
      { parent: apps.get(a.name) },
    );
}

function declareSite(
  plan: ScalePlan,
  services: ScaleService[],
  ep: Endpoints,
  tag: string,
  collection: boolean,
  garage: GarageResources,
  netboxCollection = false,
): void {
  const site = new Group("sovereign:bench:Site", "site");
  const apps = new Map(
    plan.apps.map((a) => [a.name, new Group("sovereign:bench:App", a.name, { parent: site })]),
  );
  if (services.includes("powerdns")) declareDns(plan, site, ep, apps, collection);
  if (services.includes("garage")) declareGarage(plan, site, ep, apps, garage);
  if (services.includes("netbox") && netboxCollection) declareNetboxCollection(plan, site, ep.netboxUrl, tag);
  else if (services.includes("netbox")) {
    const url = ep.netboxUrl;
    const type = new NetboxClusterType(
      "cluster-type",
      { url, name: `scale ${tag}`, slug: `scale-${tag}` },
      { parent: site },
    );
    const cluster = new NetboxCluster(
      "cluster",
      { url, name: `scale-${tag}`, type: type.netboxId },
      { parent: site },
    );
    const vms = new Map(
      plan.hosts.map((h) => [
        h,
        new NetboxVirtualMachine(
          `vm-${h}`,
          { url, name: `${tag}-${h}`, cluster: cluster.netboxId },
          { parent: site },
        ),
      ]),
    );
    for (const a of plan.apps) {
      const vm = vms.get(a.host);
      if (vm)
        new NetboxService(
          `svc-${a.name}`,
          { url, virtualMachine: vm.netboxId, name: a.name, protocol: "tcp", ports: [a.port] },
          { parent: apps.get(a.name) },
        );
    }
  }
  for (const g of apps.values()) g.done();
  site.done();
}

/** The same NetBox objects as one NetboxObjectCollection (references by name). */
function declareNetboxCollection(plan: ScalePlan, site: Group, url: string, tag: string): void {
  new NetboxObjectCollection(
    "inventory",
    {
      url,
      objects: [
        { kind: "clusterType", name: `scale ${tag}`, slug: `scale-${tag}` },
        { kind: "cluster", name: `scale-${tag}`, type: `scale-${tag}` },
        ...plan.hosts.map((h) => ({
          kind: "virtualMachine" as const,
          name: `${tag}-${h}`,
          cluster: `scale-${tag}`,
        })),
        ...plan.apps.map((a) => ({
          kind: "service" as const,
          virtualMachine: `${tag}-${a.host}`,
          name: a.name,
          protocol: "tcp",
          ports: [a.port],
        })),
      ],
    },
    { parent: site },
  );
}

/** The DNS limit run: one zone with `count` A record sets, as one resource each or as one collection. */
function declareRecords(count: number, tag: string, apiUrl: string, collection: boolean): void {
  const name = `${tag}.records.test.`;
  const zone = new PowerDnsZone("zone", { apiUrl, name, nameservers: [`ns1.${name}`] });
  if (collection) {
    new PowerDnsRecordCollection("records", { apiUrl, zone: zone.name, rrsets: recordsPlan(count, name) });
    return;
  }
  for (const r of recordsPlan(count, name)) new PowerDnsRecordSet(r.name, { apiUrl, zone: zone.name, ...r });
}

export function main(): void {
  const config = new pulumi.Config("scale");
  const tag = config.require("tag");
  const collection = config.get("dns") === "collection";
  if (config.require("mode") === "records") {
    declareRecords(config.requireNumber("records"), tag, config.require("pdnsUrl"), collection);
    return;
  }
  const apps = config.requireNumber("apps");
  const services = config.require("services").split(",").filter(Boolean) as ScaleService[];
  const garage: GarageResources = config.get("garage") === "buckets" ? "buckets" : "collection";
  const netbox = netboxResourcesFrom(config.get("netbox"));
  const plan = planScaleSite(apps, services, tag, collection ? "collection" : "rrsets", garage, netbox);
  if (config.require("mode") === "floor") {
    for (let i = 0; i < plan.resourceCount; i++) new Floor(`floor${i}`);
    return;
  }
  declareSite(
    plan,
    services,
    {
      pdnsUrl: config.get("pdnsUrl") ?? "",
      garageUrl: config.get("garageUrl") ?? "",
      netboxUrl: config.get("netboxUrl") ?? "",
    },
    tag,
    collection,
    garage,
    netbox === "collection",
  );
}
