/**
 * Coalescing of PowerDNS writes and reads within one provider process.
 *
 * The engine calls create/update/delete of many record sets of one zone concurrently in the same
 * dynamic-provider process. Their rrset changes are queued per zone for a few milliseconds (and
 * while the previous PATCH of that zone is in flight), then sent as one PATCH with many rrsets;
 * each caller is resolved with the outcome of its own change. Zone reads are shared the same way:
 * one GET of the zone serves every record set asking within a short window.
 *
 * This state lives at module scope on purpose: each resource serializes its own copy of the provider
 * object, and those copies `require` this module when called, so all of them meet here.
 */
import { createHash } from "crypto";
import { planPatches, rrsetKey, ZoneBatchQueue } from "./batchQueue";
import { canonicalFromServer } from "./records";
import { apiBase, PdnsRRSetChange, PdnsZone, PowerDnsClient, PowerDnsEndpoint } from "./client";

export interface BatchSettings {
  /** Off = one PATCH per rrset and one GET per read (the naive baseline, for the bench). */
  enabled: boolean;
  /** A zone's queue is sent once no change arrived for this long... */
  idleMs: number;
  /** ...or once its oldest change waited this long. */
  maxWaitMs: number;
  /** Most rrsets in one PATCH. */
  maxRrsetsPerPatch: number;
  /** Most bytes of serialized changes in one PATCH (PowerDNS's body limit is 2 MB by default). */
  maxPatchBytes: number;
  /** How long a shared zone read may be reused (our own writes are applied to it). */
  zoneReadMaxAgeMs: number;
}

export const batchSettings: BatchSettings = {
  // SOVEREIGN_PDNS_BATCH=off turns it off in provider processes (the bench's baseline).
  enabled: process.env.SOVEREIGN_PDNS_BATCH !== "off",
  idleMs: 40,
  maxWaitMs: 400,
  maxRrsetsPerPatch: 1000,
  maxPatchBytes: 1_000_000,
  zoneReadMaxAgeMs: 2000,
};

export { planPatches, rrsetKey };

// ---------------------------------------------------------------- pure planning

/** Applies successful changes to a zone snapshot, so the snapshot stays usable after our own writes. */
export function applyChanges(zone: PdnsZone, changes: readonly PdnsRRSetChange[]): PdnsZone {
  const byKey = new Map((zone.rrsets ?? []).map((r) => [rrsetKey(r), r]));
  for (const c of changes) {
    byKey.delete(rrsetKey(c));
    if (c.changetype === "REPLACE" && c.records.length > 0) {
      const { changetype: _changetype, ...rrset } = c;
      byKey.set(rrsetKey(c), rrset);
    }
  }
  return { ...zone, rrsets: [...byKey.values()] };
}

// ---------------------------------------------------------------- shared state

function queueKey(endpoint: PowerDnsEndpoint, zone: string): string {
  // Distinct credentials get distinct queues; the key itself never leaves this digest.
  const keyDigest = createHash("sha256").update(endpoint.apiKey).digest("hex").slice(0, 16);
  return [apiBase(endpoint.apiUrl), endpoint.serverId, zone, keyDigest].join("|");
}

interface ZoneRead {
  generation: number;
  fetchedAt?: number;
  zone?: PdnsZone;
  inflight?: Promise<PdnsZone | undefined>;
}

const queues = new Map<string, ZoneBatchQueue>();
const reads = new Map<string, ZoneRead>();

/** Counters of what the queues did (for tests and the bench). */
export const batchStats = { patches: 0, rrsetsPatched: 0, sharedReadHits: 0, zoneReads: 0 };

export function resetBatchState(): void {
  reads.clear();
  Object.assign(batchStats, { patches: 0, rrsetsPatched: 0, sharedReadHits: 0, zoneReads: 0 });
}

function readEntry(key: string): ZoneRead {
  let e = reads.get(key);
  if (!e) reads.set(key, (e = { generation: 0 }));
  return e;
}

/**
 * The zone with all its rrsets, shared between callers: a read in flight is joined, a recent one
 * reused. Undefined when the zone does not exist.
 */
export async function readZoneShared(
  endpoint: PowerDnsEndpoint,
  zone: string,
): Promise<PdnsZone | undefined> {
  const client = new PowerDnsClient(endpoint);
  const entry = readEntry(queueKey(endpoint, zone));
  if (entry.inflight) {
    batchStats.sharedReadHits++;
    return entry.inflight;
  }
  if (
    entry.zone &&
    entry.fetchedAt !== undefined &&
    Date.now() - entry.fetchedAt < batchSettings.zoneReadMaxAgeMs
  ) {
    batchStats.sharedReadHits++;
    return entry.zone;
  }
  const generation = entry.generation;
  batchStats.zoneReads++;
  const inflight = client.getZone(zone).then(
    (z) => {
      entry.inflight = undefined;
      if (entry.generation === generation && z) {
        entry.zone = z;
        entry.fetchedAt = Date.now();
      }
      return z;
    },
    (e: unknown) => {
      entry.inflight = undefined;
      throw e;
    },
  );
  entry.inflight = inflight;
  return inflight;
}

