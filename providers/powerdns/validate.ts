/**
 * Pure input checking and diffing for the PowerDNS providers: what `check` returns (normalised inputs
 * or failures naming the field and the fix) and what `diff` decides (update or replace).
 */
import { isIP } from "net";
import { configKeyProblem } from "../shared/credentials";
import { ownerProblem } from "../shared/ownership";
import { isInZone, normalizeContent, normalizeDomainName, RecordType, recordTypeProblem } from "./records";

/** The engine's placeholder for a value not known yet (preview): such fields are not validated. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const isUnknown = (v: unknown): boolean => v === UNKNOWN;

export interface CheckFailure {
  property: string;
  reason: string;
}

/** The stack config key that holds the API key unless a resource names another (`apiKeyConfig`). */
export const DEFAULT_API_KEY_CONFIG = "sovereign:powerdnsApiKey";

/** Where the server is, which config key holds its API key, and who owns the object. */
export interface EndpointInputs {
  apiUrl: string;
  serverId: string;
  apiKeyConfig: string;
  /** `<project>/<stack>/<resource>` (see providers/shared/ownership.ts). */
  owner: string;
}

export const ZONE_KINDS = ["Native", "Master", "Slave"] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];
export const SOA_EDIT_API_VALUES = ["DEFAULT", "INCREASE", "EPOCH", "SOA-EDIT", "SOA-EDIT-INCREASE", "OFF"];

/** The zone's settings; undefined = not given (a new zone gets the default, an adopted one keeps the server's). */
export interface ZoneSettingsInputs {
  kind?: ZoneKind;
  nameservers?: string[];
  masters?: string[];
  soaEditApi?: string;
  account?: string;
  dnssec?: boolean;
}

export interface ZoneInputs extends EndpointInputs, ZoneSettingsInputs {
  name: string;
  adopt: boolean;
  /** Delete the zone even if it was adopted or holds record sets this stack does not own. */
  forceDelete: boolean;
}

/** A zone's settings with every value known (what a new zone gets unless given). */
export type ZoneSettings = Required<ZoneSettingsInputs>;

export const ZONE_DEFAULTS: Omit<ZoneSettings, "nameservers"> = {
  kind: "Native",
  masters: [],
  soaEditApi: "DEFAULT",
  account: "",
  dnssec: false,
};

export interface RecordSetInputs extends EndpointInputs {
  zone: string;
  name: string;
  type: RecordType;
  ttl: number;
  records: string[];
  disabled: boolean;
  adopt: boolean;
}

export interface CheckResult<T> {
  inputs: T;
  failures: CheckFailure[];
}

type Raw = Record<string, unknown>;

function checkEndpoint(news: Raw, failures: CheckFailure[]): EndpointInputs {
  const apiUrl = news.apiUrl;
  if (!isUnknown(apiUrl)) {
    let good = false;
    if (typeof apiUrl === "string") {
      try {
        const u = new URL(apiUrl);
        good = (u.protocol === "http:" || u.protocol === "https:") && u.search === "" && u.hash === "";
      } catch {
        good = false;
      }
    }
    if (!good) {
      failures.push({
        property: "apiUrl",
        reason: `apiUrl ${JSON.stringify(apiUrl)} is not an http(s) URL; give the PowerDNS web server's base URL, e.g. "http://127.0.0.1:8081"`,
      });
    }
  }
  if (news.apiKey !== undefined) {
    failures.push({
      property: "apiKey",
      reason: `apiKey is no longer a resource input (it would be copied into every resource's state); put the key in the stack config: pulumi config set --secret ${DEFAULT_API_KEY_CONFIG} <key> (or name another key with apiKeyConfig)`,
    });
  }
  const apiKeyConfig = news.apiKeyConfig ?? DEFAULT_API_KEY_CONFIG;
  const keyProblem = isUnknown(apiKeyConfig) ? undefined : configKeyProblem("apiKeyConfig", apiKeyConfig);
  if (keyProblem) failures.push({ property: "apiKeyConfig", reason: keyProblem });
  const serverId = news.serverId ?? "localhost";
  if (typeof serverId !== "string" || serverId === "") {
    failures.push({
      property: "serverId",
      reason: `serverId must be a non-empty string (usually "localhost")`,
    });
  }
  const ownerIssue = isUnknown(news.owner) ? undefined : ownerProblem(news.owner);
  if (ownerIssue) failures.push({ property: "owner", reason: ownerIssue });
  return {
    apiUrl:
      typeof apiUrl === "string" ? apiUrl.replace(/\/+$/, "").replace(/\/api\/v1$/, "") : String(apiUrl),
    serverId: serverId as string,
    apiKeyConfig: apiKeyConfig as string,
    owner: news.owner as string,
  };
}

