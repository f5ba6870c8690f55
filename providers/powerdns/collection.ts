/**
 * The zone-level record collection (`PowerDnsRecordCollection`): pure checking, diffing and the
 * write plan. One resource holds all record sets one stack keeps in one zone, so an `up` costs the
 * engine one resource per zone instead of one per record set, and the provider one zone read and
 * one PATCH. Every record set still carries its owner marker (the rrset comment), so the shared
 * ownership rules decide per record set: others' record sets are refused unless `adopt`, a removed
 * record set is deleted only while it still carries our marker.
 *
 * After `check`, `rrsets` is a map keyed "<name> <type>": the engine's diff of the inputs then
 * shows each added, changed and removed record set by its name, not by a position in a list.
 */
import type { PdnsRRSet, PdnsRRSetChange } from "./client";
import { canonicalFromServer, comparableContents } from "./records";
import { unpackRRSets } from "./collectionPacking";
import {
  decideClaim,
  decideDelete,
  decideWrite,
  encodeOwner,
  Found,
  ownedByStack,
  ownerProblem,
  ownIds,
  OwnerId,
} from "../shared/ownership";
import {
  CheckFailure,
  CheckResult,
  checkRecordSetFields,
  checkRecordSetInputs,
  checkZone,
  EndpointInputs,
  UNKNOWN,
} from "./validate";

/** One record set of a collection, normalised. */
export interface CollectionRRSet {
  ttl: number;
  records: string[];
  disabled: boolean;
}

export interface CollectionInputs extends EndpointInputs {
  zone: string;
  /** Keyed "<name> <type>", e.g. "www.example.org. A". */
  rrsets: Record<string, CollectionRRSet>;
  adopt: boolean;
  /**
   * The upgrade path from one resource per record set (DnsZone before the collection): the owner
   * prefix `<project>/<stack>/<zone resource>-` of those resources. A record set whose marker is
   * `<prefix><relative name>-<TYPE>` (the name DnsZone gave it, "@" for the apex) is this stack's
   * own: the collection takes it over without `adopt`, and the old resource's delete then leaves
   * it in place (it carries the collection's marker by then).
   */
  formerOwnerPrefix?: string;
}

type Raw = Record<string, unknown>;

export const rrsetKeyOf = (name: string, type: string): string => `${name} ${type}`;

export function splitKey(key: string): { name: string; type: string } {
  const at = key.lastIndexOf(" ");
  return { name: key.slice(0, at), type: key.slice(at + 1) };
}

/** The owner a record set had as DnsZone's own per-record-set resource (see `formerOwnerPrefix`). */
export function formerRecordSetOwner(prefix: string, zone: string, key: string): OwnerId {
  const { name, type } = splitKey(key);
  const relative = name === zone ? "@" : name.slice(0, -zone.length - 1);
  return `${prefix}${relative}-${type}`;
}

function checkFormerOwnerPrefix(prefix: unknown, owner: string): CheckFailure | undefined {
  // An unknown or bad owner is reported as such (under "owner"); the prefix is checked against a good one.
  if (prefix === undefined || prefix === UNKNOWN || ownerProblem(owner)) return undefined;
  if (typeof prefix === "string" && ownedByStack(`${prefix}x`, owner) && !/\s/.test(prefix)) return undefined;
  return {
    property: "formerOwnerPrefix",
    reason: `formerOwnerPrefix ${JSON.stringify(prefix)} must be "<project>/<stack>/<zone resource>-" of this stack (the owner is "${owner}"); leave it unset unless you migrate DnsZone record sets`,
  };
}

const PER_RRSET = new Set(["name", "type", "ttl", "records", "disabled"]);

/**
 * Checks every record set with the record-set rules (names inside the zone, contents per type...),
 * naming the failing entry (`rrsets[3].records: ...`), and refuses a name and type listed twice.
 */
