/**
 * The record-set provider's implementation. Loaded by the serialized provider object at call time
 * (see resources.ts), so every resource of a zone shares the queues and reads of batch.ts.
 */
import type * as pulumi from "@pulumi/pulumi";
import { readRRSet, submitRRSetChange, zoneOperation } from "./batch";
import { PdnsComment, PdnsRRSet, PdnsRRSetChange, PowerDnsApiError } from "./client";
import { canonicalFromServer } from "./records";
import { checkRecordSetInputs, diffRecordSet, RecordSetInputs, recordSetNeedsWrite } from "./validate";

/** Marks the rrsets we write, so a retried create after an interrupted run recognises its own work. */
export const MANAGED_COMMENT: PdnsComment = {
  content: "managed by sovereign (Pulumi)",
  account: "sovereign",
};

export const recordSetId = (i: Pick<RecordSetInputs, "zone" | "name" | "type">): string =>
  `${i.zone}|${i.name}|${i.type}`;

function replaceChange(i: RecordSetInputs): PdnsRRSetChange {
  return {
    name: i.name,
    type: i.type,
    ttl: i.ttl,
    changetype: "REPLACE",
    records: i.records.map((content) => ({ content, disabled: i.disabled })),
    comments: [MANAGED_COMMENT],
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

const isManaged = (r: PdnsRRSet): boolean =>
  (r.comments ?? []).some(
    (c) => c.account === MANAGED_COMMENT.account && c.content === MANAGED_COMMENT.content,
  );

function context(action: string, i: RecordSetInputs, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  const err = new Error(`${action} record set ${i.name} ${i.type} in zone ${i.zone}: ${msg}`);
  if (e instanceof PowerDnsApiError) Object.assign(err, { status: e.status });
  return err;
}

type Props = Record<string, unknown>;

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkRecordSetInputs(news);
  return { inputs, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  return diffRecordSet(olds, news);
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = props as unknown as RecordSetInputs;
  await zoneOperation(i, i.zone, () => createIn(i));
  return { id: recordSetId(i), outs: { ...i } };
}

async function createIn(i: RecordSetInputs): Promise<void> {
  try {
    const { zoneExists, rrset } = await readRRSet(i, i.zone, i.name, i.type);
    if (!zoneExists) {
      throw new Error(
        `zone ${i.zone} does not exist on ${i.apiUrl} (server "${i.serverId}"); create it first (DnsZone / PowerDnsZone) or fix "zone"`,
      );
    }
    if (rrset && !i.adopt) {
      const now = observed(rrset);
      const sameAsWanted =
        now.ttl === i.ttl &&
        now.disabled === i.disabled &&
        JSON.stringify(now.records) === JSON.stringify(i.records);
      // Our own marker with exactly these records: an earlier run wrote it and was interrupted.
      if (!(isManaged(rrset) && sameAsWanted)) {
        throw new Error(
          `it already exists (ttl ${now.ttl}, records ${JSON.stringify(now.records)}). Set "adopt: true" to take it over (its records will be replaced by yours), or remove it from the zone first`,
        );
      }
    }
    await submitRRSetChange(i, i.zone, replaceChange(i));
  } catch (e) {
    throw context("creating", i, e);
  }
}

export async function update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const i = news as unknown as RecordSetInputs;
  if (recordSetNeedsWrite(olds, news)) {
    try {
      await zoneOperation(i, i.zone, () => submitRRSetChange(i, i.zone, replaceChange(i)));
    } catch (e) {
      throw context("updating", i, e);
    }
  }
  return { outs: { ...i } };
}

export async function remove(_id: string, props: Props): Promise<void> {
  const i = props as unknown as RecordSetInputs;
  try {
    await zoneOperation(i, i.zone, () =>
      submitRRSetChange(i, i.zone, { name: i.name, type: i.type, changetype: "DELETE" }),
    );
  } catch (e) {
    // The zone is already gone (deleted with all its rrsets): nothing left to delete.
    if (e instanceof PowerDnsApiError && (e.status === 404 || /could not find domain/i.test(e.serverText)))
      return;
    throw context("deleting", i, e);
  }
}
export { remove as delete };

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const i = props as unknown as RecordSetInputs;
  let found;
  try {
    found = await readRRSet(i, i.zone, i.name, i.type);
  } catch (e) {
    throw context("reading", i, e);
  }
  // Gone behind our back: an empty id tells the engine, and the next `up` creates it again.
  if (!found.zoneExists || !found.rrset) return { id: "", props: {} };
  return { id, props: { ...props, ...observed(found.rrset) } };
}
