/**
 * The bucket provider's implementation, loaded by the serialized provider object at call time.
 * Ownership: see owner.ts. A bucket is found again after an interrupted create through its owner's
 * marker key, so a second `up` continues the same bucket and never makes a duplicate.
 */
import type * as pulumi from "@pulumi/pulumi";
import { adminFor, type GarageAdmin } from "./api";
import type { BucketInfo } from "./client";
import { bucketState, settingsUpdate } from "./bucketSettings";
import {
  bucketListing,
  bucketsByAlias,
  forgetBucket,
  keyListing,
  type ListedBucket,
  noteBucket,
  noteKey,
} from "./listing";
import { bucketOwner, describeOwner, markerKeyName } from "./owner";
import { BucketInputs, checkBucketInputs, UNKNOWN, diffBucket, RESERVED_OWNER_ALIAS } from "./validate";

type Props = Record<string, unknown>;

export { configure } from "../shared/credentials";

const admin = (i: BucketInputs): GarageAdmin => adminFor(i);

function context(action: string, i: BucketInputs, e: unknown): Error {
  const what = i.globalAliases[0] ?? i.localAliases[0]?.alias ?? "(unnamed)";
  return new Error(`${action} Garage bucket ${what}: ${e instanceof Error ? e.message : String(e)}`);
}

/**
 * Brings a bucket to the inputs. Fields the inputs leave out are kept as Garage has them, unless
 * `olds` managed them (then they go back to Garage's default: no website, no quotas, no CORS).
 */
async function converge(
  i: BucketInputs,
  info: BucketInfo,
  markerKeyId: string,
  olds?: Partial<BucketInputs>,
) {
  const g = admin(i);
  const now = bucketState(info, markerKeyId);
  for (const alias of i.globalAliases.filter((a) => !now.globalAliases.includes(a)))
    await g.addGlobalAlias(info.id, alias);
  for (const alias of now.globalAliases.filter((a) => !i.globalAliases.includes(a)))
    await g.removeGlobalAlias(info.id, alias);
  const key = (l: { accessKeyId: string; alias: string }) => `${l.accessKeyId}/${l.alias}`;
  for (const la of i.localAliases.filter((l) => !now.localAliases.some((n) => key(n) === key(l))))
    await g.addLocalAlias(info.id, la.accessKeyId, la.alias);
  const managedBefore = new Set((olds?.localAliases ?? []).map(key));
  for (const la of now.localAliases.filter((n) => !i.localAliases.some((l) => key(l) === key(n))))
    if (managedBefore.has(key(la)) || olds === undefined)
      await g.removeLocalAlias(info.id, la.accessKeyId, la.alias);

  const body = settingsUpdate(i, now, olds);
  if (body) await g.updateBucket(info.id, body);
}

/**
 * Our marker key (made by an earlier, interrupted create) and the bucket it marks, if any, from the
 * process's shared listings (no request per bucket).
 */
async function findOwnWork(
  g: GarageAdmin,
  i: BucketInputs,
): Promise<{ markerKeyId?: string; bucketId?: string }> {
  const [buckets, keys] = await Promise.all([bucketListing(g, i.adminUrl), keyListing(g, i.adminUrl)]);
  const markers = keys.filter((k) => k.name === markerKeyName(i.owner)).map((k) => k.id);
  for (const b of buckets) {
    const m = bucketOwner(b);
    if (m && markers.includes(m.markerKeyId)) return { markerKeyId: m.markerKeyId, bucketId: b.id };
  }
  return { markerKeyId: markers[0] };
}

/** Makes a marker key for `owner` (noted in the process's key listing). */
export async function newMarkerKey(g: GarageAdmin, adminUrl: string, owner: string): Promise<string> {
  const key = await g.createKey(markerKeyName(owner));
  await noteKey(adminUrl, key.accessKeyId, key.name);
  return key.accessKeyId;
}

/** The refusal of a name another bucket holds. */
export function takenMessage(
  alias: string,
  adminUrl: string,
  bucketId: string,
  owner: string | undefined,
): string {
  return (
    `the name "${alias}" is already taken on ${adminUrl} by bucket ${bucketId}: ${describeOwner(owner)}. ` +
    `Choose another name, or set "adopt: true" to take that bucket over (its objects are kept)`
  );
}

const withoutUndefined = (props: Props): Props => JSON.parse(JSON.stringify(props)) as Props;

function outputs(i: BucketInputs, info: BucketInfo, markerKeyId: string): Props {
  return withoutUndefined({ ...i, bucketId: info.id, markerKeyId, bucketName: i.globalAliases[0] ?? "" });
}

/**
 * Names a new bucket would take that another bucket already holds (not ours, no adopt): found at
 * preview so that nothing is created. Garage unreachable at preview is not a failure here; create
 * reports it.
 */
async function aliasCollisions(
  i: BucketInputs,
  aliases: readonly string[],
): Promise<{ property: string; reason: string }[]> {
  const out: { property: string; reason: string }[] = [];
  let byAlias: Map<string, ListedBucket>;
  try {
    byAlias = bucketsByAlias(await bucketListing(admin(i), i.adminUrl));
  } catch {
    return out;
  }
  for (const alias of aliases) {
    const existing = byAlias.get(alias);
    if (existing && existing.owner !== i.owner)
      out.push({
        property: `globalAliases[${i.globalAliases.indexOf(alias)}]`,
        reason: takenMessage(alias, i.adminUrl, existing.info.id, existing.owner),
      });
  }
  return out;
}

