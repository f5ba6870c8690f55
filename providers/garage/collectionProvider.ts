/**
 * The bucket collection provider's implementation (loaded by package specifier, see resources.ts).
 * Each create/update/delete lists the buckets once (ListBucketsInfo, fresh), decides every bucket
 * from that listing (bucketCollection.ts), refuses the whole write when any bucket is refused, and
 * runs the per-bucket steps concurrently, a few at a time. `check` and `read` use the process's
 * shared listing: one request whatever the number of buckets.
 */
import type * as pulumi from "@pulumi/pulumi";
import { adminFor, type GarageAdmin } from "./api";
import type { BucketInfo } from "./client";
import { bucketState, settingsUpdate } from "./bucketSettings";
import {
  bucketIdsOf,
  BucketStep,
  checkCollectionInputs,
  CollectionInputs,
  diffCollection,
  planCollectionDelete,
  planCollectionWrite,
  refreshedBuckets,
  refusalMessage,
  WritePlan,
} from "./bucketCollection";
import { takenMessage } from "./bucketProvider";
import { bucketListing, bucketsByAlias, keyListing, ListedBucket, unusedMarkerKeys } from "./listing";
import { markerKeyName } from "./owner";
import { RESERVED_OWNER_ALIAS, UNKNOWN } from "./validate";

export { configure } from "../shared/credentials";

type Props = Record<string, unknown>;

/**
 * How many buckets are written at once. Garage verifies the admin token (Argon2) on every request,
 * which is CPU work, so on an idle machine concurrency changes little (12 buckets: 17.3 s one at a
 * time, 16.0 s two at a time, 18.2 s eight at a time); on a machine shared with other work, more
 * concurrent requests give Garage more threads and so more of the CPU (24 buckets under load
 * average 11-14: 36.9 s two at a time, 23.7 s all at once). But each request then waits for all
 * the others' token checks: 16 at a time under load average 17 took longer than the client's 30 s
 * timeout for 25 of 50 creates. 4 at a time keeps a request within a few seconds.
 */
export const CONCURRENCY = 4;

