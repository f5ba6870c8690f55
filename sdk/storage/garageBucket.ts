import * as pulumi from "@pulumi/pulumi";
import {
  GarageAccessKey,
  GarageBucketPermission,
  GarageBucketResource,
  type Permission,
} from "../../providers/garage";
import type { DnsZone } from "../dns/dnsZone";

/**
 * A Garage cluster: its admin API and where S3 clients reach it. The admin token is read from the
 * stack config (`pulumi config set --secret sovereign:garageAdminToken <token>`, or the key
 * `adminTokenConfig` names), never passed here.
 */
export interface GarageConnection {
  /** Garage's admin API base URL, e.g. "http://127.0.0.1:3903". */
  adminUrl: pulumi.Input<string>;
  /** The stack config key holding Garage's admin token; default "sovereign:garageAdminToken". */
  adminTokenConfig?: pulumi.Input<string>;
  /** S3 endpoint, e.g. "https://s3.coop.example" or "http://127.0.0.1:3900". */
  s3Endpoint: pulumi.Input<string>;
  /** The S3 region Garage answers to (garage.toml [s3_api] s3_region). */
  region: pulumi.Input<string>;
  /** Host name of Garage's web endpoint ([s3_web]): what a website's CNAME points at. */
  webHost?: pulumi.Input<string>;
}

/** Serve a bucket as a static website through Garage's web endpoint. */
export interface GarageBucketWebsite {
  /** The object served for a directory; default "index.html". */
  indexDocument?: string;
  /** The object served when one is missing. */
  errorDocument?: string;
  /** Publish the website at `<subdomain>.<zone>` (a CNAME to the Garage web host). */
  dns?: {
    /** The zone the website's name is published in. */
    zone: DnsZone;
    /** The subdomain the website is served under. */
    subdomain: string;
  };
}

/** Inputs of a {@link GarageBucket}. */
export interface GarageBucketArgs {
  /** Which Garage to use. */
  garage: GarageConnection;
  /** The bucket's S3 name (global alias), e.g. "coop-media". */
  name: string;
  /** More global aliases. */
  aliases?: string[];
  /** Limits Garage enforces; none by default. */
  quotas?: {
    /** Largest total size: bytes, or a size such as "10G". */
    maxSize?: number | string;
    /** Largest number of objects. */
    maxObjects?: number;
  };
  /** CORS rules for browser access to the bucket. */
  cors?: {
    /** Origins allowed, e.g. ["https://app.coop.example"] or ["*"]. */
    allowedOrigins: string[];
    /** Methods allowed, e.g. ["GET", "PUT"]. */
    allowedMethods: string[];
    /** Request headers allowed. */
    allowedHeaders?: string[];
    /** How long browsers may cache the CORS answer, in seconds. */
    maxAgeSeconds?: number;
  }[];
  /** Serve the bucket as a static website. */
  website?: GarageBucketWebsite;
  /** What the bucket's own key may do (default read and write). */
  permissions?: Permission[];
  /** Take over an existing bucket of that name (its objects are kept). */
  adopt?: boolean;
  /** Stateful: protected unless false. */
  protect?: boolean;
}

/**
 * A bucket on Garage with its own access key and that key's permission on it. Outputs what an app
 * needs: endpoint, region, bucket name and credentials (the secret key stays a secret). With a
 * website, the bucket is also served over HTTP and, given a zone, published in it.
 *
 * @example
 * ```ts
 * const media = new GarageBucket("media", {
 *   garage: { adminUrl: "http://127.0.0.1:3903", s3Endpoint: "http://127.0.0.1:3900", region: "garage" },
 *   name: "coop-media",
 *   quotas: { maxSize: "50G" },
 * });
 * export const bucket = media.bucketName;
 * ```
 */
export class GarageBucket extends pulumi.ComponentResource {
  /** The Garage bucket resource. */
  readonly bucket: GarageBucketResource;
  /** The access key the bucket's users get. */
  readonly accessKey: GarageAccessKey;
  /** The key's permission on the bucket. */
  readonly permission: GarageBucketPermission;
  /** The S3 endpoint URL to reach the bucket at. */
  readonly endpoint: pulumi.Output<string>;
  /** The S3 region. */
  readonly region: pulumi.Output<string>;
  /** The bucket's name (its global alias). */
  readonly bucketName: pulumi.Output<string>;
  /** Garage's id of the bucket. */
  readonly bucketId: pulumi.Output<string>;
  /** The access key's id. */
  readonly accessKeyId: pulumi.Output<string>;
  /** The access key's secret (a secret output). */
  readonly secretAccessKey: pulumi.Output<string>;
  /** http(s)://<host>/ where the website is published, when it is. */
  readonly websiteHost?: string;

  constructor(name: string, args: GarageBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:storage:GarageBucket", name, {}, opts);
    const conn = { adminUrl: args.garage.adminUrl, adminTokenConfig: args.garage.adminTokenConfig };
    const protect = args.protect !== false;
    const site = args.website?.dns;
    this.websiteHost = site ? site.zone.fqdn(site.subdomain).replace(/\.$/, "") : undefined;
    this.bucket = new GarageBucketResource(
      `${name}-bucket`,
      {
        ...conn,
        adopt: args.adopt,
        // Garage serves a website by matching the Host header to a global alias.
        globalAliases: [args.name, ...(args.aliases ?? []), ...(this.websiteHost ? [this.websiteHost] : [])],
        ...(args.quotas ? { quotas: args.quotas } : {}),
        ...(args.cors ? { cors: args.cors } : {}),
        ...(args.website
          ? {
              website: {
                indexDocument: args.website.indexDocument ?? "index.html",
                errorDocument: args.website.errorDocument,
              },
            }
          : {}),
      },
      { parent: this, protect },
    );
    this.accessKey = new GarageAccessKey(
      `${name}-key`,
      { ...conn, name: `${args.name} bucket key` },
      { parent: this },
    );
    this.permission = new GarageBucketPermission(
      `${name}-permission`,
      {
        ...conn,
        bucketId: this.bucket.bucketId,
        accessKeyId: this.accessKey.keyId,
        permissions: args.permissions ?? ["read", "write"],
      },
      { parent: this },
    );
    if (site && args.garage.webHost)
      site.zone.alias(site.subdomain, args.garage.webHost, undefined, `GarageBucket ${name}`);
    this.endpoint = pulumi.output(args.garage.s3Endpoint);
    this.region = pulumi.output(args.garage.region);
    this.bucketName = this.bucket.bucketName;
    this.bucketId = this.bucket.bucketId;
    // Depends on the permission: the credentials are usable once they are outputs.
    this.accessKeyId = pulumi.all([this.accessKey.keyId, this.permission.permissions]).apply(([id]) => id);
    this.secretAccessKey = pulumi.secret(this.accessKey.secretAccessKey);
    this.registerOutputs({
      endpoint: this.endpoint,
      region: this.region,
      bucketName: this.bucketName,
      accessKeyId: this.accessKeyId,
      secretAccessKey: this.secretAccessKey,
      websiteHost: this.websiteHost,
    });
  }
}
