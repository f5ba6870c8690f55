/**
 * The zone provider's implementation, loaded in the provider process by package specifier (see
 * resources.ts and ../shared/moduleLocation.ts).
 *
 * Ownership: the zone's owner is kept in the zone metadata kind X-SOVEREIGN-OWNER, and also in the
 * comment of the apex NS record set the creating POST carries, so a zone whose POST reply was lost
 * (metadata never written) is still recognised as our own on the next `up`.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  decideClaim,
  decideDelete,
  decideWrite,
  describeOwner,
  encodeOwner,
  Found,
  ownedByStack,
  ownerAmong,
  ownIds,
} from "../shared/ownership";
import { apiBase, endpointFrom, PdnsCryptokey, PdnsRRSet, PdnsZone, PowerDnsClient } from "./client";
import { canonicalFromServer } from "./records";
import { checkZoneInputs, diffZone, ZONE_DEFAULTS, ZoneInputs, ZoneSettings } from "./validate";

export { configure } from "../shared/credentials";

/** The zone metadata kind that holds the owner marker (PowerDNS keeps X- kinds for applications). */
export const OWNER_METADATA = "X-SOVEREIGN-OWNER";

/** The public part of a DNSSEC key: what a parent zone needs (DS) and what resolvers see (DNSKEY). */
export interface DnssecKey {
  id: number;
  keytype: string;
  active: boolean;
  algorithm: string;
  flags: number;
  dnskey: string;
  ds: string[];
}

/** What the state holds besides the inputs. */
type ZoneState = ZoneInputs &
  ZoneSettings & {
    zoneId: string;
    dnssecKeys: DnssecKey[];
    /** Taken over with `adopt` (not created by this stack): deleting it needs `forceDelete`. */
    adopted: boolean;
  };

type Props = Record<string, unknown>;

const client = (i: ZoneInputs): PowerDnsClient => new PowerDnsClient(endpointFrom(i));

/** soaEditApi "OFF" is PowerDNS's empty value. */
const toServerSoaEditApi = (v: string): string => (v === "OFF" ? "" : v);
const fromServerSoaEditApi = (v: string | undefined): string => (v ? v : "OFF");

function publicKeys(keys: PdnsCryptokey[]): DnssecKey[] {
  return keys
    .map((k) => ({
      id: k.id,
      keytype: k.keytype,
      active: k.active,
      algorithm: k.algorithm ?? "",
      flags: k.flags ?? 0,
      dnskey: k.dnskey ?? "",
      ds: k.ds ?? [],
    }))
    .sort((a, b) => a.id - b.id);
}

function context(action: string, name: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return new Error(`${action} zone ${name}: ${msg}`);
}

const apexNs = (zone: PdnsZone, name: string): PdnsRRSet | undefined =>
  zone.rrsets?.find((r) => r.type === "NS" && r.name === name);

const nsChange = (name: string, nameservers: string[], owner: string, ttl = 3600): PdnsRRSet => ({
  name,
  type: "NS",
  ttl,
  records: nameservers.map((content) => ({ content, disabled: false })),
  comments: [{ content: encodeOwner(owner), account: "sovereign" }],
});

/** The zone as the server has it (with its apex NS), and who owns it by its markers. */
async function observe(
  c: PowerDnsClient,
  zoneId: string,
  name: string,
): Promise<{ zone?: PdnsZone } & Found> {
  const zone = await c.getZone(zoneId, { rrsetName: name, rrsetType: "NS" });
  if (!zone) return { exists: false };
  const meta = await c.getMetadata(zone.id, OWNER_METADATA);
  const ns = apexNs(zone, name);
  const owner = ownerAmong([...(meta ?? []), ...(ns?.comments ?? []).map((x) => x.content)]);
  return { zone, exists: true, owner };
}

