/**
 * The Garage dynamic resources: GarageBucketResource, GarageAccessKey, GarageBucketPermission.
 * Each provider object captures only the package specifier of its implementation module (see
 * providers/shared/moduleLocation.ts); the admin token comes from the stack config through
 * `configure`, so no credential is ever an input or in the state.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier, resourceOwner } from "../shared";
import type { CorsRule, LocalAlias, Permission } from "./validate";
import { withSecretOutputs } from "../shared/secretOutputs";

const bucketProvider = providerAt(providerSpecifier("garage/bucketProvider"));
const keyProvider = providerAt(providerSpecifier("garage/keyProvider"));
const permissionProvider = providerAt(providerSpecifier("garage/permissionProvider"));

/** The owner recorded on what a resource creates: "<project>/<stack>/<resource name>". */
export const ownerOf = resourceOwner;

/**
 * Where Garage's admin API is. Its token ([admin] admin_token) is read from the stack config:
 * `pulumi config set --secret sovereign:garageAdminToken <token>`, or the key `adminTokenConfig` names.
 */
export interface GarageConnectionArgs {
  /** e.g. "http://127.0.0.1:3903" ([admin] api_bind_addr). */
  adminUrl: pulumi.Input<string>;
  /** Stack config key of the admin token; default "sovereign:garageAdminToken". */
  adminTokenConfig?: pulumi.Input<string>;
  /** Take over an object that exists and is not this resource's (its data is kept). */
  adopt?: pulumi.Input<boolean>;
}

function connection(args: GarageConnectionArgs, name: string) {
  return {
    adminUrl: args.adminUrl,
    adminTokenConfig: args.adminTokenConfig,
    adopt: args.adopt,
    owner: ownerOf(name),
  };
}

export interface GarageBucketResourceArgs extends GarageConnectionArgs {
  /** S3 names of the bucket; the first is its name. At least one, or a local alias. */
  globalAliases?: pulumi.Input<pulumi.Input<string>[]>;
  /** Names in one key's own namespace. */
  localAliases?: pulumi.Input<pulumi.Input<LocalAlias>[]>;
  /** Serve the bucket as a website at <global alias>.<Garage's root domain>. */
  website?: pulumi.Input<{ indexDocument?: pulumi.Input<string>; errorDocument?: pulumi.Input<string> }>;
  /** maxSize in bytes or as "10GiB"; maxObjects a count. Left out: no limit. */
  quotas?: pulumi.Input<{ maxSize?: pulumi.Input<number | string>; maxObjects?: pulumi.Input<number> }>;
  cors?: pulumi.Input<pulumi.Input<Partial<CorsRule>>[]>;
}

export class GarageBucketResource extends pulumi.dynamic.Resource {
  declare readonly bucketId: pulumi.Output<string>;
  declare readonly bucketName: pulumi.Output<string>;
  declare readonly globalAliases: pulumi.Output<string[]>;
  declare readonly owner: pulumi.Output<string>;

  constructor(name: string, args: GarageBucketResourceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      bucketProvider,
      name,
      {
        ...args,
        ...connection(args, name),
        bucketId: undefined,
        bucketName: undefined,
        markerKeyId: undefined,
      },
      opts,
      "sovereign/garage",
      "Bucket",
    );
  }
}

export interface GarageAccessKeyArgs extends GarageConnectionArgs {
  /** A name for people; the owner is recorded after it. */
  name: pulumi.Input<string>;
  /** With adopt: take over this existing key (e.g. one an app already uses) instead of making one. */
  accessKeyId?: pulumi.Input<string>;
}

export class GarageAccessKey extends pulumi.dynamic.Resource {
  /** The key's id (GK…): the S3 access key id. */
  declare readonly keyId: pulumi.Output<string>;
  /** Secret (encrypted in the state). */
  declare readonly secretAccessKey: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: GarageAccessKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      keyProvider,
      name,
      { ...args, ...connection(args, name), keyId: undefined, secretAccessKey: undefined },
      withSecretOutputs(opts, ["secretAccessKey"]),
      "sovereign/garage",
      "AccessKey",
    );
  }
}

export interface GarageBucketPermissionArgs extends GarageConnectionArgs {
  bucketId: pulumi.Input<string>;
  accessKeyId: pulumi.Input<string>;
  /** Any of "read", "write", "owner". */
  permissions: pulumi.Input<pulumi.Input<Permission | string>[]>;
}

export class GarageBucketPermission extends pulumi.dynamic.Resource {
  declare readonly permissions: pulumi.Output<Permission[]>;

  constructor(name: string, args: GarageBucketPermissionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      permissionProvider,
      name,
      { ...args, ...connection(args, name) },
      opts,
      "sovereign/garage",
      "BucketPermission",
    );
  }
}

const collectionProvider = providerAt(providerSpecifier("garage/collectionProvider"));

/** One bucket of a GarageBucketCollection. */
export interface GarageCollectionBucket {
  /** The bucket's S3 name (its global alias); the collection's key for it. */
  name: pulumi.Input<string>;
  /** Serve the bucket as a website at <name>.<Garage's root domain>. */
  website?: pulumi.Input<{ indexDocument?: pulumi.Input<string>; errorDocument?: pulumi.Input<string> }>;
  /** maxSize in bytes or as "10GiB"; maxObjects a count. Left out: not managed. */
  quotas?: pulumi.Input<{ maxSize?: pulumi.Input<number | string>; maxObjects?: pulumi.Input<number> }>;
  cors?: pulumi.Input<pulumi.Input<Partial<CorsRule>>[]>;
}

export interface GarageBucketCollectionArgs extends GarageConnectionArgs {
  /** The buckets, each listed once by name. */
  buckets: pulumi.Input<pulumi.Input<GarageCollectionBucket>[]>;
}

/**
 * Many buckets of one stack as one resource (for sites with many buckets): one engine resource and
 * one bucket listing instead of one of each per bucket. Each bucket carries the same owner marker
 * as a GarageBucketResource's (with this resource's owner); `adopt` applies to every bucket.
 */
export class GarageBucketCollection extends pulumi.dynamic.Resource {
  /** The buckets' ids by name. */
  declare readonly bucketIds: pulumi.Output<Record<string, string>>;
  declare readonly owner: pulumi.Output<string>;

  constructor(name: string, args: GarageBucketCollectionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      collectionProvider,
      name,
      { ...args, ...connection(args, name), bucketIds: undefined },
      opts,
      "sovereign/garage",
      "BucketCollection",
    );
  }
}