export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkBucketInputs(news);
  // Only names this bucket does not hold yet are looked up: a no-change preview reads nothing.
  const held = new Set(Array.isArray(olds.globalAliases) ? (olds.globalAliases as unknown[]) : []);
  const fresh = inputs.globalAliases.filter((a) => !held.has(a));
  const known = [inputs.adminUrl, ...inputs.globalAliases].every(
    (v) => typeof v === "string" && v !== UNKNOWN,
  );
  if (fresh.length > 0 && failures.length === 0 && !inputs.adopt && known)
    failures.push(...(await aliasCollisions(inputs, fresh)));
  return { inputs, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  return diffBucket(olds, news);
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = props as unknown as BucketInputs;
  const g = admin(i);
  try {
    const own = await findOwnWork(g, i);
    let info = own.bucketId ? await g.bucketById(own.bucketId) : undefined;
    const listed = bucketsByAlias(await bucketListing(g, i.adminUrl));
    for (const alias of i.globalAliases) {
      // A name free in the listing is created (Garage refuses it if someone took it since); a
      // taken one is looked up again, as it is now.
      const existing = listed.has(alias) ? await g.bucketByAlias(alias) : undefined;
      if (!existing || existing.id === info?.id) continue;
      const current = bucketOwner(existing);
      if (current?.owner === i.owner) {
        info = existing;
        continue;
      }
      if (!i.adopt) throw new Error(takenMessage(alias, i.adminUrl, existing.id, current?.owner));
      if (info)
        throw new Error(
          `"${alias}" belongs to bucket ${existing.id}, another bucket than the rest of its aliases; remove it from one of them first`,
        );
      info = existing;
    }
    const markerKeyId = own.markerKeyId ?? (await newMarkerKey(g, i.adminUrl, i.owner));
    if (!info) {
      info = await g.createBucket({
        ...(i.globalAliases[0] ? { globalAlias: i.globalAliases[0] } : {}),
        localAlias: { accessKeyId: markerKeyId, alias: RESERVED_OWNER_ALIAS },
      });
      await noteBucket(i.adminUrl, {
        ...info,
        globalAliases: [...new Set([...info.globalAliases, ...i.globalAliases])],
      });
    } else {
      const previous = bucketOwner(info);
      if (previous?.markerKeyId !== markerKeyId) {
        await g.addLocalAlias(info.id, markerKeyId, RESERVED_OWNER_ALIAS);
        // Adopted from another stack: its marker no longer marks this bucket.
        if (previous) await g.deleteKey(previous.markerKeyId);
      }
    }
    await converge(i, info, markerKeyId);
    return { id: info.id, outs: outputs(i, info, markerKeyId) };
  } catch (e) {
    throw context("creating", i, e);
  }
}

export async function update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const i = news as unknown as BucketInputs;
  try {
    const info = await admin(i).bucketById(id);
    if (!info)
      throw new Error(
        `it no longer exists on ${i.adminUrl}; run "pulumi refresh" and then "pulumi up" to create it again`,
      );
    const marker = bucketOwner(info);
    if (marker?.owner !== i.owner)
      throw new Error(
        `${describeOwner(marker?.owner)}, so this stack no longer changes it; set "adopt: true" and replace the resource to take it back`,
      );
    await converge(i, info, marker.markerKeyId, olds as Partial<BucketInputs>);
    return { outs: outputs(i, info, marker.markerKeyId) };
  } catch (e) {
    throw context("updating", i, e);
  }
}

export async function remove(id: string, props: Props): Promise<void> {
  const i = props as unknown as BucketInputs;
  const g = admin(i);
  try {
    const info = await g.bucketById(id);
    if (!info) return;
    const marker = bucketOwner(info);
    if (marker?.owner !== i.owner) {
      console.warn(
        `Garage bucket ${i.globalAliases[0] ?? id} was not deleted: ${describeOwner(marker?.owner)} now. It is only forgotten by this stack.`,
      );
      return;
    }
    if (info.objects > 0)
      throw new Error(
        `it still holds ${info.objects} object(s) (${info.bytes} bytes); Garage deletes only empty buckets. Empty it (e.g. rclone purge) or keep it with "protect"`,
      );
    // Aliases go with the bucket; Garage refuses to delete a bucket that still has global aliases
    // other than through DeleteBucket itself, which removes them.
    await g.deleteBucket(id);
    await forgetBucket(i.adminUrl, id);
    await g.deleteKey(marker.markerKeyId);
    await noteKey(i.adminUrl, marker.markerKeyId, undefined);
  } catch (e) {
    throw context("deleting", i, e);
  }
}
export { remove as delete };

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const i = props as unknown as BucketInputs;
  try {
    const info = await admin(i).bucketById(id);
    if (!info) return { id: "", props: {} };
    const marker = bucketOwner(info);
    const now = bucketState(info, marker?.markerKeyId);
    // Drop undefined values (a field Garage no longer has): the engine's wire format has no undefined.
    return {
      id,
      props: withoutUndefined({
        ...props,
        globalAliases: [
          ...i.globalAliases.filter((a) => now.globalAliases.includes(a)),
          ...now.globalAliases.filter((a) => !i.globalAliases.includes(a)),
        ],
        localAliases: now.localAliases,
        ...("website" in props ? { website: now.website } : {}),
        ...("quotas" in props ? { quotas: now.quotas } : {}),
        ...("cors" in props ? { cors: now.cors } : {}),
        owner: marker?.owner ?? "",
      }),
    };
  } catch (e) {
    throw context("reading", i, e);
  }
}