/** The server's values of the settings a zone resource manages. */
function settingsOf(zone: PdnsZone, name: string): ZoneSettings {
  return {
    kind: zone.kind === "Master" || zone.kind === "Slave" ? zone.kind : "Native",
    account: zone.account ?? "",
    soaEditApi: fromServerSoaEditApi(zone.soa_edit_api),
    dnssec: zone.dnssec ?? false,
    masters: zone.masters ?? [],
    nameservers: (apexNs(zone, name)?.records ?? [])
      .map((r) => canonicalFromServer("NS", r.content, name))
      .sort(),
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Brings the given settings (only those) of an existing zone to the inputs; writes the owner marker. */
async function converge(c: PowerDnsClient, i: ZoneInputs, zone: PdnsZone): Promise<void> {
  const now = settingsOf(zone, i.name);
  const put: Record<string, unknown> = {};
  if (i.kind !== undefined && i.kind !== now.kind) put.kind = i.kind;
  if (i.account !== undefined && i.account !== now.account) put.account = i.account;
  if (i.soaEditApi !== undefined && i.soaEditApi !== now.soaEditApi)
    put.soa_edit_api = toServerSoaEditApi(i.soaEditApi);
  if (i.dnssec !== undefined && i.dnssec !== now.dnssec) put.dnssec = i.dnssec;
  if (i.masters !== undefined && !same([...i.masters].sort(), [...now.masters].sort()))
    put.masters = i.masters;
  if (Object.keys(put).length > 0) {
    await c.updateZoneSettings(zone.id, put);
    await c.flushCache(i.name);
  }
  const kind = i.kind ?? now.kind;
  if (kind !== "Slave" && i.nameservers !== undefined && !same(i.nameservers, now.nameservers)) {
    const ttl = apexNs(zone, i.name)?.ttl ?? 3600;
    await c.patchRRSets(zone.id, [
      { ...nsChange(i.name, i.nameservers, i.owner, ttl), changetype: "REPLACE" },
    ]);
  }
  await c.setMetadata(zone.id, OWNER_METADATA, [encodeOwner(i.owner)]);
}

/** What the state records after a create/update/read: inputs, the server's settings, the keys. */
async function outputs(
  c: PowerDnsClient,
  i: ZoneInputs,
  zoneId: string,
  adopted: boolean,
): Promise<ZoneState> {
  const zone = await c.getZone(zoneId, { rrsetName: i.name, rrsetType: "NS" });
  if (!zone) throw new Error(`it disappeared from ${i.apiUrl} while it was being written`);
  const settings = settingsOf(zone, i.name);
  const dnssecKeys = settings.dnssec ? publicKeys(await c.listCryptokeys(zoneId)) : [];
  return { ...i, ...settings, zoneId, dnssecKeys, adopted };
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkZoneInputs(news);
  return { inputs, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  return diffZone(olds, news);
}

/** Creates the zone, or continues our own interrupted create, or adopts; refuses anyone else's. */
async function claim(c: PowerDnsClient, i: ZoneInputs): Promise<{ zoneId: string; adopted: boolean }> {
  const found = await observe(c, i.name, i.name);
  const decision = decideClaim(found, i.owner, i.adopt);
  if (decision.action === "refuse") throw new Error(`${decision.reason} (server ${i.apiUrl})`);
  if (decision.action === "create") {
    const kind = i.kind ?? ZONE_DEFAULTS.kind;
    const created = await c.createZone({
      name: i.name,
      kind,
      ...(kind === "Slave"
        ? { masters: i.masters ?? [] }
        : { rrsets: [nsChange(i.name, i.nameservers ?? [], i.owner)] }),
      soa_edit_api: toServerSoaEditApi(i.soaEditApi ?? ZONE_DEFAULTS.soaEditApi),
      account: i.account ?? ZONE_DEFAULTS.account,
      dnssec: i.dnssec ?? ZONE_DEFAULTS.dnssec,
    });
    await c.setMetadata(created.id, OWNER_METADATA, [encodeOwner(i.owner)]);
    return { zoneId: created.id, adopted: false };
  }
  // continue: a new zone gets the defaults of what is not given; adopt: keep the server's values.
  const wanted: ZoneInputs = decision.action === "continue" ? { ...ZONE_DEFAULTS, ...stripUndefined(i) } : i;
  await converge(c, wanted, found.zone!);
  return { zoneId: found.zone!.id, adopted: decision.action === "adopt" };
}

const stripUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = props as unknown as ZoneInputs;
  try {
    const c = client(i);
    const { zoneId, adopted } = await claim(c, i);
    return { id: zoneId, outs: await outputs(c, i, zoneId, adopted) };
  } catch (e) {
    throw context("creating", i.name, e);
  }
}

const sameServer = (a: ZoneInputs, b: ZoneInputs): boolean =>
  apiBase(a.apiUrl) === apiBase(b.apiUrl) && a.serverId === b.serverId;

export async function update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const i = news as unknown as ZoneInputs;
  const old = olds as unknown as ZoneState;
  try {
    const c = client(i);
    const found = await observe(c, id, i.name);
    if (!found.exists) {
      if (sameServer(old, i))
        throw new Error(
          `it no longer exists on ${i.apiUrl}; run "pulumi refresh" and then "pulumi up" to recreate it`,
        );
      // Another spelling of the endpoint that does not hold the zone: another server. Create it
      // there; the copy on the old server stays (it may be unreachable now) and is not deleted.
      const { zoneId, adopted } = await claim(c, i);
      console.warn(
        `warning: zone ${i.name}: created on ${i.apiUrl}; the copy on ${old.apiUrl} (server "${old.serverId}") was left in place`,
      );
      return { outs: await outputs(c, i, zoneId, adopted) };
    }
    const decision = decideWrite(found, ownIds(i.owner, old.owner));
    if (decision.action === "refuse") throw new Error(decision.reason);
    await converge(c, i, found.zone!);
    return { outs: await outputs(c, i, id, old.adopted ?? false) };
  } catch (e) {
    throw context("updating", i.name, e);
  }
}

/** Record sets in the zone that this stack does not own (beyond its SOA and apex NS). */
function foreignRecordSets(zone: PdnsZone, state: ZoneState): string[] {
  return (zone.rrsets ?? [])
    .filter((r) => !(r.name === state.name && (r.type === "SOA" || r.type === "NS")))
    .filter((r) => !ownedByStack(ownerAmong((r.comments ?? []).map((x) => x.content)), state.owner))
    .map(
      (r) => `${r.name} ${r.type} (${describeOwner(ownerAmong((r.comments ?? []).map((x) => x.content)))})`,
    );
}

export async function remove(id: string, props: Props): Promise<void> {
  const s = props as unknown as ZoneState;
  try {
    const c = client(s);
    const found = await observe(c, id, s.name);
    const decision = decideDelete(found, ownIds(s.owner));
    if (decision.action === "gone") return;
    if (decision.action === "leave") {
      console.warn(`warning: zone ${s.name} on ${s.apiUrl}: ${decision.warning}`);
      return;
    }
    if (s.forceDelete) return await c.deleteZone(id);
    const howTo =
      `set "forceDelete: true" on the zone and run "pulumi up" before deleting it, ` +
      `or keep the zone and drop it from this stack only: pulumi state delete <urn of the zone>`;
    if (s.adopted) throw new Error(`refused: this stack adopted the zone, it did not create it; ${howTo}`);
    const zone = await c.getZone(id);
    const foreign = zone ? foreignRecordSets(zone, s) : [];
    if (foreign.length > 0) {
      const shown =
        foreign.slice(0, 5).join(", ") + (foreign.length > 5 ? `, and ${foreign.length - 5} more` : "");
      throw new Error(`refused: it holds record sets this stack does not own: ${shown}; ${howTo}`);
    }
    await c.deleteZone(id);
  } catch (e) {
    throw context("deleting", s.name, e);
  }
}
export { remove as delete };

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const s = props as unknown as ZoneState;
  try {
    const c = client(s);
    const zone = await c.getZone(id, { rrsetName: s.name, rrsetType: "NS" });
    if (!zone) return { id: "", props: {} };
    return { id, props: { ...(await outputs(c, s, id, s.adopted ?? false)) } };
  } catch (e) {
    throw context("reading", s.name, e);
  }
}