/** One rrset of a zone: from the shared zone read, or (batching off) a GET of just that rrset. */
export async function readRRSet(
  endpoint: PowerDnsEndpoint,
  zone: string,
  name: string,
  type: string,
): Promise<{ zoneExists: boolean; rrset?: NonNullable<PdnsZone["rrsets"]>[number] }> {
  const z = batchSettings.enabled
    ? await readZoneShared(endpoint, zone)
    : await new PowerDnsClient(endpoint).getZone(zone, { rrsetName: name, rrsetType: type });
  if (!z) return { zoneExists: false };
  return { zoneExists: true, rrset: z.rrsets?.find((r) => r.name === name && r.type === type) };
}

function afterWrite(key: string, changes: PdnsRRSetChange[], succeeded: boolean): void {
  const entry = readEntry(key);
  entry.generation++;
  if (succeeded && entry.zone) entry.zone = applyChanges(entry.zone, changes);
  else {
    entry.zone = undefined;
    entry.fetchedAt = undefined;
  }
}

/**
 * Queues one rrset change of a zone; resolves when the PATCH that carried it succeeded, rejects with
 * the server's error for this change (a failed batch is split until the failing change is isolated,
 * so one bad rrset does not fail its neighbours).
 */
export function submitRRSetChange(
  endpoint: PowerDnsEndpoint,
  zone: string,
  change: PdnsRRSetChange,
): Promise<void> {
  const key = queueKey(endpoint, zone);
  if (!batchSettings.enabled) {
    const client = new PowerDnsClient(endpoint);
    batchStats.patches++;
    batchStats.rrsetsPatched++;
    return client.patchRRSets(zone, [change]).then(
      () => afterWrite(key, [change], true),
      (e: unknown) => {
        afterWrite(key, [change], false);
        throw e;
      },
    );
  }
  return queueFor(endpoint, zone).submit(change);
}

/**
 * Queues all changes of one operation's plan at once (see ZoneBatchQueue.submitAll); one promise per
 * change, in order.
 */
export function submitRRSetChanges(
  endpoint: PowerDnsEndpoint,
  zone: string,
  changes: readonly PdnsRRSetChange[],
): Promise<void>[] {
  if (!batchSettings.enabled) return changes.map((c) => submitRRSetChange(endpoint, zone, c));
  return queueFor(endpoint, zone).submitAll(changes);
}

/** Whether each change is what the server shows now (after a PATCH that got no answer). */
async function landedOn(
  client: PowerDnsClient,
  zone: string,
  changes: PdnsRRSetChange[],
): Promise<boolean[]> {
  const z = await client.getZone(zone);
  const contents = (r: { type: string; name: string; records: { content: string }[] }): string =>
    JSON.stringify(r.records.map((x) => canonicalFromServer(r.type, x.content, r.name)).sort());
  return changes.map((c) => {
    const now = z?.rrsets?.find((r) => rrsetKey(r) === rrsetKey(c));
    if (c.changetype === "DELETE") return now === undefined;
    return now !== undefined && contents(now) === contents(c) && now.ttl === c.ttl;
  });
}

/**
 * The engine hands us the creates of a zone one by one as the program registers them (a few ms
 * apart), so the queue waits until they stop coming (idle) but never longer than maxWaitMs.
 */
function queueFor(endpoint: PowerDnsEndpoint, zone: string): ZoneBatchQueue {
  const key = queueKey(endpoint, zone);
  let q = queues.get(key);
  if (!q) {
    const client = new PowerDnsClient(endpoint);
    q = new ZoneBatchQueue(
      {
        patch: async (changes) => {
          batchStats.patches++;
          batchStats.rrsetsPatched += changes.length;
          await client.patchRRSets(zone, changes);
        },
        landed: (changes) => landedOn(client, zone, changes),
        afterWrite: (changes, succeeded) => afterWrite(key, changes, succeeded),
      },
      batchSettings,
    );
    queues.set(key, q);
  }
  return q;
}

/**
 * Runs one provider operation on a zone, counted, so the queue can tell when every operation in
 * progress is waiting on it.
 */
export function zoneOperation<T>(endpoint: PowerDnsEndpoint, zone: string, op: () => Promise<T>): Promise<T> {
  return queueFor(endpoint, zone).operation(op);
}
