/**
 * The bucket collection (`GarageBucketCollection`): pure checking, diffing and the write plan. One
 * resource holds many buckets of one stack, keyed by global alias, so an `up` costs the engine one
 * resource instead of one per bucket, and the provider one bucket listing (ListBucketsInfo) instead
 * of lookups per bucket. Every bucket is still marked as GarageBucketResource marks it (see
 * owner.ts: a marker key named for the owner, holding the reserved local alias), with the
 * collection's owner, so the shared ownership rules decide per bucket.
 *
 * After `check`, `buckets` is a map keyed by the bucket's global alias: the engine's diff of the
 * inputs then shows each added, changed and removed bucket by name.
 */
import { decideClaim, decideDelete, decideWrite, Found, ownIds } from "../shared/ownership";
import type { BucketInfo } from "./client";
import { bucketState, BucketSettings, settingsUpdate } from "./bucketSettings";
import type { UpdateBucketBody } from "./api";
import type { ListedBucket } from "./listing";
import { CheckFailure, CheckResult, checkBucketInputs, ConnectionInputs, UNKNOWN } from "./validate";

export interface CollectionInputs extends ConnectionInputs {
  /** Keyed by the bucket's global alias (its S3 name). */
  buckets: Record<string, BucketSettings>;
}

type Raw = Record<string, unknown>;

const PER_BUCKET = new Set(["website", "quotas", "cors"]);
const isPerBucket = (property: string): boolean => PER_BUCKET.has(property.split(/[.[]/)[0]);

/**
 * Checks every bucket with GarageBucketResource's rules (S3 names, quotas, website, CORS), naming
 * the failing entry (`buckets[3].quotas.maxSize: ...`), and refuses a name listed twice.
 */
export function checkCollectionInputs(news: Raw): CheckResult<CollectionInputs> {
  const { buckets: raw, ...rest } = news;
  // The connection and owner are checked once, with a stand-in bucket.
  const base = checkBucketInputs({ ...rest, globalAliases: ["stand-in"] });
  const failures: CheckFailure[] = base.failures.filter((f) => !isPerBucket(f.property));
  const { adminUrl, adminTokenConfig, owner, adopt } = base.inputs;
  const inputs: CollectionInputs = { adminUrl, adminTokenConfig, owner, adopt, buckets: {} };
  if (raw === UNKNOWN) return { inputs: { ...inputs, buckets: UNKNOWN as never }, failures };
  if (!Array.isArray(raw)) {
    failures.push({
      property: "buckets",
      reason: `buckets must be a list of buckets, e.g. [{ name: "coop-media", quotas: { maxSize: "10GiB" } }]`,
    });
    return { inputs, failures };
  }
  const firstIndex = new Map<string, number>();
  raw.forEach((entry: unknown, n) => {
    const at = `buckets[${n}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      failures.push({ property: at, reason: `${at} must be an object such as { name: "coop-media" }` });
      return;
    }
    const { name, ...settings } = entry as Raw;
    const unknownFields = Object.keys(settings).filter((k) => !PER_BUCKET.has(k));
    if (unknownFields.length)
      failures.push({
        property: `${at}.${unknownFields[0]}`,
        reason: `${at} has ${unknownFields.map((k) => `"${k}"`).join(", ")}, which a collection's bucket does not take; use name, website, quotas and cors (or a GarageBucketResource for local aliases and several names)`,
      });
    if (typeof name !== "string" || name === "") {
      failures.push({
        property: `${at}.name`,
        reason: `${at}.name (the bucket's S3 name) is required, e.g. "coop-media"`,
      });
      return;
    }
    const checked = checkBucketInputs({ ...rest, ...settings, globalAliases: [name] });
    for (const f of checked.failures) {
      if (f.property === "globalAliases[0]") failures.push({ property: `${at}.name`, reason: f.reason });
      else if (isPerBucket(f.property)) failures.push({ property: `${at}.${f.property}`, reason: f.reason });
    }
    const dup = firstIndex.get(name);
    if (dup !== undefined) {
      failures.push({
        property: `${at}.name`,
        reason: `bucket "${name}" is listed twice (buckets[${dup}] and ${at}); list each bucket once`,
      });
      return;
    }
    firstIndex.set(name, n);
    const { website, quotas, cors } = checked.inputs;
    inputs.buckets[name] = {
      ...(website ? { website } : {}),
      ...(quotas ? { quotas } : {}),
      ...(cors ? { cors } : {}),
    };
  });
  return { inputs, failures };
}