function checkBool(news: Raw, field: string, failures: CheckFailure[]): boolean | undefined {
  const v = news[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean" && !isUnknown(v)) {
    failures.push({ property: field, reason: `${field} must be true or false, not ${JSON.stringify(v)}` });
    return undefined;
  }
  return v as boolean;
}

function checkStringList(news: Raw, field: string, failures: CheckFailure[]): unknown[] | undefined {
  const v = news[field];
  if (v === undefined || v === null) return undefined;
  if (isUnknown(v)) return [UNKNOWN];
  if (!Array.isArray(v)) {
    failures.push({ property: field, reason: `${field} must be a list of strings, e.g. ["..."]` });
    return [];
  }
  return v;
}

/** A primary's address for a Slave zone: IPv4 or IPv6, optionally with a port (1-65535). */
export function masterProblem(m: string): string | undefined {
  const withPort = /^(?:\[([^\]]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d+)$/.exec(m);
  const host = withPort ? (withPort[1] ?? withPort[2]) : m;
  if (!isIP(host))
    return `${JSON.stringify(m)} must be an IP address, optionally with a port: "192.0.2.53", "192.0.2.53:5300" or "[2001:db8::53]:5300"`;
  if (withPort) {
    const port = Number(withPort[3]);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      return `${JSON.stringify(m)} has port ${withPort[3]}; a port is a number from 1 to 65535`;
  }
  return undefined;
}

export function checkZoneInputs(news: Raw): CheckResult<ZoneInputs> {
  const failures: CheckFailure[] = [];
  const endpoint = checkEndpoint(news, failures);
  let name = news.name as string;
  if (!isUnknown(name)) {
    const n = typeof name === "string" ? normalizeDomainName(name, { what: "zone name" }) : undefined;
    if (!n?.ok) {
      failures.push({
        property: "name",
        reason: n && !n.ok ? n.reason : `zone name must be a string such as "example.org."`,
      });
    } else name = n.value;
  }
  const adopt = checkBool(news, "adopt", failures) ?? false;
  const kind = (news.kind ?? undefined) as ZoneKind | undefined;
  if (kind !== undefined && !isUnknown(kind) && !ZONE_KINDS.includes(kind)) {
    failures.push({
      property: "kind",
      reason: `kind ${JSON.stringify(kind)} is not supported; use one of ${ZONE_KINDS.join(", ")}`,
    });
  }
  const effectiveKind = kind ?? (adopt ? undefined : ZONE_DEFAULTS.kind);
  const rawNameservers = checkStringList(news, "nameservers", failures);
  let nameservers: string[] | undefined;
  if (rawNameservers !== undefined) {
    nameservers = [];
    for (const [i, ns] of rawNameservers.entries()) {
      if (isUnknown(ns)) {
        nameservers.push(UNKNOWN);
        continue;
      }
      const n = typeof ns === "string" ? normalizeDomainName(ns, { what: "nameserver" }) : undefined;
      if (!n?.ok) {
        failures.push({
          property: "nameservers",
          reason: `nameservers[${i}]: ${n && !n.ok ? n.reason : "must be a host name"}`,
        });
      } else nameservers.push(n.value);
    }
    nameservers = [...new Set(nameservers)].sort();
  }
  if (effectiveKind !== "Slave" && nameservers?.length === 0 && !isUnknown(news.nameservers)) {
    failures.push({
      property: "nameservers",
      reason: `nameservers is empty; a ${effectiveKind ?? "Native"} zone needs its name servers, e.g. ["ns1.example.org.", "ns2.example.net."]`,
    });
  }
  if (effectiveKind !== undefined && effectiveKind !== "Slave" && nameservers === undefined && !adopt) {
    failures.push({
      property: "nameservers",
      reason: `nameservers is missing; a ${effectiveKind} zone needs its name servers, e.g. ["ns1.example.org.", "ns2.example.net."] (an adopted zone may leave them out to keep the server's)`,
    });
  }
  const rawMasters = checkStringList(news, "masters", failures);
  let masters: string[] | undefined;
  if (rawMasters !== undefined) {
    masters = [];
    for (const [i, m] of rawMasters.entries()) {
      const problem = isUnknown(m)
        ? undefined
        : typeof m === "string"
          ? masterProblem(m)
          : "must be a string";
      if (problem) failures.push({ property: "masters", reason: `masters[${i}] ${problem}` });
      else masters.push(m as string);
    }
  }
  if (effectiveKind === "Slave" && (rawMasters ?? []).length === 0) {
    failures.push({
      property: "masters",
      reason: `a Slave zone needs masters: the IP addresses it transfers from`,
    });
  }
  if (effectiveKind !== undefined && effectiveKind !== "Slave" && (rawMasters ?? []).length > 0) {
    failures.push({
      property: "masters",
      reason: `masters only apply to Slave zones; remove them or set kind "Slave"`,
    });
  }
  const soaEditApi = news.soaEditApi as string | undefined;
  if (soaEditApi !== undefined && !isUnknown(soaEditApi) && !SOA_EDIT_API_VALUES.includes(soaEditApi)) {
    failures.push({
      property: "soaEditApi",
      reason: `soaEditApi ${JSON.stringify(soaEditApi)} is unknown; use one of ${SOA_EDIT_API_VALUES.join(", ")}`,
    });
  }
  const account = news.account as string | undefined;
  if (account !== undefined && typeof account !== "string")
    failures.push({ property: "account", reason: "account must be a string" });
  const inputs: ZoneInputs = {
    ...endpoint,
    name,
    kind,
    nameservers,
    masters,
    soaEditApi,
    account,
    dnssec: checkBool(news, "dnssec", failures),
    adopt,
    forceDelete: checkBool(news, "forceDelete", failures) ?? false,
  };
  // Not given = not in the inputs at all (the engine drops undefined, and diff ignores absent keys).
  for (const k of Object.keys(inputs) as (keyof ZoneInputs)[]) if (inputs[k] === undefined) delete inputs[k];
  return { inputs, failures };
}

export const MAX_TTL = 2147483647;

export function checkRecordSetInputs(news: Raw): CheckResult<RecordSetInputs> {
  const failures: CheckFailure[] = [];
  const endpoint = checkEndpoint(news, failures);
  const zone = checkZone(news.zone, failures);
  const fields = checkRecordSetFields(news, zone, failures);
  return {
    inputs: {
      ...endpoint,
      zone: zone.value,
      ...fields,
      adopt: checkBool(news, "adopt", failures) ?? false,
    },
    failures,
  };
}

/** The zone a record set names, normalised; `known` is false when unknown (preview) or bad (a failure is added). */
export function checkZone(raw: unknown, failures: CheckFailure[]): { value: string; known: boolean } {
  if (isUnknown(raw)) return { value: raw as string, known: false };
  const z = typeof raw === "string" ? normalizeDomainName(raw, { what: "zone" }) : undefined;
  if (!z?.ok) {
    failures.push({
      property: "zone",
      reason: z && !z.ok ? z.reason : `zone must be a name such as "example.org."`,
    });
    return { value: raw as string, known: false };
  }
  return { value: z.value, known: true };
}

/** What one record set is made of (everything but where it lives and who owns it). */
export type RecordSetFields = Pick<RecordSetInputs, "name" | "type" | "ttl" | "records" | "disabled">;

/**
 * Checks one record set's own fields (name inside the zone, type, ttl, contents per type, disabled)
 * against an already checked zone; failures name the field ("name", "records", ...). A record
 * collection calls it once per record set without re-checking the endpoint, zone and owner.
 */
export function checkRecordSetFields(
  news: Raw,
  checkedZone: { value: string; known: boolean },
  failures: CheckFailure[],
): RecordSetFields {
  const { value: zone, known: zoneKnown } = checkedZone;
  let name = news.name as string;
  let nameKnown = false;
  if (!isUnknown(name)) {
    const n =
      typeof name === "string"
        ? normalizeDomainName(name, { what: "name", wildcard: true, underscore: true })
        : undefined;
    if (!n?.ok) {
      failures.push({
        property: "name",
        reason: n && !n.ok ? n.reason : `name must be a string such as "www.example.org."`,
      });
    } else if (zoneKnown && !isInZone(n.value, zone)) {
      failures.push({
        property: "name",
        reason: `name "${name}" is not inside zone "${zone}"; give the full name, e.g. "${name.replace(/\.$/, "")}.${zone}"`,
      });
    } else {
      name = n.value;
      nameKnown = true;
    }
  }
  let type = news.type as string;
  let typeKnown = false;
  if (!isUnknown(type)) {
    const upper = typeof type === "string" ? type.trim().toUpperCase() : "";
    const problem = recordTypeProblem(upper);
    if (problem) {
      failures.push({ property: "type", reason: problem });
    } else {
      type = upper;
      typeKnown = true;
    }
  }
  if (typeKnown && type === "SOA" && nameKnown && zoneKnown && name !== zone) {
    failures.push({ property: "name", reason: `an SOA record set belongs at the zone apex "${zone}"` });
  }
  if (typeKnown && nameKnown && zoneKnown && name === zone) {
    if (type === "CNAME") {
      failures.push({
        property: "name",
        reason: `a CNAME cannot be at the zone apex "${zone}" (it would hide the SOA and NS); use A/AAAA records there, or a name below the apex`,
      });
    }
    if (type === "NS") {
      failures.push({
        property: "type",
        reason: `apex NS records are managed by the zone's "nameservers" input`,
      });
    }
  }
  const ttl = news.ttl ?? 3600;
  if (!isUnknown(ttl) && (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL)) {
    failures.push({
      property: "ttl",
      reason: `ttl ${JSON.stringify(ttl)} must be a whole number of seconds from 0 to ${MAX_TTL}, e.g. 3600`,
    });
  }
  const records: string[] = [];
  const rawRecords = news.records;
  if (isUnknown(rawRecords)) {
    records.push(UNKNOWN);
  } else if (!Array.isArray(rawRecords) || rawRecords.length === 0) {
    failures.push({
      property: "records",
      reason: `records must be a non-empty list of record contents, e.g. ["192.0.2.10"]; to remove a record set, delete the resource`,
    });
  } else {
    const seen = new Map<string, number>();
    rawRecords.forEach((r, i) => {
      if (isUnknown(r)) {
        records.push(UNKNOWN);
        return;
      }
      if (typeof r !== "string") {
        failures.push({
          property: "records",
          reason: `records[${i}] must be a string, not ${JSON.stringify(r)}`,
        });
        return;
      }
      if (!typeKnown || !nameKnown) {
        records.push(r);
        return;
      }
      const c = normalizeContent(type as RecordType, r, name);
      if (!c.ok) {
        failures.push({ property: "records", reason: `records[${i}]: ${c.reason}` });
        return;
      }
      const dup = seen.get(c.value);
      if (dup !== undefined) {
        failures.push({
          property: "records",
          reason: `records[${i}] is the same record as records[${dup}] (${c.value}); list each record once`,
        });
        return;
      }
      seen.set(c.value, i);
      records.push(c.value);
    });
    if (typeKnown && type === "CNAME" && rawRecords.length > 1) {
      failures.push({
        property: "records",
        reason: `a CNAME record set holds exactly one target; got ${rawRecords.length}. Use A/AAAA records for several addresses`,
      });
    }
  }
  return {
    name,
    type: type as RecordType,
    ttl: ttl as number,
    records: records.includes(UNKNOWN) ? records : [...records].sort(),
    disabled: checkBool(news, "disabled", failures) ?? false,
  };
}

// ---------------------------------------------------------------- diff

export interface DiffDecision {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

const sameList = (a: unknown, b: unknown): boolean =>
  JSON.stringify([...((a as unknown[]) ?? [])].map(String).sort()) ===
  JSON.stringify([...((b as unknown[]) ?? [])].map(String).sort());

function decide(
  olds: Raw,
  news: Raw,
  replaceKeys: string[],
  updateKeys: string[],
  listKeys: string[],
): DiffDecision {
  const differs = (k: string): boolean =>
    listKeys.includes(k) ? !sameList(olds[k], news[k]) : JSON.stringify(olds[k]) !== JSON.stringify(news[k]);
  const replaces = replaceKeys.filter(differs);
  const updates = updateKeys.filter(differs);
  return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: false };
}

/** Stored only; a change is an update that sends nothing (or rewrites a marker, for `owner`). */
const BOOKKEEPING = ["apiUrl", "serverId", "apiKeyConfig", "owner", "adopt"];

/**
 * Zone: only a new name replaces it. The endpoint's spelling (apiUrl, serverId), the kind and every
 * setting update it in place; a setting not given (absent from `news`) keeps what is there.
 */
export function diffZone(olds: Raw, news: Raw): DiffDecision {
  const given = (keys: string[]): string[] => keys.filter((k) => news[k] !== undefined);
  return decide(
    olds,
    news,
    ["name"],
    [
      ...BOOKKEEPING,
      "forceDelete",
      ...given(["kind", "nameservers", "masters", "soaEditApi", "account", "dnssec"]),
    ],
    ["nameservers", "masters"],
  );
}

/** Record set: its identity (zone, name, type) replaces; the endpoint's spelling, ttl, records and disabled update. */
export function diffRecordSet(olds: Raw, news: Raw): DiffDecision {
  const d = decide(
    olds,
    news,
    ["zone", "name", "type"],
    [...BOOKKEEPING, "ttl", "records", "disabled"],
    ["records"],
  );
  // A CNAME cannot coexist with other types at its name: turning A into CNAME (or back) at the same
  // name must remove the old record set before the new one can exist.
  const sameName = olds.name === news.name && olds.zone === news.zone;
  const cnameSwap = olds.type !== news.type && (olds.type === "CNAME" || news.type === "CNAME");
  return { ...d, deleteBeforeReplace: d.replaces.length > 0 && sameName && cnameSwap };
}

/** Fields whose change needs a write to the server (a new owner rewrites the marker). */
export function recordSetNeedsWrite(olds: Raw, news: Raw): boolean {
  return (
    olds.ttl !== news.ttl ||
    !sameList(olds.records, news.records) ||
    Boolean(olds.disabled) !== Boolean(news.disabled) ||
    olds.owner !== news.owner
  );
}