export function checkCollectionInputs(news: Raw): CheckResult<CollectionInputs> {
  const failures: CheckFailure[] = [];
  const seenFailures = new Set<string>();
  const fail = (f: CheckFailure): void => {
    const k = `${f.property}\u0000${f.reason}`;
    if (!seenFailures.has(k)) failures.push(f);
    seenFailures.add(k);
  };
  const { rrsets: rawRRSets, formerOwnerPrefix: rawPrefix, ...rest } = news;
  // The endpoint, zone and owner are checked once, with a stand-in record set.
  const checked = checkRecordSetInputs({ ...rest, name: rest.zone, type: "TXT", records: ['"x"'] });
  checked.failures.filter((f) => !PER_RRSET.has(f.property)).forEach(fail);
  const prefixFailure = checkFormerOwnerPrefix(rawPrefix, checked.inputs.owner);
  if (prefixFailure) fail(prefixFailure);
  const base = {
    inputs: { ...checked.inputs, ...(typeof rawPrefix === "string" ? { formerOwnerPrefix: rawPrefix } : {}) },
  };
  const rrsets: Record<string, CollectionRRSet> = {};
  if (rawRRSets === UNKNOWN) {
    return { inputs: { ...base.inputs, rrsets: UNKNOWN as unknown as CollectionInputs["rrsets"] }, failures };
  }
  // A plain list, or the program's packed form (collectionPacking.ts).
  const list = unpackRRSets(rawRRSets);
  if (!list) {
    fail({
      property: "rrsets",
      reason: `rrsets must be a list of record sets, e.g. [{ name: "www.example.org.", type: "A", records: ["192.0.2.10"] }]`,
    });
  }
  const firstIndex = new Map<string, number>();
  // The zone once (its failures are the stand-in's); each record set only with its own fields.
  const zone = checkZone(rest.zone, []);
  (list ?? []).forEach((raw, i) => {
    if (typeof raw !== "object" || raw === null) {
      fail({
        property: `rrsets[${i}]`,
        reason: `rrsets[${i}] must be an object with name, type and records`,
      });
      return;
    }
    const own: CheckFailure[] = [];
    const r = checkRecordSetFields(raw as Raw, zone, own);
    for (const f of own) fail({ property: `rrsets[${i}].${f.property}`, reason: f.reason });
    const key = rrsetKeyOf(r.name, r.type);
    const dup = firstIndex.get(key);
    if (dup !== undefined) {
      fail({
        property: `rrsets[${i}]`,
        reason: `${r.name} ${r.type} is listed twice (rrsets[${dup}] and rrsets[${i}]); list each name and type once, with all its records`,
      });
      return;
    }
    firstIndex.set(key, i);
    rrsets[key] = { ttl: r.ttl, records: r.records, disabled: r.disabled };
  });
  return { inputs: { ...base.inputs, rrsets }, failures };
}

/**
 * A record set as the engine holds it (checked inputs and outputs): one string per record set,
 * `<ttl>[ disabled] <records as a JSON list>`, e.g. `3600 ["192.0.2.10"]`. The engine, the state
 * and the preview then handle one string per record set instead of an object with a list, which
 * is what dominated an up of a large zone (each value is a protobuf object on every RPC); the
 * preview still lists each record set added, changed or removed by its key.
 */
export type WireRRSets = Record<string, string>;

/** One record set in the engine's form (see `WireRRSets`). */
export function encodeRRSet(r: CollectionRRSet): string {
  return `${r.ttl}${r.disabled ? " disabled" : ""} ${JSON.stringify(r.records)}`;
}

const WIRE = /^(\d+)( disabled)? (\[[^]*\])$/;

/** The record set of one wire value; a state written before the wire form holds the object itself. */
export function decodeRRSet(key: string, v: unknown): CollectionRRSet {
  if (typeof v === "object" && v !== null) return v as CollectionRRSet;
  const m = typeof v === "string" ? WIRE.exec(v) : null;
  const records: unknown = m ? JSON.parse(m[3]) : undefined;
  if (!m || !Array.isArray(records))
    throw new Error(
      `record set ${key}: cannot read ${JSON.stringify(v)} from the state (expected "<ttl> [records]")`,
    );
  return { ttl: Number(m[1]), disabled: m[2] !== undefined, records: records.map(String) };
}

/** Checked inputs in the form the engine keeps (see `WireRRSets`); unknown record sets stay unknown. */
export function toWire(i: CollectionInputs): Omit<CollectionInputs, "rrsets"> & { rrsets: WireRRSets } {
  if ((i.rrsets as unknown) === UNKNOWN)
    return i as unknown as Omit<CollectionInputs, "rrsets"> & { rrsets: WireRRSets };
  const rrsets: WireRRSets = {};
  for (const [k, r] of Object.entries(i.rrsets)) rrsets[k] = encodeRRSet(r);
  return { ...i, rrsets };
}

/** Inputs or outputs from the engine (wire form, or the object form of older states) as `CollectionInputs`. */
export function fromWire(props: Raw): CollectionInputs {
  const raw = props.rrsets;
  if (raw === UNKNOWN || typeof raw !== "object" || raw === null) return props as unknown as CollectionInputs;
  const rrsets: Record<string, CollectionRRSet> = {};
  for (const [k, v] of Object.entries(raw as Raw)) rrsets[k] = decodeRRSet(k, v);
  return { ...(props as unknown as CollectionInputs), rrsets };
}

export interface CollectionDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Keys of record sets added, changed and removed (for messages and tests). */
  added: string[];
  changed: string[];
  removed: string[];
}

export function sameRRSet(type: string, a: CollectionRRSet, b: CollectionRRSet): boolean {
  return (
    a.ttl === b.ttl &&
    a.disabled === b.disabled &&
    comparableContents(type, a.records) === comparableContents(type, b.records)
  );
}

/**
 * A new zone (or server id) replaces the collection; everything else is an update. An update
 * touches only the record sets that differ.
 */