/** Runs `work` over `items`, at most `limit` at a time; every item runs, failures are collected. */
export async function boundedAll<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const at = next++;
      try {
        results[at] = { status: "fulfilled", value: await work(items[at]) };
      } catch (reason) {
        results[at] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function serverView(
  g: GarageAdmin,
  i: CollectionInputs,
  fresh: boolean,
): Promise<Map<string, ListedBucket>> {
  return bucketsByAlias(await bucketListing(g, i.adminUrl, fresh));
}

/**
 * Marker keys for new buckets. Ours that mark no bucket (left by a create interrupted after its
 * key, or by a bucket deleted outside Pulumi: Garage keeps the key's dangling alias, so such a key
 * cannot mark a new bucket) are deleted first.
 */
async function markerKeys(g: GarageAdmin, i: CollectionInputs): Promise<() => Promise<string>> {
  const keys = await keyListing(g, i.adminUrl);
  const unused = unusedMarkerKeys(keys, await bucketListing(g, i.adminUrl), markerKeyName(i.owner));
  await boundedAll(unused, CONCURRENCY, (id) => g.deleteKey(id));
  return async () => (await g.createKey(markerKeyName(i.owner))).accessKeyId;
}

async function runStep(
  g: GarageAdmin,
  step: BucketStep,
  nextMarker: () => Promise<string>,
): Promise<BucketInfo | undefined> {
  switch (step.action) {
    case "create": {
      const markerKeyId = await nextMarker();
      const info = await g.createBucket({
        globalAlias: step.name,
        localAlias: { accessKeyId: markerKeyId, alias: RESERVED_OWNER_ALIAS },
      });
      const body = settingsUpdate(step.settings, bucketState(info, markerKeyId));
      return body ? await g.updateBucket(info.id, body) : info;
    }
    case "write": {
      if (step.remark) {
        await g.addLocalAlias(step.bucketId, await nextMarker(), RESERVED_OWNER_ALIAS);
        if (step.previousMarkerKeyId) await g.deleteKey(step.previousMarkerKeyId);
      }
      if (step.update) await g.updateBucket(step.bucketId, step.update);
      return undefined;
    }
    case "delete":
      await g.deleteBucket(step.bucketId);
      await g.deleteKey(step.markerKeyId);
      return undefined;
  }
}

/** Runs the plan: refusals fail before anything is sent; every step runs, failures are listed together. */
async function apply(
  g: GarageAdmin,
  i: CollectionInputs,
  action: string,
  plan: WritePlan,
): Promise<Map<string, BucketInfo>> {
  if (plan.refusals.length) throw new Error(refusalMessage(action, plan.refusals));
  for (const w of plan.warnings) console.warn(`warning: ${w}`);
  const needsKeys = plan.steps.some((s) => s.action === "create" || (s.action === "write" && s.remark));
  const nextMarker = needsKeys ? await markerKeys(g, i) : async () => "";
  const results = await boundedAll(plan.steps, CONCURRENCY, (s) => runStep(g, s, nextMarker));
  const made = new Map<string, BucketInfo>();
  const failed: string[] = [];
  results.forEach((r, n) => {
    const step = plan.steps[n];
    if (r.status === "rejected")
      failed.push(`${step.name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
    else if (r.value) made.set(step.name, r.value);
  });
  if (failed.length)
    throw new Error(
      `${action} the Garage bucket collection on ${i.adminUrl}: ${failed.length} of ${plan.steps.length} bucket step(s) failed (the others were applied; run the update again once fixed):\n  ` +
        failed.join("\n  "),
    );
  return made;
}

function outputs(
  i: CollectionInputs,
  server: Map<string, ListedBucket>,
  made: Map<string, BucketInfo>,
): Props {
  return JSON.parse(
    JSON.stringify({ ...i, bucketIds: bucketIdsOf(Object.keys(i.buckets), server, made) }),
  ) as Props;
}

/**
 * Input checks, and at preview the names a new bucket would take that another stack's (or no
 * one's) bucket holds, one failure per bucket naming the owner (one listing; Garage unreachable at
 * preview is left to create to report).
 */
export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkCollectionInputs(news);
  const held = (olds.buckets ?? {}) as Record<string, unknown>;
  const fresh =
    inputs.buckets === (UNKNOWN as never) ? [] : Object.keys(inputs.buckets).filter((n) => !(n in held));
  if (fresh.length === 0 || failures.length > 0 || inputs.adopt || inputs.adminUrl === UNKNOWN)
    return { inputs, failures };
  let server: Map<string, ListedBucket>;
  try {
    server = await serverView(adminFor(inputs), inputs, false);
  } catch {
    return { inputs, failures };
  }
  const names = Array.isArray(news.buckets) ? (news.buckets as { name?: unknown }[]).map((b) => b?.name) : [];
  for (const name of fresh) {
    const s = server.get(name);
    if (s && s.owner !== inputs.owner)
      failures.push({
        property: `buckets[${names.indexOf(name)}].name`,
        reason: takenMessage(name, inputs.adminUrl, s.info.id, s.owner),
      });
  }
  return { inputs, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  return { changes: diffCollection(olds, news).changes, replaces: [] };
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = props as unknown as CollectionInputs;
  const g = adminFor(i);
  const server = await serverView(g, i, true);
  const made = await apply(g, i, "creating", planCollectionWrite(undefined, i, server));
  return { id: `${i.owner}@${i.adminUrl}`, outs: outputs(i, server, made) };
}

export async function update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const i = news as unknown as CollectionInputs;
  const g = adminFor(i);
  const server = await serverView(g, i, true);
  const made = await apply(
    g,
    i,
    "updating",
    planCollectionWrite(olds as unknown as CollectionInputs, i, server),
  );
  return { outs: outputs(i, server, made) };
}

export async function remove(_id: string, props: Props): Promise<void> {
  const i = props as unknown as CollectionInputs;
  const g = adminFor(i);
  await apply(g, i, "deleting", planCollectionDelete(i, await serverView(g, i, true)));
}
export { remove as delete };

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const i = props as unknown as CollectionInputs;
  const server = await serverView(adminFor(i), i, false);
  const buckets = refreshedBuckets(i, server);
  return { id, props: outputs({ ...i, buckets }, server, new Map()) };
}
