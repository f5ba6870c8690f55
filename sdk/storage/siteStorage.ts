import * as pulumi from "@pulumi/pulumi";
import type { StorageConfig } from "../config/storageConfig";
import type { DnsZone } from "../dns/dnsZone";
import { BucketReplication } from "./bucketReplication";
import { GarageBucket, type GarageConnection } from "./garageBucket";

export interface SiteStorageArgs {
  storage: StorageConfig;
  garage: GarageConnection;
  zone: DnsZone;
  /** The host whose timer runs replication jobs. */
  replicationHost: string;
  /** Keys for each `replicateTo` target, by bucket name (secrets, from stack config). */
  replicationCredentials?: Record<string, { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> }>;
  protect: boolean;
}

export interface SiteStorage {
  buckets: Record<string, GarageBucket>;
  replications: Record<string, BucketReplication>;
}

/** The buckets a site's `storage` section declares, their websites, and their replications. */
export function declareSiteStorage(name: string, args: SiteStorageArgs, parent: pulumi.Resource): SiteStorage {
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
