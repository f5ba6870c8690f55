/**
 * The zone provider's implementation, loaded by the serialized provider object at call time.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PdnsCryptokey, PdnsZone, PowerDnsApiError, PowerDnsClient } from "./client";
import { canonicalFromServer } from "./records";
import { checkZoneInputs, diffZone, ZoneInputs } from "./validate";

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

type Props = Record<string, unknown>;

const client = (i: ZoneInputs): PowerDnsClient => new PowerDnsClient(i);

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

async function dnssecKeys(i: ZoneInputs, zoneId: string, dnssec: boolean): Promise<DnssecKey[]> {
  return dnssec ? publicKeys(await client(i).listCryptokeys(zoneId)) : [];
}

function context(action: string, name: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return new Error(`${action} zone ${name}: ${msg}`);
}

/** Brings an existing zone's settings and apex NS to the inputs. */
async function converge(i: ZoneInputs, zone: PdnsZone, olds?: ZoneInputs): Promise<void> {
  const c = client(i);
  const settings = {
    kind: i.kind,
    account: i.account,
    soa_edit_api: toServerSoaEditApi(i.soaEditApi),
    dnssec: i.dnssec,
    ...(i.kind === "Slave" ? { masters: i.masters } : {}),
  };
  const current = olds ?? {
    kind: zone.kind,
    account: zone.account ?? "",
    soaEditApi: fromServerSoaEditApi(zone.soa_edit_api),
    dnssec: zone.dnssec ?? false,
    masters: zone.masters ?? [],
  };
  if (
    current.kind !== i.kind ||
    current.account !== i.account ||
    current.soaEditApi !== i.soaEditApi ||
    current.dnssec !== i.dnssec ||
    JSON.stringify(current.masters) !== JSON.stringify(i.masters)
  ) {
    await c.updateZoneSettings(zone.id, settings);
    await c.flushCache(i.name);
  }
  if (i.kind !== "Slave") {
    const nsNow = await currentNameservers(c, zone.id, i.name);
    if (JSON.stringify(nsNow) !== JSON.stringify(i.nameservers)) {
      const ttl =
        (await c.getZone(zone.id, { rrsetName: i.name, rrsetType: "NS" }))?.rrsets?.[0]?.ttl ?? 3600;
      await c.patchRRSets(zone.id, [
        {
          name: i.name,
          type: "NS",
          ttl,
          changetype: "REPLACE",
          records: i.nameservers.map((content) => ({ content, disabled: false })),
        },
      ]);
    }
  }
}

async function currentNameservers(c: PowerDnsClient, zoneId: string, name: string): Promise<string[]> {
  const z = await c.getZone(zoneId, { rrsetName: name, rrsetType: "NS" });
  const rrset = z?.rrsets?.find((r) => r.type === "NS" && r.name === name);
  return (rrset?.records ?? []).map((r) => canonicalFromServer("NS", r.content, name)).sort();
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkZoneInputs(news);
  return { inputs, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  return diffZone(olds, news);
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = props as unknown as ZoneInputs;
  const c = client(i);
  let zoneId: string;
  try {
    const existing = await c.getZone(i.name, { rrsets: false });
    if (existing) {
      if (!i.adopt) {
        throw new Error(
          `it already exists on ${i.apiUrl} (kind ${existing.kind}). Set "adopt: true" to manage it (its records are kept and its settings set to yours), or choose another name`,
        );
      }
      await converge(i, existing);
      zoneId = existing.id;
    } else {
      const created = await c.createZone({
        name: i.name,
        kind: i.kind,
        ...(i.kind === "Slave" ? { masters: i.masters } : { nameservers: i.nameservers }),
        soa_edit_api: toServerSoaEditApi(i.soaEditApi),
        account: i.account,
        dnssec: i.dnssec,
      });
      zoneId = created.id;
    }
    return { id: zoneId, outs: { ...i, zoneId, dnssecKeys: await dnssecKeys(i, zoneId, i.dnssec) } };
  } catch (e) {
    throw context("creating", i.name, e);
  }
}

export async function update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const i = news as unknown as ZoneInputs;
  try {
    const zone = await client(i).getZone(id, { rrsets: false });
    if (!zone)
      throw new Error(
        `it no longer exists on ${i.apiUrl}; run "pulumi refresh" and then "pulumi up" to recreate it`,
      );
    await converge(i, zone, olds as unknown as ZoneInputs);
    return { outs: { ...i, zoneId: id, dnssecKeys: await dnssecKeys(i, id, i.dnssec) } };
  } catch (e) {
    throw context("updating", i.name, e);
  }
}

export async function remove(id: string, props: Props): Promise<void> {
  const i = props as unknown as ZoneInputs;
  try {
    await client(i).deleteZone(id);
  } catch (e) {
    if (e instanceof PowerDnsApiError && e.status === 404) return;
    throw context("deleting", i.name, e);
  }
}
export { remove as delete };

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const i = props as unknown as ZoneInputs;
  const c = client(i);
  try {
    const zone = await c.getZone(id, { rrsets: false });
    if (!zone) return { id: "", props: {} };
    const nameservers = i.kind === "Slave" ? i.nameservers : await currentNameservers(c, id, i.name);
    const dnssec = zone.dnssec ?? false;
    return {
      id,
      props: {
        ...props,
        kind: zone.kind,
        account: zone.account ?? "",
        soaEditApi: fromServerSoaEditApi(zone.soa_edit_api),
        dnssec,
        masters: zone.masters ?? [],
        nameservers,
        dnssecKeys: await dnssecKeys(i, id, dnssec),
      },
    };
  } catch (e) {
    throw context("reading", i.name, e);
  }
}
