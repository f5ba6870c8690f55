/**
 * The record-set provider's implementation, loaded in the provider process by package specifier
 * (see resources.ts), so every resource of a zone shares the queues and reads of batch.ts.
 *
 * Ownership: the owner marker is the rrset's comment (PowerDNS keeps comments per rrset). What the
 * server holds right after our write is kept as `served`, so contents of every type compare in the
 * server's own canonical form: a second preview is empty, and `refresh` reports only real drift.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ApiError } from "../shared/http";
import {
  decideClaim,
  decideDelete,
  decideWrite,
  encodeOwner,
  Found,
  ownerAmong,
  ownIds,
} from "../shared/ownership";
import { readRRSet, submitRRSetChange, zoneOperation } from "./batch";
import {
  apiBase,
  endpointFrom,
  PdnsRRSet,
  PdnsRRSetChange,
  PowerDnsClient,
  PowerDnsEndpoint,
} from "./client";
import { canonicalFromServer, comparableContents, isPreciseRecordType } from "./records";
import { checkRecordSetInputs, diffRecordSet, RecordSetInputs, recordSetNeedsWrite } from "./validate";

export { configure } from "../shared/credentials";

/** The state of a record set: its inputs and what the server held after our last write. */
type RecordSetState = RecordSetInputs & { served?: string[] };

export const recordSetId = (i: Pick<RecordSetInputs, "zone" | "name" | "type">): string =>
  `${i.zone}|${i.name}|${i.type}`;

function replaceChange(i: RecordSetInputs): PdnsRRSetChange {
  return {
    name: i.name,
    type: i.type,
    ttl: i.ttl,
    changetype: "REPLACE",
    records: i.records.map((content) => ({ content, disabled: i.disabled })),
    comments: [{ content: encodeOwner(i.owner), account: "sovereign" }],
  };
}

/** What the server holds, in the same normalised shape as the inputs. */
export function observed(rrset: PdnsRRSet): { ttl: number; records: string[]; disabled: boolean } {
  return {
    ttl: rrset.ttl,
    records: rrset.records.map((r) => canonicalFromServer(rrset.type, r.content, rrset.name)).sort(),
    disabled: rrset.records.length > 0 && rrset.records.every((r) => r.disabled === true),
  };
}

const ownerOf = (r: PdnsRRSet): string | undefined => ownerAmong((r.comments ?? []).map((c) => c.content));

function context(action: string, i: RecordSetInputs, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  // A 422 from the server is about the contents (or the type) we sent: name the fields.
  const fields =
    e instanceof ApiError && e.status === 422
      ? ` (the server refused "records" or "type"; fix them and run again)`
      : "";
  const err = new Error(`${action} record set ${i.name} ${i.type} in zone ${i.zone}: ${msg}${fields}`);
  if (e instanceof ApiError) Object.assign(err, { status: e.status });
  return err;
}

type Props = Record<string, unknown>;

/**
 * Claims of this provider process: two resources of one program that name the same record set are
 * refused at the second create, naming both (the server check alone would race: both read "absent").
 */
const claims = new Map<string, string>();
const claimKey = (i: RecordSetInputs): string => [i.serverId, i.zone, i.name, i.type].join("|");