export function diffCollection(olds: Raw, news: Raw): CollectionDiff {
  // Wire form (or objects from an older state); equal wire strings need no decoding.
  const o = (olds.rrsets ?? {}) as Raw;
  const n = news.rrsets as Raw | string;
  const replaces = ["zone", "serverId"].filter((k) => olds[k] !== news[k]);
  if (n === UNKNOWN || typeof n !== "object") {
    return { changes: true, replaces, deleteBeforeReplace: false, added: [], changed: [], removed: [] };
  }
  const added = Object.keys(n).filter((k) => !(k in o));
  const removed = Object.keys(o).filter((k) => !(k in n));
  const changed = Object.keys(n).filter(
    (k) =>
      k in o && o[k] !== n[k] && !sameRRSet(splitKey(k).type, decodeRRSet(k, o[k]), decodeRRSet(k, n[k])),
  );
  const bookkeeping = ["apiUrl", "apiKeyConfig", "owner", "adopt", "formerOwnerPrefix"].some(
    (k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
  );
  return {
    changes: replaces.length + added.length + removed.length + changed.length > 0 || bookkeeping,
    replaces,
    // The same names at the new zone/server cannot be written before the old ones are released.
    deleteBeforeReplace: replaces.length > 0,
    added,
    changed,
    removed,
  };
}

/** What the server holds of one record set, as far as ownership is concerned. */
export type ServerView = Map<string, { owner?: OwnerId; rrset: PdnsRRSet }>;

export interface WritePlan {
  changes: PdnsRRSetChange[];
  /** One line per record set refused, naming its owner and the fix. */
  refusals: string[];
  /** Record sets left in place because someone else holds them now. */
  warnings: string[];
}

function replaceChange(key: string, r: CollectionRRSet, owner: OwnerId): PdnsRRSetChange {
  const { name, type } = splitKey(key);
  return {
    name,
    type,
    ttl: r.ttl,
    changetype: "REPLACE",
    records: r.records.map((content) => ({ content, disabled: r.disabled })),
    comments: [{ content: encodeOwner(owner), account: "sovereign" }],
  };
}

/**
 * The PATCH that takes the zone from `olds` (undefined for a create) to `news`, given what the
 * server holds, following the shared ownership decisions per record set:
 *   - a record set new to the collection: decideClaim (create, continue our own, adopt, refuse);
 *   - one the collection had: decideWrite (write unless another owner took it over, or `adopt`);
 *   - one dropped from the collection: decideDelete (delete only while it carries our marker).
 * Any refusal refuses the whole write (nothing is sent), so a PATCH never half-applies a plan.
 */
export function planCollectionWrite(
  olds: CollectionInputs | undefined,
  news: CollectionInputs,
  server: ServerView,
): WritePlan {
  const plan: WritePlan = { changes: [], refusals: [], warnings: [] };
  const own = ownIds(news.owner, olds?.owner);
  const found = (key: string): Found => {
    const s = server.get(key);
    return s ? { exists: true, owner: s.owner } : { exists: false };
  };
  for (const [key, r] of Object.entries(news.rrsets)) {
    const previous = olds?.rrsets[key];
    const s = server.get(key);
    if (previous === undefined) {
      const f = found(key);
      const former =
        news.formerOwnerPrefix === undefined
          ? undefined
          : formerRecordSetOwner(news.formerOwnerPrefix, news.zone, key);
      // Ours already (an interrupted create, a rename, or DnsZone's former per-record-set
      // resource of this stack): the claim is a continuation.
      const d =
        f.exists && f.owner !== undefined && (own.includes(f.owner) || f.owner === former)
          ? { action: "continue" as const }
          : decideClaim(f, news.owner, news.adopt);
      if (d.action === "refuse") {
        plan.refusals.push(`${key}: ${d.reason}`);
        continue;
      }
    } else {
      const d = decideWrite(found(key), own);
      if (d.action === "refuse" && !news.adopt) {
        plan.refusals.push(`${key}: ${d.reason}`);
        continue;
      }
    }
    const unchanged =
      s !== undefined && s.owner === news.owner && sameRRSet(splitKey(key).type, serverRRSet(s.rrset), r);
    if (!unchanged) plan.changes.push(replaceChange(key, r, news.owner));
  }
  for (const key of Object.keys(olds?.rrsets ?? {})) {
    if (key in news.rrsets) continue;
    const d = decideDelete(found(key), own);
    if (d.action === "leave") plan.warnings.push(`${key}: ${d.warning}`);
    if (d.action !== "delete" || splitKey(key).type === "SOA") continue;
    const { name, type } = splitKey(key);
    plan.changes.push({ name, type, changetype: "DELETE" });
  }
  return plan;
}

/** A served record set in the collection's shape. */
export function serverRRSet(r: PdnsRRSet): CollectionRRSet {
  return {
    ttl: r.ttl,
    records: r.records.map((x) => canonicalFromServer(r.type, x.content, r.name)).sort(),
    disabled: r.records.length > 0 && r.records.every((x) => x.disabled === true),
  };
}

/** The plan of a delete: remove what still carries our marker, leave (and name) the rest. */
export function planCollectionDelete(olds: CollectionInputs, server: ServerView): WritePlan {
  return planCollectionWrite(olds, { ...olds, rrsets: {} }, server);
}
