/**
 * The record collection provider's implementation (loaded by package specifier, see resources.ts).
 * Each create/update/delete reads the zone once and sends its changes through the zone's shared
 * write queue (batch.ts), so they coalesce with other writes of the zone into one PATCH. The
 * decisions are collection.ts's; this file does only the I/O and the messages.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ownerAmong } from "../shared/ownership";
import { readZoneShared, submitRRSetChanges, zoneOperation } from "./batch";
import { endpointFrom, PdnsZone, PowerDnsEndpoint } from "./client";
import {
  checkCollectionInputs,
  CollectionInputs,
  CollectionRRSet,
  diffCollection,
  fromWire,
  planCollectionDelete,
  planCollectionWrite,
  rrsetKeyOf,
  sameRRSet,
  serverRRSet,
  ServerView,
  splitKey,
  toWire,
  WritePlan,
} from "./collection";

export { configure } from "../shared/credentials";

type Props = Record<string, unknown>;

export const collectionId = (i: Pick<CollectionInputs, "serverId" | "zone" | "owner">): string =>
  `${i.serverId}|${i.zone}|${i.owner}`;

function serverView(zone: PdnsZone): ServerView {
  return new Map(
    (zone.rrsets ?? []).map((r) => [
      rrsetKeyOf(r.name, r.type),
      { owner: ownerAmong((r.comments ?? []).map((c) => c.content)), rrset: r },
    ]),
  );
}

async function zoneView(ep: PowerDnsEndpoint, i: CollectionInputs): Promise<ServerView> {
  const zone = await readZoneShared(ep, i.zone);
  if (!zone) {
    throw new Error(
      `zone ${i.zone} does not exist on ${i.apiUrl} (server "${i.serverId}"); create it first (DnsZone / PowerDnsZone) or fix "zone"`,
    );
  }
  return serverView(zone);
}

/** Sends the plan's changes (coalesced with the zone's other writes); refusals fail before anything is sent. */
async function apply(
  ep: PowerDnsEndpoint,
  i: CollectionInputs,
  action: string,
  plan: WritePlan,
): Promise<void> {
  if (plan.refusals.length) {
    throw new Error(
      `${action} the record collection of zone ${i.zone}: ${plan.refusals.length} record set(s) refused, nothing was changed:\n  ` +
        plan.refusals.join("\n  "),
    );
  }
  for (const w of plan.warnings) console.warn(`warning: record set ${w}`);
  const results = await Promise.allSettled(submitRRSetChanges(ep, i.zone, plan.changes));
  const failed = results
    .map((r, n) =>
      r.status === "rejected"
        ? `${plan.changes[n].name} ${plan.changes[n].type}: ${(r.reason as Error).message}`
        : undefined,
    )
    .filter((x): x is string => x !== undefined);
  if (failed.length) {
    throw new Error(
      `${action} the record collection of zone ${i.zone}: the server refused ${failed.length} record set(s) (fix "rrsets" and run again):\n  ` +
        failed.join("\n  "),
    );
  }
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkCollectionInputs(news);
  // The engine keeps one string per record set (see WireRRSets).
  return { inputs: toWire(inputs), failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const { changes, replaces, deleteBeforeReplace } = diffCollection(olds, news);
  return { changes, replaces, deleteBeforeReplace };
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = fromWire(props);
  const ep = endpointFrom(i);
  await zoneOperation(ep, i.zone, async () =>
    apply(ep, i, "creating", planCollectionWrite(undefined, i, await zoneView(ep, i))),
  );
  // The outputs are the checked inputs, already in wire form.
  return { id: collectionId(i), outs: { ...props } };
}

export async function update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const i = fromWire(news);
  const old = fromWire(olds);
  const ep = endpointFrom(i);
  await zoneOperation(ep, i.zone, async () =>
    apply(ep, i, "updating", planCollectionWrite(old, i, await zoneView(ep, i))),
  );
  return { outs: { ...news } };
}

export async function remove(_id: string, props: Props): Promise<void> {
  const s = fromWire(props);
  const ep = endpointFrom(s);
  await zoneOperation(ep, s.zone, async () => {
    const zone = await readZoneShared(ep, s.zone);
    // The zone is already gone (deleted with all its rrsets): nothing left to delete.
    if (!zone) return;
    await apply(ep, s, "deleting", planCollectionDelete(s, serverView(zone)));
  });
}
export { remove as delete };

/**
 * Refresh: what the server holds of each record set the collection keeps. A record set gone or
 * taken over by another owner drops out (the next `up` claims it again, or refuses naming the
 * owner); a changed one shows the server's values, so the next `up` writes ours back.
 */
export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const s = fromWire(props);
  const zone = await readZoneShared(endpointFrom(s), s.zone);
  if (!zone) return { id: "", props: {} };
  const view = serverView(zone);
  const rrsets: Record<string, CollectionRRSet> = {};
  for (const [key, ours] of Object.entries(s.rrsets ?? {})) {
    const held = view.get(key);
    if (!held || held.owner !== s.owner) continue;
    const now = serverRRSet(held.rrset);
    rrsets[key] = sameRRSet(splitKey(key).type, now, ours) ? ours : now;
  }
  return { id, props: toWire({ ...s, ...props, rrsets } as CollectionInputs) };
}
