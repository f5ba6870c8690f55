/**
 * The bucket-key permission provider's implementation: read, write and owner flags of one key on
 * one bucket. Allow and deny are idempotent in Garage, so an interrupted create simply runs again.
 * It owns nothing by itself: delete denies what it granted while the key and bucket still exist.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GarageAdmin } from "./api";
import type { BucketKeyPerm } from "./client";
import { checkPermissionInputs, diffPermission, Permission, PERMISSIONS, PermissionInputs } from "./validate";

type Props = Record<string, unknown>;

const admin = (i: PermissionInputs): GarageAdmin => new GarageAdmin(i);

function context(action: string, i: PermissionInputs, e: unknown): Error {
  return new Error(
    `${action} permission of key ${i.accessKeyId} on Garage bucket ${i.bucketId}: ${e instanceof Error ? e.message : String(e)}`,
  );
}

export function toFlags(permissions: readonly Permission[], value = true): BucketKeyPerm {
  return Object.fromEntries(PERMISSIONS.map((p) => [p, permissions.includes(p) ? value : false])) as BucketKeyPerm;
}

export function fromFlags(flags: BucketKeyPerm | undefined): Permission[] {
  return PERMISSIONS.filter((p) => flags?.[p] === true);
}

/** The key's permissions on the bucket now, or undefined when the key or the bucket is gone. */
async function current(i: PermissionInputs): Promise<Permission[] | undefined> {
  const key = await admin(i).key(i.accessKeyId);
  if (!key) return undefined;
  const onBucket = key.buckets.find((b) => b.id === i.bucketId);
  if (!onBucket && !(await admin(i).bucketById(i.bucketId))) return undefined;
  return fromFlags(onBucket?.permissions);
}

async function converge(i: PermissionInputs): Promise<void> {
  const now = (await current(i)) ?? [];
  const toDeny = now.filter((p) => !i.permissions.includes(p));
  if (i.permissions.some((p) => !now.includes(p))) await admin(i).allow(i.bucketId, i.accessKeyId, toFlags(i.permissions));
  if (toDeny.length) await admin(i).deny(i.bucketId, i.accessKeyId, toFlags(toDeny));
}

const id = (i: PermissionInputs): string => `${i.bucketId}/${i.accessKeyId}`;

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkPermissionInputs(news);
  return { inputs, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  return diffPermission(olds, news);
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = props as unknown as PermissionInputs;
  try {
    await converge(i);
    return { id: id(i), outs: { ...i } };
  } catch (e) {
    throw context("granting", i, e);
  }
}

export async function update(_id: string, _olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const i = news as unknown as PermissionInputs;
  try {
    await converge(i);
    return { outs: { ...i } };
  } catch (e) {
    throw context("changing", i, e);
  }
}

export async function remove(_id: string, props: Props): Promise<void> {
  const i = props as unknown as PermissionInputs;
  try {
    const now = await current(i);
    if (now === undefined || now.length === 0) return;
    await admin(i).deny(i.bucketId, i.accessKeyId, toFlags([...PERMISSIONS]));
  } catch (e) {
    throw context("revoking", i, e);
  }
}
export { remove as delete };

export async function read(resourceId: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const i = props as unknown as PermissionInputs;
  try {
    const now = await current(i);
    if (now === undefined || now.length === 0) return { id: "", props: {} };
    return { id: resourceId, props: { ...props, permissions: now } };
  } catch (e) {
    throw context("reading", i, e);
  }
}