export interface CollectionDiff {
  changes: boolean;
  added: string[];
  changed: string[];
  removed: string[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Nothing replaces the collection (a new admin URL spelling is an update); lists what differs. */
export function diffCollection(olds: Raw, news: Raw): CollectionDiff {
  const o = (olds.buckets ?? {}) as Record<string, BucketSettings>;
  const n = news.buckets as Record<string, BucketSettings> | string;
  if (n === UNKNOWN || typeof n !== "object" || n === null)
    return { changes: true, added: [], changed: [], removed: [] };
  const added = Object.keys(n).filter((k) => !(k in o));
  const removed = Object.keys(o).filter((k) => !(k in n));
  const changed = Object.keys(n).filter((k) => k in o && !same(o[k], n[k]));
  const bookkeeping = ["adminUrl", "adminTokenConfig", "owner", "adopt"].some((k) => !same(olds[k], news[k]));
  return {
    changes: added.length + removed.length + changed.length > 0 || bookkeeping,
    added,
    changed,
    removed,
  };
}

/** One bucket's step in a write. */
export type BucketStep =
  /** A new bucket (with a new or reused marker key), then its settings. */
  | { action: "create"; name: string; settings: BucketSettings }
  /** An existing bucket: mark it ours (`remark`: adopt, or its marker was removed), then `update`. */
  | {
      action: "write";
      name: string;
      bucketId: string;
      remark: boolean;
      /** The marker key of its previous owner, deleted once ours marks the bucket. */
      previousMarkerKeyId?: string;
      update?: UpdateBucketBody;
    }
  | { action: "delete"; name: string; bucketId: string; markerKeyId: string };

export interface WritePlan {
  steps: BucketStep[];
  /** One line per bucket refused, naming its owner and the fix: any refusal refuses the whole write. */
  refusals: string[];
  /** Buckets left in place because someone else holds them now. */
  warnings: string[];
}

const found = (s: ListedBucket | undefined): Found =>
  s ? { exists: true, owner: s.owner } : { exists: false };

/**
 * What takes the buckets from `olds` (undefined for a create) to `news`, given the listing by
 * global alias, following the shared ownership decisions per bucket:
 *   - a bucket new to the collection: decideClaim (create, continue our own, adopt, refuse);
 *   - one the collection had: decideWrite (write unless another owner took it over, or `adopt`);
 *   - one dropped from the collection: decideDelete (delete only while it carries our marker, and
 *     only when empty, as GarageBucketResource: a bucket with objects refuses the write).
 * Steps are only what differs: a bucket as the inputs want it, marked ours, has none.
 */
export function planCollectionWrite(
  olds: CollectionInputs | undefined,
  news: CollectionInputs,
  server: ReadonlyMap<string, ListedBucket>,
): WritePlan {
  const plan: WritePlan = { steps: [], refusals: [], warnings: [] };
  const own = ownIds(news.owner, olds?.owner);
  for (const [name, settings] of Object.entries(news.buckets)) {
    const s = server.get(name);
    const previous = olds?.buckets[name];
    if (previous === undefined) {
      const d =
        s?.owner !== undefined && own.includes(s.owner)
          ? { action: "continue" as const }
          : decideClaim(found(s), news.owner, news.adopt);
      if (d.action === "refuse") {
        plan.refusals.push(`${name}: ${d.reason}`);
        continue;
      }
    } else {
      const d = decideWrite(found(s), own);
      if (d.action === "refuse" && !news.adopt) {
        plan.refusals.push(`${name}: ${d.reason}`);
        continue;
      }
    }
    if (!s) {
      plan.steps.push({ action: "create", name, settings });
      continue;
    }
    const remark = s.owner !== news.owner;
    const update = settingsUpdate(settings, bucketState(s.info, s.markerKeyId), previous);
    if (remark || update)
      plan.steps.push({
        action: "write",
        name,
        bucketId: s.info.id,
        remark,
        ...(remark && s.markerKeyId ? { previousMarkerKeyId: s.markerKeyId } : {}),
        ...(update ? { update } : {}),
      });
  }
  for (const name of Object.keys(olds?.buckets ?? {})) {
    if (name in news.buckets) continue;
    const s = server.get(name);
    const d = decideDelete(found(s), own);
    if (d.action === "leave") plan.warnings.push(`bucket ${name}: ${d.warning}`);
    if (d.action !== "delete" || !s?.markerKeyId) continue;
    if (s.info.objects > 0) {
      plan.refusals.push(
        `${name}: it still holds ${s.info.objects} object(s) (${s.info.bytes} bytes); Garage deletes only empty buckets. Empty it (e.g. rclone purge) or keep it in "buckets"`,
      );
      continue;
    }
    plan.steps.push({ action: "delete", name, bucketId: s.info.id, markerKeyId: s.markerKeyId });
  }
  return plan;
}

/** The plan of a delete: remove what still carries our marker (and is empty), leave the rest. */
export function planCollectionDelete(
  olds: CollectionInputs,
  server: ReadonlyMap<string, ListedBucket>,
): WritePlan {
  return planCollectionWrite(olds, { ...olds, buckets: {} }, server);
}

/**
 * Refresh: the buckets the collection keeps as Garage has them. A bucket gone or taken over drops
 * out (the next `up` claims it again, or refuses naming the owner); a managed field that changed
 * shows Garage's value, so the next `up` writes ours back.
 */
export function refreshedBuckets(
  i: CollectionInputs,
  server: ReadonlyMap<string, ListedBucket>,
): Record<string, BucketSettings> {
  const out: Record<string, BucketSettings> = {};
  for (const [name, ours] of Object.entries(i.buckets ?? {})) {
    const s = server.get(name);
    if (!s || s.owner !== i.owner) continue;
    const now = bucketState(s.info, s.markerKeyId);
    out[name] = {
      ...("website" in ours && now.website ? { website: now.website } : {}),
      ...("quotas" in ours ? { quotas: now.quotas } : {}),
      ...("cors" in ours ? { cors: now.cors } : {}),
    };
  }
  return out;
}

/** "bucket x: <reason>" lines of a refusal, with the owner named (for messages). */
export function refusalMessage(action: string, refusals: readonly string[]): string {
  return (
    `${action} the Garage bucket collection: ${refusals.length} bucket(s) refused, nothing was changed:\n  ` +
    refusals.join("\n  ")
  );
}

/** The ids of the buckets the collection holds, by name, after a write. */
export function bucketIdsOf(
  names: readonly string[],
  server: ReadonlyMap<string, ListedBucket>,
  made: ReadonlyMap<string, BucketInfo>,
): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const n of names) {
    const id = made.get(n)?.id ?? server.get(n)?.info.id;
    if (id) ids[n] = id;
  }
  return ids;
}