function claimInProcess(i: RecordSetInputs): void {
  const holder = claims.get(claimKey(i));
  if (holder !== undefined && holder !== i.owner) {
    throw new Error(
      `it is declared twice in this program: by "${holder}" and by "${i.owner}"; declare each name and type once (list all its records there)`,
    );
  }
  claims.set(claimKey(i), i.owner);
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkRecordSetInputs(news);
  return { inputs, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  return diffRecordSet(olds, news);
}

async function find(ep: PowerDnsEndpoint, i: RecordSetInputs): Promise<Found & { rrset?: PdnsRRSet }> {
  const { zoneExists, rrset } = await readRRSet(ep, i.zone, i.name, i.type);
  if (!zoneExists) {
    throw new Error(
      `zone ${i.zone} does not exist on ${i.apiUrl} (server "${i.serverId}"); create it first (DnsZone / PowerDnsZone) or fix "zone"`,
    );
  }
  return rrset ? { exists: true, owner: ownerOf(rrset), rrset } : { exists: false };
}

/**
 * What the server holds after our write, in its canonical form. Contents of the types validated
 * here are already canonical; for the others (HINFO, LOC, NAPTR, HTTPS...) the server is asked.
 */
async function servedAfterWrite(ep: PowerDnsEndpoint, i: RecordSetInputs): Promise<string[]> {
  if (isPreciseRecordType(i.type)) return [...i.records].sort();
  const zone = await new PowerDnsClient(ep).getZone(i.zone, { rrsetName: i.name, rrsetType: i.type });
  const rrset = zone?.rrsets?.find((r) => r.name === i.name && r.type === i.type);
  return rrset ? observed(rrset).records : [...i.records].sort();
}

/** Writes our record set where `decideClaim` allows it. */
async function claimAndWrite(ep: PowerDnsEndpoint, i: RecordSetInputs): Promise<void> {
  const decision = decideClaim(await find(ep, i), i.owner, i.adopt);
  if (decision.action === "refuse") throw new Error(decision.reason);
  await submitRRSetChange(ep, i.zone, replaceChange(i));
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = props as unknown as RecordSetInputs;
  try {
    claimInProcess(i);
    const ep = endpointFrom(i);
    await zoneOperation(ep, i.zone, () => claimAndWrite(ep, i));
    return { id: recordSetId(i), outs: { ...i, served: await servedAfterWrite(ep, i) } };
  } catch (e) {
    throw context("creating", i, e);
  }
}

export async function update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const i = news as unknown as RecordSetInputs;
  const old = olds as unknown as RecordSetState;
  const moved = apiBase(old.apiUrl) !== apiBase(i.apiUrl) || old.serverId !== i.serverId;
  if (!moved && !recordSetNeedsWrite(olds, news)) return { outs: { ...i, served: old.served } };
  try {
    claimInProcess(i);
    const ep = endpointFrom(i);
    await zoneOperation(ep, i.zone, async () => {
      const found = await find(ep, i);
      // Another spelling of the same server finds our record set; another server does not have it:
      // then it is created there, and the copy on the old server is left in place.
      if (moved && !found.exists)
        console.warn(
          `warning: record set ${i.name} ${i.type}: created on ${i.apiUrl}; the copy on ${old.apiUrl} was left in place`,
        );
      const decision = decideWrite(found, ownIds(i.owner, old.owner));
      // The refusal tells the user to set "adopt: true" to take it back: that takes it back.
      if (decision.action === "refuse" && !i.adopt) throw new Error(decision.reason);
      await submitRRSetChange(ep, i.zone, replaceChange(i));
    });
    return { outs: { ...i, served: await servedAfterWrite(ep, i) } };
  } catch (e) {
    throw context("updating", i, e);
  }
}

export async function remove(_id: string, props: Props): Promise<void> {
  const s = props as unknown as RecordSetState;
  try {
    const ep = endpointFrom(s);
    await zoneOperation(ep, s.zone, async () => {
      const { zoneExists, rrset } = await readRRSet(ep, s.zone, s.name, s.type);
      // The zone is already gone (deleted with all its rrsets): nothing left to delete.
      if (!zoneExists) return;
      const found: Found = rrset ? { exists: true, owner: ownerOf(rrset) } : { exists: false };
      const decision = decideDelete(found, ownIds(s.owner));
      if (decision.action === "leave") {
        console.warn(`warning: record set ${s.name} ${s.type} in zone ${s.zone}: ${decision.warning}`);
        return;
      }
      // The SOA goes with the zone; a zone cannot lose it.
      if (decision.action === "gone" || s.type === "SOA") return;
      await submitRRSetChange(ep, s.zone, { name: s.name, type: s.type, changetype: "DELETE" });
    });
    claims.delete(claimKey(s));
  } catch (e) {
    throw context("deleting", s, e);
  }
}
export { remove as delete };

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const s = props as unknown as RecordSetState;
  let found;
  try {
    found = await readRRSet(endpointFrom(s), s.zone, s.name, s.type);
  } catch (e) {
    throw context("reading", s, e);
  }
  // Gone behind our back: an empty id tells the engine, and the next `up` creates it again.
  if (!found.zoneExists || !found.rrset) return { id: "", props: {} };
  const now = observed(found.rrset);
  // Unchanged since our write: keep the contents as the program gives them (no diff on preview).
  const unchanged =
    s.served !== undefined &&
    comparableContents(s.type, now.records) === comparableContents(s.type, s.served);
  return {
    id,
    props: {
      ...props,
      ttl: now.ttl,
      disabled: now.disabled,
      ...(unchanged ? {} : { records: now.records, served: now.records }),
    },
  };
}
