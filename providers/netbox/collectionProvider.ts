/**
 * The object collection provider's implementation (loaded by package specifier, see resources.ts).
 * Reads: one listing per object type by our owner marker (what the state says we hold), and one
 * listing per object type by name for objects not found that way (new ones: is the name free, or
 * ours from an interrupted run, or someone else's?). Writes: one bulk POST, PATCH or DELETE per
 * object type and operation (NetBox applies a list body all or none), in dependency order. The
 * decisions are collection.ts's; this file does only the I/O and the messages.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ApiError } from "../shared/http";
import { encodeOwner, ownIds } from "../shared/ownership";
import type { NetboxClient, Query } from "./client";
import {
  checkObjectCollectionInputs,
  COLLECTION_KINDS,
  diffObjectCollection,
  entryBody,
  identityMatches,
  needsWrite,
  planObjectCollection,
  refreshedState,
  refTarget,
  type CollectionEntry,
  type CollectionKind,
  type ObjectCollectionInputs,
  type ObjectCollectionState,
  type ServerView,
} from "./collection";
import { KINDS, REF_LOOKUP, type RefIds } from "./kinds";
import { ownerOf, resolveRef } from "./lookups";
import { plain, type Props } from "./props";
import { answeringClient, OWNER_FIELD, readyClient } from "./session";
import type { Failure } from "./validate";

export { configure } from "../shared/credentials";

/** Objects per bulk request (NetBox handles each list in one transaction). */
const BULK = 250;
/** Characters of filter values per listing URL (servers cap the request line at about 4 KiB). */
const QUERY_BUDGET = 1500;

const entriesOf = (
  objects: Record<string, CollectionEntry>,
  kind: CollectionKind,
): [string, CollectionEntry][] => Object.entries(objects).filter(([, e]) => e.kind === kind);

function chunks<T>(list: T[], size: (t: T) => number, budget: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of list) {
    const s = size(item);
    if (current.length > 0 && (used + s > budget || current.length >= BULK)) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += s;
  }
  if (current.length) out.push(current);
  return out;
}

/** At most BULK objects per request. */
const batches = <T>(list: T[]): T[][] => chunks(list, () => 0, Infinity);

/** Lists objects of a kind whose `filter` is any of `values`, in as few requests as the URL allows. */
async function listAny(
  client: NetboxClient,
  kind: CollectionKind,
  filter: string,
  values: (string | number)[],
): Promise<Record<string, unknown>[]> {
  const unique = [...new Set(values)];
  const out: Record<string, unknown>[] = [];
  for (const part of chunks(
    unique,
    (v) => encodeURIComponent(String(v)).length + filter.length + 2,
    QUERY_BUDGET,
  ))
    out.push(
      ...((await client.list(kind, { [filter]: part } as Query)) as unknown as Record<string, unknown>[]),
    );
  return out;
}

/** The id a reference resolves to: an entry's (made or found), or an existing NetBox object's. */
async function refId(
  client: NetboxClient,
  objects: Record<string, CollectionEntry>,
  ids: ReadonlyMap<string, number>,
  f: (typeof KINDS)[CollectionKind]["fields"][number],
  v: unknown,
): Promise<number | undefined> {
  if (f.type !== "ref" && f.type !== "gfk") return undefined;
  const target = refTarget(objects, f, v);
  if (target !== undefined) return ids.get(target);
  return resolveRef(client, f.ref, v as string | number);
}

/** All reference ids of an entry; a reference that resolves to nothing fails naming it. */
async function refIdsOf(
  client: NetboxClient,
  objects: Record<string, CollectionEntry>,
  ids: ReadonlyMap<string, number>,
  key: string,
  entry: CollectionEntry,
  only?: readonly string[],
): Promise<RefIds> {
  const out: RefIds = {};
  for (const f of KINDS[entry.kind].fields) {
    const v = entry[f.input];
    if ((f.type !== "ref" && f.type !== "gfk") || v === undefined || v === null) continue;
    if (only && !only.includes(f.input)) continue;
    const id = await refId(client, objects, ids, f, v);
    if (id === undefined && !only)
      throw new Error(
        `objects[${JSON.stringify(key)}].${f.input}: NetBox has no ${KINDS[f.ref].label} ${JSON.stringify(v)} and the collection declares none`,
      );
    out[f.input] = id;
  }
  return out;
}

interface ViewOptions {
  /** Look up keys not found under our marker by their names (else they count as gone). */
  byName: boolean;
  /** Look up only these keys by name (check: the new ones). */
  only?: ReadonlySet<string>;
}

/**
 * What NetBox holds for each key of `news` and `olds`: the objects carrying our marker (one
 * listing per type, when the state says we hold some), then, for keys not found that way, the
 * objects their names name (one listing per type).
 */
