/**
 * The generated site of the scale benchmark, as plain data (pure; unit-tested): for N apps, one
 * host per 5 apps, and per app what a cooperative's site declares for it, limited to the services
 * that run for real on this machine:
 *   - PowerDNS: one zone; per host an A record; per app a CNAME to its host and a TXT record;
 *   - Garage: a bucket for every 4th app (the apps that keep media or files in object storage);
 *   - NetBox: a cluster type and cluster, a VM per host and a service per app.
 * `resourceCount` is how many resources the site program declares (components included): the
 * floor program declares that many plain ComponentResources.
 */
export const SCALE_SERVICES = ["powerdns", "garage", "netbox"] as const;
export type ScaleService = (typeof SCALE_SERVICES)[number];

export interface ScaleRRSet {
  name: string;
  type: "A" | "CNAME" | "TXT";
  records: string[];
}

export interface ScaleApp {
  name: string;
  host: string;
  /** Garage bucket name, when this app keeps one. */
  bucket?: string;
  port: number;
}

export interface ScalePlan {
  zone: string;
  hosts: string[];
  apps: ScaleApp[];
  rrsets: ScaleRRSet[];
  resourceCount: number;
}

/** How the site declares its Garage buckets (SOVEREIGN_SCALE_GARAGE). */
export const GARAGE_RESOURCES = ["collection", "buckets"] as const;
export type GarageResources = (typeof GARAGE_RESOURCES)[number];

/** How the site declares its NetBox objects (SOVEREIGN_SCALE_NETBOX; default "collection"). */
export type NetboxResources = "objects" | "collection";

/** SOVEREIGN_SCALE_NETBOX: "collection" (default) or "objects". */
export function netboxResourcesFrom(value: string | undefined): NetboxResources {
  const v = value ?? "collection";
  if (v !== "collection" && v !== "objects")
    throw new Error(`SOVEREIGN_SCALE_NETBOX ${JSON.stringify(v)} must be "collection" or "objects"`);
  return v;
}

export const APPS_PER_HOST = 5;
/** NetBox object types the site declares: cluster type, cluster, virtual machine, service. */
export const NETBOX_OBJECT_TYPES = 4;
export const BUCKET_EVERY = 4;

/**
 * @param tag distinguishes the sizes of one run (names of zones, buckets and NetBox objects)
 * @param dnsResources "rrsets": one resource per record set; "collection": one per zone
 * @param garageResources "buckets": one GarageBucketResource per bucket; "collection": one
 *   GarageBucketCollection for all of them
 * @param netboxResources "objects": one resource per NetBox object; "collection": one
 *   NetboxObjectCollection for all of them
 */
export function planScaleSite(
  apps: number,
  services: readonly ScaleService[],
  tag: string,
  dnsResources: "rrsets" | "collection" = "rrsets",
  garageResources: GarageResources = "buckets",
  netboxResources: NetboxResources = "objects",
): ScalePlan {
  if (!Number.isInteger(apps) || apps < 1) throw new Error(`apps must be a positive integer, got ${apps}`);
  const zone = `${tag}.scale.test.`;
  const hosts = Array.from({ length: Math.ceil(apps / APPS_PER_HOST) }, (_, h) => `h${h}`);
  const appList: ScaleApp[] = Array.from({ length: apps }, (_, i) => ({
    name: `app${i}`,
    host: hosts[Math.floor(i / APPS_PER_HOST)],
    bucket: i % BUCKET_EVERY === 0 ? `${tag}-app${i}` : undefined,
    port: 8000 + i,
  }));
  const rrsets: ScaleRRSet[] = [
    ...hosts.map((h, n): ScaleRRSet => ({
      name: `${h}.${zone}`,
      type: "A",
      records: [`10.${Math.floor(n / 250)}.${n % 250}.1`],
    })),
    ...appList.flatMap((a): ScaleRRSet[] => [
      { name: `${a.name}.${zone}`, type: "CNAME", records: [`${a.host}.${zone}`] },
      { name: `_meta.${a.name}.${zone}`, type: "TXT", records: [`"app=${a.name} host=${a.host}"`] },
    ]),
  ];
  const has = (s: ScaleService): boolean => services.includes(s);
  const components = 1 + apps; // the site + one per app
  const dns = has("powerdns") ? 1 + (dnsResources === "collection" ? 1 : rrsets.length) : 0;
  const buckets = appList.filter((a) => a.bucket).length;
  const garage = has("garage") ? (garageResources === "collection" ? Math.min(1, buckets) : buckets) : 0;
  const netbox = has("netbox") ? (netboxResources === "collection" ? 1 : 2 + hosts.length + apps) : 0;
  return { zone, hosts, apps: appList, rrsets, resourceCount: components + dns + garage + netbox };
}

/** The DNS limit run's record sets: `count` A records in `zone`, each with its own name. */
export function recordsPlan(count: number, zone: string): ScaleRRSet[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `r${i}.${zone}`,
    type: "A",
    records: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
  }));
}
