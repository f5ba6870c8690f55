/**
 * The NetBox object collection (`NetboxObjectCollection`): pure checking, diffing and planning.
 * One resource holds many NetBox objects of one stack (tags, sites, cluster types, clusters,
 * virtual machines, VM interfaces, services), so an `up` costs the engine one resource instead of
 * one per object, and the provider one listing per object type and one bulk request per object
 * type and operation. Every object still carries its owner marker (the `sovereign_owner` custom
 * field; a tag's description), and the shared ownership rules decide per object.
 *
 * After `check`, `objects` is a map keyed "<kind> <natural key>" ("cluster-type lxc",
 * "cluster dc1", "vm web1", "interface web1/eth0", "service web1/https"), so the engine's diff of
 * the inputs lists each object added, changed and removed by its key. References between entries
 * name the target's natural key (a VM's `cluster: "dc1"`, a service's `virtualMachine: "web1"`);
 * one that names no entry is an existing NetBox object (its slug/name, or its id).
 */
import { decideClaim, decideDelete, decideWrite, ownIds, type OwnerId } from "../shared/ownership";
import type { Kind } from "./client";
import {
  bodyFor,
  changedFields,
  heldRefId,
  KINDS,
  observedInputs,
  type FieldSpec,
  type RefIds,
} from "./kinds";
import { ownerBody } from "./lookups";
import { connectionFailures, fieldFailures, isUnknown, UNKNOWN, type Failure } from "./validate";

/** The kinds a collection holds, in dependency order (creates in this order, deletes reversed). */
export const COLLECTION_KINDS = [
  "tag",
  "site",
  "clusterType",
  "cluster",
  "virtualMachine",
  "vmInterface",
  "service",
] as const satisfies readonly Kind[];
/** A kind a collection holds. */
export type CollectionKind = (typeof COLLECTION_KINDS)[number];

/** How a key names each kind: "vm web1", "cluster-type lxc". */
export const KEY_LABELS: Record<CollectionKind, string> = {
  tag: "tag",
  site: "site",
  clusterType: "cluster-type",
  cluster: "cluster",
  virtualMachine: "vm",
  vmInterface: "interface",
  service: "service",
};

const isCollectionKind = (k: unknown): k is CollectionKind =>
  (COLLECTION_KINDS as readonly unknown[]).includes(k);

/** One object of a collection: its kind and its fields, as the resource of that kind takes them. */
export interface CollectionEntry {
  kind: CollectionKind;
  [field: string]: unknown;
}

/** A collection's inputs after `check`. */
export interface ObjectCollectionInputs {
  url: string;
  tokenConfig?: string;
  owner: OwnerId;
  adopt: boolean;
  /** Keyed by `objectKey`. */
  objects: Record<string, CollectionEntry>;
}

/** What the state holds besides the inputs: each object's NetBox id and its references' ids. */
export interface ObjectCollectionState extends ObjectCollectionInputs {
  netboxIds: Record<string, number>;
  refIds: Record<string, RefIds>;
}

/** "vm web1", "service web1/https": the key of an object in a collection. */
export function objectKey(kind: CollectionKind, fields: Record<string, unknown>): string {
  return `${KEY_LABELS[kind]} ${KINDS[kind].identity.map((name) => String(fields[name])).join("/")}`;
}

/** The key of the entry a reference names, when the collection holds it (else NetBox has it). */
export function refTarget(
  objects: Record<string, CollectionEntry>,
  field: FieldSpec,
  value: unknown,
): string | undefined {
  if ((field.type !== "ref" && field.type !== "gfk") || typeof value !== "string") return undefined;
  if (!isCollectionKind(field.ref)) return undefined;
  const key = `${KEY_LABELS[field.ref]} ${value}`;
  return objects[key]?.kind === field.ref ? key : undefined;
}

/** A reference that names no entry: `check` looks it up in NetBox. */
export interface ExternalRef {
  property: string;
  kind: Kind;
  ref: string | number;
}

/** What `checkObjectCollectionInputs` found. */
export interface CollectionCheck {
  inputs: ObjectCollectionInputs;
  failures: Failure[];
  external: ExternalRef[];
}

const entryFields = (entry: CollectionEntry): Record<string, unknown> => {
  const { kind: _kind, ...fields } = entry;
  return fields;
};

/**
 * Checks the connection once and every entry with its kind's rules, naming the entry
 * (`objects["vm web1"].cluster: ...`, or `objects[3]` when it has no usable name yet); refuses
 * unknown kinds and fields and a key listed twice. Values not known yet (preview) are skipped; an
 * unknown name makes the whole map unknown.
 */
