/**
 * The `storage` section of a site's config: the site's Garage and the buckets it declares.
 *
 *   storage:
 *     garage: local                 # or { adminUrl, s3Endpoint, region, webHost }
 *     buckets:
 *       - name: coop-media
 *         quotas: { maxSize: 10GiB, maxObjects: 100000 }
 *         website: { subdomain: files }
 *         replicateTo: { endpoint: https://s3.backup.example, bucket: coop-media-copy, region: eu-1 }
 */
import { bucketNameProblem, parseSize } from "../../providers/garage/validate";
import { checkReplication } from "../storage/replicationJob";
import type { ConfigProblems } from "./problems";

/** How the site reaches its Garage cluster (`site.storage.garage`). */
export interface GarageEndpointConfig {
  /** Garage's admin API base URL, e.g. "http://127.0.0.1:3903". */
  readonly adminUrl: string;
  /** Garage's S3 API endpoint, e.g. "http://127.0.0.1:3900". */
  readonly s3Endpoint: string;
  /** The S3 region Garage answers to (its `s3_region`, e.g. "garage"). */
  readonly region: string;
  /** The host name of Garage's website endpoint, for buckets served as websites. */
  readonly webHost?: string;
}

/** A bucket of the site (`site.storage.buckets[]`). */
export interface StorageBucketConfig {
  /** The bucket's name (S3 rules: 3 to 63 lowercase letters, digits, "-" and "."). */
  readonly name: string;
  /** Limits Garage enforces on the bucket; none by default. */
  readonly quotas?: {
    /** Largest total size, in bytes. */
    readonly maxSize?: number;
    /** Largest number of objects. */
    readonly maxObjects?: number;
  };
  /** Serve the bucket as a static website. */
  readonly website?: {
    /** The subdomain it is served under. */
    readonly subdomain: string;
    /** The object served for a directory, e.g. "index.html". */
    readonly indexDocument: string;
    /** The object served when one is missing, e.g. "404.html". */
    readonly errorDocument?: string;
  };
  /** Copy the bucket's objects to a bucket elsewhere (another datacenter's S3). */
  readonly replicateTo?: {
    /** The other S3 endpoint's URL. */
    readonly endpoint: string;
    /** The bucket there. */
    readonly bucket: string;
    /** The S3 region there. */
    readonly region: string;
  };
}