async function serverView(
  client: NetboxClient,
  olds: ObjectCollectionState | undefined,
  news: ObjectCollectionInputs | undefined,
  options: ViewOptions,
): Promise<ServerView> {
  const view: ServerView = new Map();
  const all = { ...(olds?.objects ?? {}), ...(news?.objects ?? {}) };
  const known = new Map(Object.entries(olds?.netboxIds ?? {}));
  const own = ownIds(...[olds?.owner, news?.owner].filter((o): o is string => o !== undefined));
  for (const kind of COLLECTION_KINDS) {
    const spec = KINDS[kind];
    const entries = entriesOf(all, kind);
    if (entries.length === 0) continue;
    const held = entriesOf(olds?.objects ?? {}, kind).filter(([key]) => olds?.netboxIds[key] !== undefined);
    if (held.length > 0 && olds) {
      const marker = encodeOwner(olds.owner);
      const query: Query = { [spec.ownerIn === "description" ? "description" : `cf_${OWNER_FIELD}`]: marker };
      const byId = new Map(
        ((await client.list(kind, query)) as unknown as Record<string, unknown>[]).map((o) => [
          o.id as number,
          o,
        ]),
      );
      for (const [key] of held) {
        const obj = byId.get(olds.netboxIds[key]);
        const owner = obj ? ownerOf(spec, obj as never) : undefined;
        if (obj && owner !== undefined && own.includes(owner))
          view.set(key, { id: obj.id as number, owner, obj });
      }
    }
    const missing = entries.filter(([key]) => !view.has(key) && (options.only?.has(key) ?? true));
    if (!options.byName || missing.length === 0) continue;
    // The identity: a slug or a name; for VM-scoped kinds (interface, service) the VM and a name,
    // listed by the VMs' ids (a VM not made yet holds nothing).
    const [first] = spec.identity;
    const field = spec.fields.find((f) => f.input === first);
    if (!field) continue;
    const scoped = field.type === "ref" || field.type === "gfk";
    const ids = new Map([...known, ...[...view].map(([k, h]): [string, number] => [k, h.id])]);
    const lookups = await Promise.all(
      missing.map(async ([key, entry]) => {
        const refIds = scoped ? await refIdsOf(client, all, ids, key, entry, [first]) : {};
        return { key, entry, refIds, value: scoped ? refIds[first] : (entry[first] as string) };
      }),
    );
    const values = lookups.map((l) => l.value).filter((v): v is string | number => v !== undefined);
    if (values.length === 0) continue;
    const found = await listAny(client, kind, scoped ? "virtual_machine_id" : field.api, values);
    for (const l of lookups) {
      const obj = found.find((o) => identityMatches(l.entry, o, l.refIds));
      if (obj) view.set(l.key, { id: obj.id as number, owner: ownerOf(spec, obj as never), obj });
    }
  }
  return view;
}

/** A bulk request's refusal, with "[index 3]" / "[id 7]" replaced by the key of that object. */
function bulkError(
  e: unknown,
  action: string,
  kind: CollectionKind,
  keys: string[],
  idKeys: Map<number, string>,
): Error {
  if (!(e instanceof ApiError)) return e as Error;
  const text = e.serverText
    .replace(/\[index (\d+)\]/g, (m, i: string) => keys[Number(i)] ?? m)
    .replace(/\[id (\d+)\]/g, (m, id: string) => idKeys.get(Number(id)) ?? m);
  return new Error(
    `${action} NetBox ${KINDS[kind].label}s of the collection: NetBox refused (HTTP ${e.status}) ${e.method} ${e.path}, nothing of it was applied: ${text}; fix "objects" and run again`,
  );
}