export function checkObjectCollectionInputs(news: Record<string, unknown>): CollectionCheck {
  const failures: Failure[] = connectionFailures(news);
  if (news.adopt !== undefined && typeof news.adopt !== "boolean" && !isUnknown(news.adopt))
    failures.push({ property: "adopt", reason: "adopt must be true or false" });
  const inputs: ObjectCollectionInputs = {
    url: news.url as string,
    ...(news.tokenConfig !== undefined ? { tokenConfig: news.tokenConfig as string } : {}),
    owner: news.owner as string,
    adopt: news.adopt === true,
    objects: {},
  };
  const external: ExternalRef[] = [];
  const raw = news.objects;
  if (raw === UNKNOWN) return { inputs: { ...inputs, objects: UNKNOWN as never }, failures, external };
  if (!Array.isArray(raw)) {
    failures.push({
      property: "objects",
      reason: `objects must be a list of NetBox objects, e.g. [{ kind: "clusterType", name: "LXC", slug: "lxc" }, { kind: "cluster", name: "dc1", type: "lxc" }]`,
    });
    return { inputs, failures, external };
  }
  const firstIndex = new Map<string, number>();
  let unknownName = false;
  raw.forEach((item: unknown, i) => {
    const at = `objects[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      failures.push({ property: at, reason: `${at} must be an object with a kind and its fields` });
      return;
    }
    const entry = item as CollectionEntry;
    if (!isCollectionKind(entry.kind)) {
      failures.push({
        property: `${at}.kind`,
        reason: `${at}.kind ${JSON.stringify(entry.kind)} must be one of ${COLLECTION_KINDS.join(", ")}`,
      });
      return;
    }
    const spec = KINDS[entry.kind];
    const fields = entryFields(entry);
    const identity = spec.identity.map((name) => fields[name]);
    if (identity.some(isUnknown)) {
      unknownName = true;
      return;
    }
    const named = identity.every((v) => (typeof v === "string" && v !== "") || typeof v === "number");
    const key = objectKey(entry.kind, fields);
    const label = named ? `objects[${JSON.stringify(key)}]` : at;
    for (const name of Object.keys(fields))
      if (!spec.fields.some((f) => f.input === name))
        failures.push({
          property: `${label}.${name}`,
          reason: `${label}.${name} is not a field of a ${spec.label} (its fields: ${spec.fields.map((f) => f.input).join(", ")})`,
        });
    for (const f of fieldFailures(entry.kind, fields))
      failures.push({
        property: `${label}.${f.property}`,
        reason: f.reason.startsWith(f.property)
          ? `${label}.${f.reason}`
          : `${label}.${f.property}: ${f.reason}`,
      });
    if (!named) return;
    const dup = firstIndex.get(key);
    if (dup !== undefined) {
      failures.push({
        property: at,
        reason: `${at}: ${key} is listed twice (objects[${dup}] and objects[${i}]); list each object once`,
      });
      return;
    }
    firstIndex.set(key, i);
    inputs.objects[key] = JSON.parse(JSON.stringify(entry)) as CollectionEntry;
  });
  if (unknownName) return { inputs: { ...inputs, objects: UNKNOWN as never }, failures, external };
  for (const [key, entry] of Object.entries(inputs.objects))
    for (const f of KINDS[entry.kind].fields) {
      const v = entry[f.input];
      if ((f.type !== "ref" && f.type !== "gfk") || v === undefined || v === null || isUnknown(v)) continue;
      if (refTarget(inputs.objects, f, v) === undefined && (typeof v === "string" || typeof v === "number"))
        external.push({ property: `objects[${JSON.stringify(key)}].${f.input}`, kind: f.ref, ref: v });
    }
  return { inputs, failures, external };
}

/** The keys added, changed and removed between two input sets. */
export interface CollectionDiff {
  changes: boolean;
  added: string[];
  changed: string[];
  removed: string[];
}

/** Nothing replaces the collection: objects are added, updated and removed one by one. */
export function diffObjectCollection(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): CollectionDiff {
  const o = (olds.objects ?? {}) as Record<string, CollectionEntry>;
  const n = news.objects as Record<string, CollectionEntry> | string;
  if (n === UNKNOWN || typeof n !== "object") return { changes: true, added: [], changed: [], removed: [] };
  const added = Object.keys(n).filter((k) => !(k in o));
  const removed = Object.keys(o).filter((k) => !(k in n));
  const changed = Object.keys(n).filter(
    (k) => k in o && changedFields(KINDS[n[k].kind], o[k], n[k]).length > 0,
  );
  const bookkeeping = ["url", "tokenConfig", "owner", "adopt"].some(
    (k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
  );
  return {
    changes: added.length + removed.length + changed.length > 0 || bookkeeping,
    added,
    changed,
    removed,
  };
}

/** What NetBox holds for one key: its id, owner marker and the object. */
export interface Held {
  id: number;
  owner?: OwnerId;
  obj: Record<string, unknown>;
}
/** What NetBox holds, by key. */
export type ServerView = Map<string, Held>;

/** What a create, update or delete does per object. */
export interface CollectionPlan {
  /** Every key of the new inputs that is not refused: to create, or to write over an id. */
  writes: Map<string, { id?: number }>;
  /** Keys dropped from the collection whose object still carries our marker: their ids. */
  deletes: Map<string, number>;
  /** Each object refused: its key and why (naming its owner and the fix). */
  refusals: { key: string; reason: string }[];
  /** Objects left in place because someone else holds them now. */
  warnings: string[];
}

/**
 * What to do per object, following the shared ownership decisions:
 *   - an object new to the collection: decideClaim (create, continue our own, adopt, refuse);
 *   - one the collection had: decideWrite (write unless another owner took it over, or `adopt`);
 *   - one dropped from the collection: decideDelete (delete only while it carries our marker).
 * Any refusal refuses the whole write (the provider sends nothing).
 */
export function planObjectCollection(
  olds: ObjectCollectionState | undefined,
  news: ObjectCollectionInputs,
  server: ServerView,
): CollectionPlan {
  const plan: CollectionPlan = { writes: new Map(), deletes: new Map(), refusals: [], warnings: [] };
  const own = ownIds(news.owner, olds?.owner);
  for (const key of Object.keys(news.objects)) {
    const held = server.get(key);
    const found = held ? { exists: true, owner: held.owner } : { exists: false };
    if (olds?.objects[key] === undefined) {
      const ours = held?.owner !== undefined && own.includes(held.owner);
      const d = ours ? { action: "continue" as const } : decideClaim(found, news.owner, news.adopt);
      if (d.action === "refuse") {
        plan.refusals.push({ key, reason: `NetBox id ${held?.id}: ${d.reason}` });
        continue;
      }
    } else {
      const d = decideWrite(found, own);
      if (d.action === "refuse" && !news.adopt) {
        plan.refusals.push({ key, reason: `NetBox id ${held?.id}: ${d.reason}` });
        continue;
      }
    }
    plan.writes.set(key, held ? { id: held.id } : {});
  }
  for (const key of Object.keys(olds?.objects ?? {})) {
    if (key in news.objects) continue;
    const held = server.get(key);
    const d = decideDelete(held ? { exists: true, owner: held.owner } : { exists: false }, own);
    if (d.action === "leave") plan.warnings.push(`${key} (id ${held?.id}): ${d.warning}`);
    if (d.action === "delete" && held) plan.deletes.set(key, held.id);
  }
  return plan;
}

/** The request body for an entry: the fields it gives (others keep NetBox's values) and our marker. */
export function entryBody(entry: CollectionEntry, refIds: RefIds, owner: OwnerId): Record<string, unknown> {
  const spec = KINDS[entry.kind];
  return { ...bodyFor(spec, entryFields(entry), refIds), ...ownerBody(spec, owner) };
}

/** Whether NetBox's object differs from the entry in a field the entry gives, or lacks our marker. */
export function needsWrite(held: Held, entry: CollectionEntry, refIds: RefIds, owner: OwnerId): boolean {
  const spec = KINDS[entry.kind];
  if (held.owner !== owner) return true;
  const fields = entryFields(entry);
  return changedFields(spec, observedInputs(spec, held.obj, fields, refIds), fields).length > 0;
}

/**
 * Whether a NetBox object is the one an entry names: its value identity fields (case as NetBox
 * compares them) and, for VM-scoped kinds, the VM id its reference resolved to.
 */
export function identityMatches(
  entry: CollectionEntry,
  obj: Record<string, unknown>,
  refIds: RefIds,
): boolean {
  const spec = KINDS[entry.kind];
  return spec.identity.every((name) => {
    const f = spec.fields.find((x) => x.input === name);
    if (!f) return false;
    if (f.type === "ref" || f.type === "gfk") return heldRefId(f, obj) === (refIds[name] ?? -1);
    return String(obj[f.api]).toLowerCase() === String(entry[name]).toLowerCase();
  });
}

/**
 * Refresh: the entries NetBox still holds under our marker, with NetBox's values for the fields
 * each gives; what was deleted or taken over drops out (the next `up` makes it again, or refuses
 * naming its owner).
 */
export function refreshedState(state: ObjectCollectionState, server: ServerView): ObjectCollectionState {
  const objects: Record<string, CollectionEntry> = {};
  const netboxIds: Record<string, number> = {};
  const refIds: Record<string, RefIds> = {};
  for (const [key, entry] of Object.entries(state.objects)) {
    const held = server.get(key);
    if (!held || held.owner !== state.owner) continue;
    const spec = KINDS[entry.kind];
    const ids = state.refIds?.[key] ?? {};
    const observed = observedInputs(spec, held.obj, entryFields(entry), ids);
    objects[key] =
      changedFields(spec, observed, entryFields(entry)).length > 0 ? { ...entry, ...observed } : entry;
    netboxIds[key] = held.id;
    refIds[key] = ids;
  }
  return { ...state, objects, netboxIds, refIds };
}