/** The `storage` section of a site config: its Garage and buckets. */
export interface StorageConfig {
  /** `local` means the harness's Garage on loopback (`npm run env -- up garage`). */
  readonly garage: "local" | GarageEndpointConfig;
  /** The site's buckets. */
  readonly buckets: readonly StorageBucketConfig[];
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function parseGarage(p: ConfigProblems, raw: unknown): StorageConfig["garage"] {
  if (raw === undefined || raw === "local") return "local";
  if (!isObject(raw)) {
    p.add("site.storage.garage", 'must be "local" or a mapping with adminUrl, s3Endpoint and region');
    return "local";
  }
  for (const key of ["adminUrl", "s3Endpoint"]) {
    const v = raw[key];
    if (typeof v !== "string" || !/^https?:\/\/[^/]+\/?$/.test(v))
      p.add(
        `site.storage.garage.${key}`,
        `${JSON.stringify(v)} must be an http(s) URL with a scheme, e.g. "https://s3.coop.example"`,
      );
  }
  if (typeof raw.region !== "string" || raw.region === "")
    p.add("site.storage.garage.region", 'is required: the [s3_api] s3_region of that Garage, e.g. "garage"');
  return {
    adminUrl: String(raw.adminUrl ?? ""),
    s3Endpoint: String(raw.s3Endpoint ?? ""),
    region: String(raw.region ?? ""),
    ...(typeof raw.webHost === "string" ? { webHost: raw.webHost } : {}),
  };
}

function parseBucket(
  p: ConfigProblems,
  raw: unknown,
  i: number,
  garage: StorageConfig["garage"],
): StorageBucketConfig | undefined {
  const field = `site.storage.buckets[${i}]`;
  if (!isObject(raw)) {
    p.add(field, "must be a mapping with at least a name");
    return undefined;
  }
  const name = typeof raw.name === "string" ? raw.name : "";
  const problem = bucketNameProblem(name);
  if (problem)
    p.add(
      `${field}.name`,
      `bucket name ${JSON.stringify(raw.name)} ${problem}; S3 bucket names are like "coop-media"`,
    );
  const bucket: { -readonly [K in keyof StorageBucketConfig]: StorageBucketConfig[K] } = { name };
  if (raw.quotas !== undefined) {
    const q = isObject(raw.quotas) ? raw.quotas : {};
    if (!isObject(raw.quotas))
      p.add(`${field}.quotas`, 'must be a mapping such as { maxSize: "10GiB", maxObjects: 100000 }');
    const maxSize = q.maxSize === undefined ? undefined : parseSize(q.maxSize);
    if (q.maxSize !== undefined && maxSize === undefined)
      p.add(
        `${field}.quotas.maxSize`,
        `${JSON.stringify(q.maxSize)} is not a size: give bytes ≥ 0 or a size such as "10GiB"`,
      );
    const maxObjects = q.maxObjects;
    if (maxObjects !== undefined && !(Number.isSafeInteger(maxObjects) && (maxObjects as number) >= 0))
      p.add(
        `${field}.quotas.maxObjects`,
        `${JSON.stringify(maxObjects)} must be a whole number ≥ 0, such as 100000`,
      );
    bucket.quotas = {
      ...(maxSize !== undefined ? { maxSize } : {}),
      ...(typeof maxObjects === "number" ? { maxObjects } : {}),
    };
  }
  if (raw.website !== undefined) {
    const w = isObject(raw.website) ? raw.website : {};
    const subdomain = typeof w.subdomain === "string" ? w.subdomain : "";
    if (!LABEL.test(subdomain))
      p.add(
        `${field}.website.subdomain`,
        `${JSON.stringify(w.subdomain)} must be a DNS label (a-z, 0-9, "-"): the site is published at <subdomain>.<domain>`,
      );
    bucket.website = {
      subdomain,
      indexDocument: typeof w.indexDocument === "string" ? w.indexDocument : "index.html",
      ...(typeof w.errorDocument === "string" ? { errorDocument: w.errorDocument } : {}),
    };
  }
  if (raw.replicateTo !== undefined) {
    const r = isObject(raw.replicateTo) ? raw.replicateTo : {};
    const replicateTo = {
      endpoint: String(r.endpoint ?? ""),
      bucket: String(r.bucket ?? name),
      region: String(r.region ?? ""),
    };
    const source = {
      endpoint: garage === "local" ? "http://127.0.0.1:3900" : garage.s3Endpoint,
      bucket: name,
      region: "garage",
    };
    for (const pr of checkReplication({ name: "check", source, target: replicateTo })) {
      if (pr.field.startsWith("target.") || (pr.field === "target" && garage !== "local"))
        p.add(`${field}.replicateTo${pr.field.slice("target".length)}`, pr.message);
    }
    bucket.replicateTo = replicateTo;
  }
  return bucket;
}

/** Parses `site.storage`; problems go to `p` (each names its field and the fix). */
export function parseStorage(p: ConfigProblems, raw: unknown): StorageConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    p.add("site.storage", "must be a mapping with garage and buckets");
    return undefined;
  }
  const garage = parseGarage(p, raw.garage);
  const rawBuckets = Array.isArray(raw.buckets) ? raw.buckets : [];
  if (raw.buckets !== undefined && !Array.isArray(raw.buckets))
    p.add("site.storage.buckets", "must be a list");
  const buckets = rawBuckets
    .map((b, i) => parseBucket(p, b, i, garage))
    .filter((b): b is StorageBucketConfig => b !== undefined);
  const names = buckets.map((b) => b.name);
  for (const dup of new Set(names.filter((n, i) => n && names.indexOf(n) !== i)))
    p.add(
      "site.storage.buckets",
      `bucket name "${dup}" is declared twice (a global alias names one bucket); rename one`,
    );
  const subdomains = buckets.flatMap((b) => (b.website ? [b.website.subdomain] : []));
  for (const dup of new Set(subdomains.filter((n, i) => subdomains.indexOf(n) !== i)))
    p.add("site.storage.buckets", `website subdomain "${dup}" is used by two buckets; give each its own`);
  return { garage, buckets };
}
