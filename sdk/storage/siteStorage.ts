import * as pulumi from "@pulumi/pulumi";
import type { StorageConfig } from "../config/storageConfig";
import type { DnsZone } from "../dns/dnsZone";
import { BucketReplication } from "./bucketReplication";
import { GarageBucket, type GarageConnection } from "./garageBucket";

/** What a site's storage is made from. */
export interface SiteStorageArgs {
  /** The site config's `storage` section. */
  storage: StorageConfig;
  /** Which Garage to use. */
  garage: GarageConnection;
  /** The site's zone (for website names). */
  zone: DnsZone;
  /** The host whose timer runs replication jobs. */
  replicationHost: string;
  /** Keys for each `replicateTo` target, by bucket name (secrets, from stack config). */
  replicationCredentials?: Record<
    string,
    {
      /** The access key id on the other side's S3. */
      accessKeyId: pulumi.Input<string>;
      /** The access key's secret (pass a secret). */
      secretAccessKey: pulumi.Input<string>;
    }
  >;
  /** Protect the buckets from deletion (`pulumi destroy` refuses). */
  protect: boolean;
}

/** A site's buckets and their replication jobs, by bucket name. */
export interface SiteStorage {
  /** The site's buckets. */
  buckets: Record<string, GarageBucket>;
  /** The replication job of each bucket that has `replicateTo`. */
  replications: Record<string, BucketReplication>;
}

/** The buckets a site's `storage` section declares, their websites, and their replications. */
export function declareSiteStorage(
  name: string,
  args: SiteStorageArgs,
  parent: pulumi.Resource,
): SiteStorage {
  const buckets: Record<string, GarageBucket> = {};
  const replications: Record<string, BucketReplication> = {};
  for (const b of args.storage.buckets) {
    const bucket = new GarageBucket(
      `${name}-${b.name}`,
      {
        garage: args.garage,
        name: b.name,
        ...(b.quotas ? { quotas: b.quotas } : {}),
        ...(b.website
          ? {
              website: {
                indexDocument: b.website.indexDocument,
                errorDocument: b.website.errorDocument,
                dns: { zone: args.zone, subdomain: b.website.subdomain },
              },
            }
          : {}),
        protect: args.protect,
      },
      { parent },
    );
    buckets[b.name] = bucket;
    if (!b.replicateTo) continue;
    const credentials = args.replicationCredentials?.[b.name];
    if (!credentials)
      throw new Error(
        `site.storage bucket "${b.name}" replicates to ${b.replicateTo.endpoint}, but no key for it was given: set the secret config sovereign:replicationCredentials with { "${b.name}": { accessKeyId, secretAccessKey } }`,
      );
    replications[b.name] = new BucketReplication(
      `${name}-${b.name}-replication`,
      {
        source: {
          endpoint: bucket.endpoint,
          region: bucket.region,
          bucket: b.name,
          accessKeyId: bucket.accessKeyId,
          secretAccessKey: bucket.secretAccessKey,
        },
        target: { ...b.replicateTo, ...credentials },
        host: args.replicationHost,
      },
      { parent },
    );
  }
  return { buckets, replications };
}
