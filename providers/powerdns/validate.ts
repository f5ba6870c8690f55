/**
 * Pure input checking and diffing for the PowerDNS providers: what `check` returns (normalised inputs
 * or failures naming the field and the fix) and what `diff` decides (update or replace).
 */
import {
  isInZone,
  isSupportedRecordType,
  normalizeContent,
  normalizeDomainName,
  RecordType,
  SUPPORTED_RECORD_TYPES,
} from "./records";

/** The engine's placeholder for a value not known yet (preview): such fields are not validated. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const isUnknown = (v: unknown): boolean => v === UNKNOWN;

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface EndpointInputs {
  apiUrl: string;
  apiKey: string;
  serverId: string;
}

export const ZONE_KINDS = ["Native", "Master", "Slave"] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];
export const SOA_EDIT_API_VALUES = ["DEFAULT", "INCREASE", "EPOCH", "SOA-EDIT", "SOA-EDIT-INCREASE", "OFF"];

export interface ZoneInputs extends EndpointInputs {
  name: string;
  kind: ZoneKind;
  nameservers: string[];
  masters: string[];
  soaEditApi: string;
  account: string;
  dnssec: boolean;
  adopt: boolean;
}

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
  const apiKey = news.apiKey;
  if (!isUnknown(apiKey) && (typeof apiKey !== "string" || apiKey === "")) {
    failures.push({
      property: "apiKey",
      reason:
        "apiKey is missing; pass the server's api-key as a Pulumi secret (config --secret or pulumi.secret())",
    });
  }
  const serverId = news.serverId ?? "localhost";
  if (typeof serverId !== "string" || serverId === "") {
    failures.push({
      property: "serverId",
      reason: `serverId must be a non-empty string (usually "localhost")`,
    });
  }
  return {
    apiUrl:
      typeof apiUrl === "string" ? apiUrl.replace(/\/+$/, "").replace(/\/api\/v1$/, "") : String(apiUrl),
    apiKey: apiKey as string,
    serverId: serverId as string,
  };
}

function checkBool(news: Raw, field: string, dflt: boolean, failures: CheckFailure[]): boolean {
  const v = news[field];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean" && !isUnknown(v)) {
    failures.push({ property: field, reason: `${field} must be true or false, not ${JSON.stringify(v)}` });
    return dflt;
  }
  return v as boolean;
}

function checkStringList(news: Raw, field: string, failures: CheckFailure[]): unknown[] {
  const v = news[field];
  if (v === undefined || v === null) return [];
  if (isUnknown(v)) return [UNKNOWN];
  if (!Array.isArray(v)) {
    failures.push({ property: field, reason: `${field} must be a list of strings, e.g. ["..."]` });
    return [];
  }
  return v;
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
  const kind = (news.kind ?? "Native") as ZoneKind;
  if (!isUnknown(kind) && !ZONE_KINDS.includes(kind)) {
    failures.push({
      property: "kind",
      reason: `kind ${JSON.stringify(kind)} is not supported; use one of ${ZONE_KINDS.join(", ")}`,
    });
  }
  const nameservers: string[] = [];
  for (const [i, ns] of checkStringList(news, "nameservers", failures).entries()) {
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
  if (kind !== "Slave" && nameservers.length === 0 && !isUnknown(news.nameservers)) {
    failures.push({
      property: "nameservers",
      reason: `nameservers is empty; a ${kind} zone needs its name servers, e.g. ["ns1.example.org.", "ns2.example.net."]`,
    });
  }
  const masters: string[] = [];
  for (const [i, m] of checkStringList(news, "masters", failures).entries()) {
    if (isUnknown(m) || (typeof m === "string" && /^[0-9a-fA-F.:[\]]+$/.test(m))) masters.push(m as string);
    else
      failures.push({
        property: "masters",
        reason: `masters[${i}] ${JSON.stringify(m)} must be an IP address`,
      });
  }
  if (kind === "Slave" && masters.length === 0) {
    failures.push({
      property: "masters",
      reason: `a Slave zone needs masters: the IP addresses it transfers from`,
    });
  }
  if (kind !== "Slave" && masters.length > 0) {
    failures.push({
      property: "masters",
      reason: `masters only apply to Slave zones; remove them or set kind "Slave"`,
    });
  }
  const soaEditApi = (news.soaEditApi ?? "DEFAULT") as string;
  if (!isUnknown(soaEditApi) && !SOA_EDIT_API_VALUES.includes(soaEditApi)) {
    failures.push({
      property: "soaEditApi",
      reason: `soaEditApi ${JSON.stringify(soaEditApi)} is unknown; use one of ${SOA_EDIT_API_VALUES.join(", ")}`,
    });
  }
  const account = (news.account ?? "") as string;
  if (typeof account !== "string") failures.push({ property: "account", reason: "account must be a string" });
  return {
    inputs: {
      ...endpoint,
      name,
      kind,
      nameservers: [...new Set(nameservers)].sort(),
      masters,
      soaEditApi,
      account,
      dnssec: checkBool(news, "dnssec", false, failures),
      adopt: checkBool(news, "adopt", false, failures),
    },
    failures,
  };
}

export const MAX_TTL = 2147483647;

export function checkRecordSetInputs(news: Raw): CheckResult<RecordSetInputs> {
  const failures: CheckFailure[] = [];
  const endpoint = checkEndpoint(news, failures);
  let zone = news.zone as string;
  let zoneKnown = false;
  if (!isUnknown(zone)) {
    const z = typeof zone === "string" ? normalizeDomainName(zone, { what: "zone" }) : undefined;
    if (!z?.ok) {
      failures.push({
        property: "zone",
        reason: z && !z.ok ? z.reason : `zone must be a name such as "example.org."`,
      });
    } else {
      zone = z.value;
      zoneKnown = true;
    }
  }
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
    if (upper === "SOA") {
      failures.push({
        property: "type",
        reason: "SOA is managed by the zone itself; do not declare it as a record set",
      });
    } else if (!isSupportedRecordType(upper)) {
      failures.push({
        property: "type",
        reason: `type ${JSON.stringify(type)} is not supported; use one of ${SUPPORTED_RECORD_TYPES.join(", ")}`,
      });
    } else {
      type = upper;
      typeKnown = true;
    }
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
    inputs: {
      ...endpoint,
      zone,
      name,
      type: type as RecordType,
      ttl: ttl as number,
      records: records.includes(UNKNOWN) ? records : [...records].sort(),
      disabled: checkBool(news, "disabled", false, failures),
      adopt: checkBool(news, "adopt", false, failures),
    },
    failures,
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

/** Zone: moving it (name, server) or changing its kind replaces it; everything else updates in place. */
export function diffZone(olds: Raw, news: Raw): DiffDecision {
  const d = decide(
    olds,
    news,
    ["name", "kind", "apiUrl", "serverId"],
    ["nameservers", "masters", "soaEditApi", "account", "dnssec", "apiKey", "adopt"],
    ["nameservers", "masters"],
  );
  // The same zone name on the same server cannot exist twice: the old one must go first.
  const sameHome = olds.name === news.name && olds.apiUrl === news.apiUrl && olds.serverId === news.serverId;
  return { ...d, deleteBeforeReplace: d.replaces.length > 0 && sameHome };
}

/** Record set: its identity (server, zone, name, type) replaces; ttl, records and disabled update. */
export function diffRecordSet(olds: Raw, news: Raw): DiffDecision {
  const d = decide(
    olds,
    news,
    ["apiUrl", "serverId", "zone", "name", "type"],
    ["ttl", "records", "disabled", "apiKey", "adopt"],
    ["records"],
  );
  // A CNAME cannot coexist with other types at its name: turning A into CNAME (or back) at the same
  // name must remove the old record set before the new one can exist.
  const sameName = olds.name === news.name && olds.zone === news.zone && olds.apiUrl === news.apiUrl;
  const cnameSwap = olds.type !== news.type && (olds.type === "CNAME" || news.type === "CNAME");
  return { ...d, deleteBeforeReplace: d.replaces.length > 0 && sameName && cnameSwap };
}

/** Fields whose change needs a request to the server (others, like apiKey or adopt, are only stored). */
export function recordSetNeedsWrite(olds: Raw, news: Raw): boolean {
  return (
    olds.ttl !== news.ttl ||
    !sameList(olds.records, news.records) ||
    Boolean(olds.disabled) !== Boolean(news.disabled)
  );
}
