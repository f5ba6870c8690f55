/**
 * What one provider process knows of a Garage's buckets and keys: one bucket listing
 * (ListBucketsInfo: every bucket with its aliases, keys, quotas, website...) and one key listing
 * (ListKeys) per admin URL and process, shared by every resource the process handles, instead of a
 * lookup per bucket name. The engine starts a provider process per operation (preview, up,
 * refresh), so a listing is never older than the operation that uses it; the process's own writes
 * are noted into it (`noteBucket`, `noteKey`, `forgetBucket`), so later resources of the same
 * operation see them.
 *
 * What a listing may decide: that a name is taken and by whom (a refusal at preview), and which of
 * our marker keys exist. That a name is free is only a hint: Garage itself refuses a second bucket
 * with the same global alias, so a create that raced with another stack fails, it never doubles.
 */
import type { GarageAdmin } from "./api";
import type { BucketInfo } from "./client";
import { bucketOwner } from "./owner";

/** A key as ListKeys shows it. */
export interface ListedKey {
  id: string;
  name: string;
}

interface Listings {
  buckets?: Promise<BucketInfo[]>;
  keys?: Promise<ListedKey[]>;
}

const byUrl = new Map<string, Listings>();

function listingsOf(adminUrl: string): Listings {
  let l = byUrl.get(adminUrl);
  if (!l) byUrl.set(adminUrl, (l = {}));
  return l;
}

/** A shared promise that is dropped when it fails, so the next caller asks again. */
function shared<T>(l: Listings, field: "buckets" | "keys", load: () => Promise<T>): Promise<T> {
  const existing = l[field] as Promise<T> | undefined;
  if (existing) return existing;
  const p = load();
  (l as Record<string, Promise<unknown> | undefined>)[field] = p;
  p.catch(() => {
    if (l[field] === (p as Promise<unknown>)) delete l[field];
  });
  return p;
}

/**
 * Every bucket of the Garage at `adminUrl`, listed once per process; `fresh` lists again (writes
 * of several buckets at once decide from a listing taken just before them).
 */
export function bucketListing(g: GarageAdmin, adminUrl: string, fresh = false): Promise<BucketInfo[]> {
  const l = listingsOf(adminUrl);
  if (fresh) delete l.buckets;
  return shared(l, "buckets", () => g.listBucketsInfo());
}

/** Every key (id and name) of the Garage at `adminUrl`, listed once per process. */
export function keyListing(g: GarageAdmin, adminUrl: string): Promise<ListedKey[]> {
  return shared(listingsOf(adminUrl), "keys", () => g.listKeys());
}

async function edit<T>(p: Promise<T[]> | undefined, change: (list: T[]) => void): Promise<void> {
  if (!p) return;
  try {
    change(await p);
  } catch {
    // a failed listing is dropped and listed again when needed
  }
}

/** Records a bucket this process made or changed (replacing what the listing had of it). */
export async function noteBucket(adminUrl: string, info: BucketInfo): Promise<void> {
  await edit(byUrl.get(adminUrl)?.buckets, (list) => {
    const at = list.findIndex((b) => b.id === info.id);
    if (at >= 0) list[at] = info;
    else list.push(info);
  });
}

/** Records a bucket this process deleted. */
export async function forgetBucket(adminUrl: string, id: string): Promise<void> {
  await edit(byUrl.get(adminUrl)?.buckets, (list) => {
    const at = list.findIndex((b) => b.id === id);
    if (at >= 0) list.splice(at, 1);
  });
}

/** Records a key this process made (`name` undefined: deleted). */
export async function noteKey(adminUrl: string, id: string, name: string | undefined): Promise<void> {
  await edit(byUrl.get(adminUrl)?.keys, (list) => {
    const at = list.findIndex((k) => k.id === id);
    if (at >= 0) list.splice(at, 1);
    if (name !== undefined) list.push({ id, name });
  });
}

/** A bucket in a listing as ownership sees it. */
export interface ListedBucket {
  info: BucketInfo;
  /** Its owner marker, if any (see owner.ts). */
  owner?: string;
  markerKeyId?: string;
}

/** The listing by global alias (pure). */
export function bucketsByAlias(list: readonly BucketInfo[]): Map<string, ListedBucket> {
  const out = new Map<string, ListedBucket>();
  for (const info of list) {
    const marker = bucketOwner(info);
    for (const alias of info.globalAliases)
      out.set(alias, { info, owner: marker?.owner, markerKeyId: marker?.markerKeyId });
  }
  return out;
}

/**
 * Marker keys named `markerName` that mark no bucket: left by a create interrupted between making
 * the key and the bucket, or by a bucket deleted outside Pulumi (pure).
 */
export function unusedMarkerKeys(
  keys: readonly ListedKey[],
  buckets: readonly BucketInfo[],
  markerName: string,
): string[] {
  const marking = new Set(buckets.map((b) => bucketOwner(b)?.markerKeyId).filter(Boolean));
  return keys.filter((k) => k.name === markerName && !marking.has(k.id)).map((k) => k.id);
}
