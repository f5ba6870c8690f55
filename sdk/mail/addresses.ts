/**
 * Mail addresses and domains: parsing, the local part's syntax (RFC 5322 dot-atom), the domain's
 * (through the DNS name rules, IDN to punycode), and quotas with binary suffixes.
 */
import { normalizeDomainName } from "../../providers/powerdns/records";

export interface Address {
  local: string;
  /** Normalised, without the trailing dot ("example.org"). */
  domain: string;
}

/** "example.org" / "Example.ORG." / IDN -> "example.org"; or the reason it is not a mail domain. */
export function mailDomainName(raw: string):
  | {
      /** Valid. */
      ok: true;
      /** The normalised domain (lowercase, without a trailing dot). */
      value: string;
    }
  | {
      /** Invalid. */
      ok: false;
      /** What is wrong with it. */
      reason: string;
    } {
  const n = normalizeDomainName(raw, { what: "mail domain" });
  if (!n.ok) return { ok: false, reason: n.reason };
  return { ok: true, value: n.value.replace(/\.$/, "") };
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = new RegExp(`^${ATEXT}(\\.${ATEXT})*$`);

/** Why a local part is unusable, or undefined. */
export function localPartProblem(local: string): string | undefined {
  if (local === "") return "the part before @ is empty";
  if (local.length > 64) return `the part before @ has ${local.length} characters; at most 64 (RFC 5321)`;
  if (!DOT_ATOM.test(local))
    return `"${local}" is not a plain local part: use letters, digits and ._+- (no spaces, quotes or leading/trailing/double dots)`;
  return undefined;
}

/**
 * Parses "alice" (in `defaultDomain`) or "alice@example.org". Local parts are kept as written
 * (compared case-insensitively by `addressKey`); the domain is normalised.
 */
export function parseAddress(
  raw: string,
  defaultDomain?: string,
):
  | {
      /** Valid. */
      ok: true;
      /** The parsed address. */
      value: Address;
    }
  | {
      /** Invalid. */
      ok: false;
      /** What is wrong with it. */
      reason: string;
    } {
  const at = raw.lastIndexOf("@");
  if (at < 0 && defaultDomain === undefined)
    return { ok: false, reason: `"${raw}" is not an address; write it as local@domain` };
  const local = at < 0 ? raw : raw.slice(0, at);
  const problem = localPartProblem(local);
  if (problem) return { ok: false, reason: `"${raw}": ${problem}` };
  if (at < 0) return { ok: true, value: { local, domain: defaultDomain! } };
  const d = mailDomainName(raw.slice(at + 1));
  if (!d.ok) return { ok: false, reason: `"${raw}": ${d.reason}` };
  return { ok: true, value: { local, domain: d.value } };
}

export const formatAddress = (a: Address): string => `${a.local}@${a.domain}`;
/** Key for comparing addresses: local parts are compared without case, as every server here does. */
export const addressKey = (a: Address): string => formatAddress(a).toLowerCase();

export const MIB = 1024 * 1024;
const UNITS: Record<string, number> = { K: 1024, M: MIB, G: 1024 * MIB, T: 1024 * 1024 * MIB };

/** A quota in bytes from a number of bytes or "512M"/"2G"/"1T" (binary units); or why not. */
export function parseQuota(q: number | string):
  | {
      /** Valid. */
      ok: true;
      /** The quota in bytes. */
      bytes: number;
    }
  | {
      /** Invalid. */
      ok: false;
      /** What is wrong with it. */
      reason: string;
    } {
  let bytes: number;
  if (typeof q === "number") bytes = q;
  else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT])(?:i?B)?\s*$/i.exec(q);
    if (!m) return { ok: false, reason: `"${q}" is not a size; write bytes or e.g. "512M", "2G"` };
    bytes = Math.floor(Number(m[1]) * UNITS[m[2].toUpperCase()]);
  }
  if (!Number.isFinite(bytes) || bytes < MIB)
    return {
      ok: false,
      reason: `${String(q)} is below 1 MiB; give at least "1M" (or leave quota out for none)`,
    };
  return { ok: true, bytes };
}