/** Reads, decides, then writes type by type (creates and updates in order, deletes reversed). */
async function apply(
  action: string,
  olds: ObjectCollectionState | undefined,
  news: ObjectCollectionInputs,
): Promise<ObjectCollectionState> {
  const client = await readyClient(news);
  const view = await serverView(client, olds, news, { byName: true });
  const plan = planObjectCollection(olds, news, view);
  if (plan.refusals.length > 0)
    throw new Error(
      `${action} the NetBox object collection: ${plan.refusals.length} object(s) refused, nothing was changed:\n  ` +
        plan.refusals.map((r) => `${r.key}: ${r.reason}`).join("\n  "),
    );
  for (const w of plan.warnings) console.error(`warning: NetBox ${w}`);
  const ids = new Map<string, number>();
  for (const [key, w] of plan.writes) if (w.id !== undefined) ids.set(key, w.id);
  const refIds: Record<string, RefIds> = {};
  for (const kind of COLLECTION_KINDS) {
    const creates: [string, Record<string, unknown>][] = [];
    const updates: [string, Record<string, unknown>][] = [];
    for (const [key, entry] of entriesOf(news.objects, kind)) {
      const w = plan.writes.get(key);
      if (!w) continue;
      refIds[key] = await refIdsOf(client, news.objects, ids, key, entry);
      const body = entryBody(entry, refIds[key], news.owner);
      const held = view.get(key);
      if (w.id === undefined) creates.push([key, body]);
      else if (!held || needsWrite(held, entry, refIds[key], news.owner))
        updates.push([key, { id: w.id, ...body }]);
    }
    const idKeys = new Map([...ids].map(([k, id]): [number, string] => [id, k]));
    for (const part of batches(creates)) {
      const keys = part.map(([k]) => k);
      const made = await client
        .bulkCreate(kind, part.map(([, b]) => b) as never)
        .catch((e: unknown) => Promise.reject(bulkError(e, action, kind, keys, idKeys)));
      made.forEach((obj, n) => ids.set(keys[n], obj.id));
    }
    for (const part of batches(updates))
      await client
        .bulkUpdate(kind, part.map(([, b]) => b) as never)
        .catch((e: unknown) => Promise.reject(bulkError(e, action, kind, [], idKeys)));
  }
  const deleteIds = new Map([...plan.deletes].map(([k, id]): [number, string] => [id, k]));
  for (const kind of [...COLLECTION_KINDS].reverse()) {
    const gone = [...plan.deletes].filter(([key]) => olds?.objects[key]?.kind === kind).map(([, id]) => id);
    for (const part of batches(gone))
      await client
        .bulkDelete(kind, part)
        .catch((e: unknown) => Promise.reject(bulkError(e, action, kind, [], deleteIds)));
  }
  const netboxIds = Object.fromEntries(
    Object.keys(news.objects).map((key): [string, number | undefined] => [key, ids.get(key)]),
  ) as Record<string, number>;
  return { ...news, netboxIds, refIds };
}

/**
 * At preview: the pure checks; then, when every value is known, what only NetBox can tell:
 * references to objects outside the collection exist, and a new object's name is not held by
 * another owner (no request when there is nothing new and no outside reference).
 */
export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures, external } = checkObjectCollectionInputs(news);
  if (failures.length > 0 || (inputs.objects as unknown) === undefined || typeof inputs.objects !== "object")
    return { inputs: plain(inputs as unknown as Props), failures };
  const old = olds as unknown as Partial<ObjectCollectionState>;
  const fresh = Object.keys(inputs.objects).filter((k) => old.objects?.[k] === undefined);
  if (external.length === 0 && (fresh.length === 0 || inputs.adopt))
    return { inputs: plain(inputs as unknown as Props), failures };
  const client = await answeringClient(inputs);
  const out: Failure[] = [];
  for (const x of external) {
    if ((await resolveRef(client, x.kind, x.ref)) !== undefined) continue;
    const by = REF_LOOKUP[x.kind];
    out.push({
      property: x.property,
      reason:
        typeof x.ref === "number"
          ? `${x.property}: NetBox has no ${KINDS[x.kind].label} with id ${x.ref}`
          : `${x.property}: the collection declares no ${KINDS[x.kind].label} ${JSON.stringify(x.ref)} and NetBox has none with ${by} ${JSON.stringify(x.ref)}; add it to "objects" or fix the name`,
    });
  }
  if (out.length === 0 && fresh.length > 0 && !inputs.adopt) {
    const only = new Set(fresh);
    const view = await serverView(client, undefined, inputs, { byName: true, only });
    const newOnly = { ...inputs, objects: Object.fromEntries(fresh.map((k) => [k, inputs.objects[k]])) };
    for (const r of planObjectCollection(undefined, newOnly, view).refusals) {
      const property = `objects[${JSON.stringify(r.key)}]`;
      out.push({ property, reason: `${property}: ${r.reason}` });
    }
  }
  return { inputs: plain(inputs as unknown as Props), failures: out };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const { changes } = diffObjectCollection(olds, news);
  return { changes, replaces: [], deleteBeforeReplace: false };
}

export const collectionId = (i: Pick<ObjectCollectionInputs, "url" | "owner">): string =>
  `${i.url}|${i.owner}`;

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const news = props as unknown as ObjectCollectionInputs;
  const state = await apply("creating", undefined, news);
  return { id: collectionId(news), outs: plain(state as unknown as Props) };
}

export async function update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const state = await apply(
    "updating",
    olds as unknown as ObjectCollectionState,
    news as unknown as ObjectCollectionInputs,
  );
  return { outs: plain(state as unknown as Props) };
}

export async function remove(_id: string, props: Props): Promise<void> {
  const state = props as unknown as ObjectCollectionState;
  await apply("deleting", state, { ...state, objects: {} });
}
export { remove as delete };

/** Refresh: what NetBox still holds under our marker (one listing per type); the rest drops out. */
export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const state = props as unknown as ObjectCollectionState;
  const client = await answeringClient(state);
  const view = await serverView(client, state, undefined, { byName: false });
  return { id, props: plain(refreshedState(state, view) as unknown as Props) };
}
