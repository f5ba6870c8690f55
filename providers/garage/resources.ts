/**
 * The Garage dynamic resources: GarageBucketResource, GarageAccessKey, GarageBucketPermission.
 * Each provider object captures only the path of its implementation module and loads it when
 * called, so the serialized provider in the state is tiny and holds no credentials.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { CorsRule, LocalAlias, Permission } from "./validate";

type Impl = Required<pulumi.dynamic.ResourceProvider>;

function providerAt(implementation: string): pulumi.dynamic.ResourceProvider {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const impl = (): Impl => require(implementation) as Impl;
  return {
    check: (olds, news) => impl().check(olds, news),
    diff: (id, olds, news) => impl().diff(id, olds, news),
    create: (inputs) => impl().create(inputs),
    read: (id, props) => impl().read(id, props),
    update: (id, olds, news) => impl().update(id, olds, news),
    delete: (id, props) => impl().delete(id, props),
  };
}

const bucketProvider = providerAt(path.join(__dirname, "bucketProvider"));
const keyProvider = providerAt(path.join(__dirname, "keyProvider"));
const permissionProvider = providerAt(path.join(__dirname, "permissionProvider"));

/** The owner recorded on what a resource creates: "<project>/<stack>/<resource name>". */
export function ownerOf(name: string): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}/${name}`;
}

function secretOutputs(opts: pulumi.CustomResourceOptions | undefined, names: string[]): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...names] };
}

/** Where Garage's admin API is. The token is made a secret here in any case. */
export interface GarageConnectionArgs {
  /** e.g. "http://127.0.0.1:3903" ([admin] api_bind_addr). */
  adminUrl: pulumi.Input<string>;
  /** [admin] admin_token; give it as a secret (`pulumi config set --secret`). */
  adminToken: pulumi.Input<string>;
  /** Take over an object that exists and is not this resource's (its data is kept). */
  adopt?: pulumi.Input<boolean>;
}

function connection(args: GarageConnectionArgs, name: string) {
  return { adminUrl: args.adminUrl, adminToken: pulumi.secret(args.adminToken), adopt: args.adopt, owner: ownerOf(name) };
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
      { ...args, ...connection(args, name), bucketId: undefined, bucketName: undefined, markerKeyId: undefined },
      secretOutputs(opts, ["adminToken"]),
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
      secretOutputs(opts, ["adminToken", "secretAccessKey"]),
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
      secretOutputs(opts, ["adminToken"]),
      "sovereign/garage",
      "BucketPermission",
    );
  }
}
