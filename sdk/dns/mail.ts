/**
 * Pure builders for the DNS side of mail: MX, SPF, DKIM and DMARC record contents, with errors that
 * say what to fix. The DnsZone component publishes what these return.
 */
import * as crypto from "crypto";

/** A mail exchanger of the zone. */
export interface MxHost {
  /** Lower is preferred. */
  priority: number;
  /** Mail host, fully qualified ("mail.example.org.") or relative to the zone ("mail"). */
  host: string;
}

/** An `include:` target, with the DNS lookups its own policy needs when known (RFC 7208 §4.6.4 counts them). */
export interface SpfInclude {
  /** The domain whose SPF record is included. */
  domain: string;
  /** Lookups the included policy itself makes (its a/mx/ptr/include/exists/redirect terms, recursively). */
  lookups: number;
}

/** An SPF policy: the senders allowed to send as the domain and what receivers do with others. */
export interface SpfPolicy {
  /** Let the domain's MX hosts send (`mx`). Default true. */
  mx?: boolean;
  /** Let the domain's own address(es) send (`a`), or the addresses of these names (`a:name`). */
  a?: boolean | string[];
  /** Addresses or networks allowed to send (`ip4:` / `ip6:`). */
  ip4?: string[];
  /** IPv6 networks allowed to send (ip6: terms). */
  ip6?: string[];
  /** Other domains' SPF policies to include (`include:`); give `{ domain, lookups }` to count theirs too. */
  include?: (string | SpfInclude)[];
  /** `exists:` macros/names. */
  exists?: string[];
  /** `redirect=` another domain's policy (then `all` is not written). */
  redirect?: string;
  /** What to do with everything else: "-all" (fail, default), "~all" (soft fail), "?all" (neutral). */
  all?: "-all" | "~all" | "?all";
}

/** RFC 7208 §4.6.4: at most 10 terms that cause DNS lookups (a, mx, ptr, include, exists, redirect). */
export const SPF_MAX_LOOKUPS = 10;

const includeOf = (i: string | SpfInclude): SpfInclude =>
  typeof i === "string" ? { domain: i, lookups: 0 } : i;

/**
 * The DNS lookups evaluating this policy costs (RFC 7208 §4.6.4): one per a, mx, include and exists
 * mechanism and per redirect modifier, plus what each included policy itself costs when given.
 * ip4/ip6/all cost nothing.
 */
export function spfLookups(p: SpfPolicy): {
  /** How many DNS lookups the policy costs (SPF allows at most 10). */
  total: number;
  /** The terms that cost a lookup. */
  terms: string[];
} {
  const terms: string[] = [];
  if (p.mx !== false) terms.push("mx");
  if (p.a === true) terms.push("a");
  if (Array.isArray(p.a)) for (const n of p.a) terms.push(`a:${n}`);
  let nested = 0;
  for (const raw of p.include ?? []) {
    const i = includeOf(raw);
    terms.push(i.lookups > 0 ? `include:${i.domain} (+${i.lookups} inside)` : `include:${i.domain}`);
    nested += i.lookups;
  }
  for (const e of p.exists ?? []) terms.push(`exists:${e}`);
  if (p.redirect) terms.push(`redirect=${p.redirect}`);
  return { total: terms.length + nested, terms };
}

/**
 * The SPF TXT record text for `p`, e.g. "v=spf1 mx ip4:192.0.2.0/24 -all". Throws when an ip4/ip6
 * term is not an address or network, or when the policy needs more than 10 DNS lookups.
 */
export function spfRecord(p: SpfPolicy): string {
  const terms = ["v=spf1"];
  if (p.mx !== false) terms.push("mx");
  if (p.a === true) terms.push("a");
  if (Array.isArray(p.a)) for (const n of p.a) terms.push(`a:${n.replace(/\.$/, "")}`);
  for (const a of p.ip4 ?? []) {
    if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(a))
      throw new Error(`SPF ip4 "${a}" must be an IPv4 address or network, e.g. "192.0.2.0/24"`);
    terms.push(`ip4:${a}`);
  }
  for (const a of p.ip6 ?? []) {
    if (!/^[0-9a-fA-F:]+(\/\d{1,3})?$/.test(a) || !a.includes(":"))
      throw new Error(`SPF ip6 "${a}" must be an IPv6 address or network, e.g. "2001:db8::/32"`);
    terms.push(`ip6:${a}`);
  }
  for (const i of p.include ?? []) terms.push(`include:${includeOf(i).domain.replace(/\.$/, "")}`);
  for (const e of p.exists ?? []) terms.push(`exists:${e}`);
  const lookups = spfLookups(p);
  if (lookups.total > SPF_MAX_LOOKUPS)
    throw new Error(
      `SPF allows at most ${SPF_MAX_LOOKUPS} DNS lookups (RFC 7208 §4.6.4); this policy needs ${lookups.total} ` +
        `(${lookups.terms.join(", ")}): replace some includes or a/mx terms by ip4/ip6 networks`,
    );
  if (p.redirect) terms.push(`redirect=${p.redirect.replace(/\.$/, "")}`);
  else terms.push(p.all ?? "-all");
  return terms.join(" ");
}

/** A DKIM public key to publish under `<selector>._domainkey`. */
export interface DkimKey {
  /** The selector: the record is published at `<selector>._domainkey.<domain>`. */
  selector: string;
  /** The public key, base64 (PEM armour and line breaks are removed). */
  publicKey: string;
  /** Key type; default "rsa". */
  keyType?: "rsa" | "ed25519";
}

/** RFC 8301 §3.2: RSA signing keys of at least 1024 bits must be accepted; we publish 2048 or more. */
export const DKIM_MIN_RSA_BITS = 2048;

/**
 * Why a base64 DKIM public key is unusable, or undefined: an RSA key must be a SubjectPublicKeyInfo
 * of at least 2048 bits; an Ed25519 key (RFC 8463) is the bare 32-byte key.
 */
export function dkimKeyProblem(base64: string, keyType: "rsa" | "ed25519"): string | undefined {
  const der = Buffer.from(base64, "base64");
  if (keyType === "ed25519")
    return der.length === 32 ? undefined : `an Ed25519 DKIM key is 32 bytes; got ${der.length}`;
  let bits: number | undefined;
  try {
    const key = crypto.createPublicKey({ key: der, format: "der", type: "spki" });
    if (key.asymmetricKeyType !== "rsa")
      return `the key is ${key.asymmetricKeyType ?? "not RSA"}; set keyType to match or give an RSA key`;
    bits = key.asymmetricKeyDetails?.modulusLength;
  } catch {
    return "the public key does not parse as an RSA SubjectPublicKeyInfo (give the PEM or its base64 body)";
  }
  if (bits === undefined || bits < DKIM_MIN_RSA_BITS)
    return `RSA key of ${bits ?? "unknown"} bits is too short; generate one of at least ${DKIM_MIN_RSA_BITS} bits`;
  return undefined;
}

/** Why a DKIM selector is not usable (each dot-separated part must be a DNS label), or undefined. */
export function dkimSelectorProblem(selector: string): string | undefined {
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
  if (selector.split(".").every((l) => label.test(l))) return undefined;
  return `DKIM selector "${selector}" is not a DNS label: use 1-63 letters, digits and inner '-' (e.g. "s2026a"); dots separate labels`;
}

/** The DKIM TXT record for `k`: its name relative to the zone and its text (split in 255-byte strings). */
export function dkimRecord(k: DkimKey): {
  /** The record's name relative to the zone, e.g. "s1._domainkey". */
  name: string;
  /** The TXT record contents, quoted. */
  content: string;
} {
  const bad = dkimSelectorProblem(k.selector);
  if (bad) throw new Error(bad);
  const key = k.publicKey.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
    throw new Error(
      `DKIM public key for selector "${k.selector}" is not base64 (give the key itself, PEM or bare)`,
    );
  }
  const keyProblem = dkimKeyProblem(key, k.keyType ?? "rsa");
  if (keyProblem) throw new Error(`DKIM key for selector "${k.selector}": ${keyProblem}`);
  return { name: `${k.selector}._domainkey`, content: `v=DKIM1; k=${k.keyType ?? "rsa"}; p=${key}` };
}

/** The DMARC dispositions, from monitoring only to rejecting. */
export const DMARC_POLICIES = ["none", "quarantine", "reject"] as const;
export type DmarcDisposition = (typeof DMARC_POLICIES)[number];

/** A DMARC policy, published at `_dmarc.<domain>`. */
export interface DmarcPolicy {
  /** What receivers do with mail that fails DMARC (p=). */
  policy: DmarcDisposition;
  /** The policy for subdomains (sp=); default the same as `policy`. */
  subdomainPolicy?: DmarcDisposition;
  /** Aggregate report addresses (mailto: added when missing). */
  rua?: string[];
  /** Where forensic (failure) reports go (ruf=), as addresses or mailto: URIs. */
  ruf?: string[];
  /** Percentage of mail the policy applies to, 0..100. */
  pct?: number;
  /** Alignment: relaxed ("r", default) or strict ("s"). */
  adkim?: "r" | "s";
  /** SPF alignment: relaxed ("r", default) or strict ("s"). */
  aspf?: "r" | "s";
}

/** The DMARC TXT record text for `p`, e.g. "v=DMARC1; p=reject; rua=mailto:...". */
export function dmarcRecord(p: DmarcPolicy): string {
  for (const [field, v] of [
    ["policy", p.policy],
    ["subdomainPolicy", p.subdomainPolicy],
  ] as const) {
    if (v !== undefined && !DMARC_POLICIES.includes(v))
      throw new Error(`DMARC ${field} "${String(v)}" must be one of ${DMARC_POLICIES.join(", ")}`);
  }
  const tags = [`v=DMARC1`, `p=${p.policy}`];
  if (p.subdomainPolicy) tags.push(`sp=${p.subdomainPolicy}`);
  const mailto = (a: string): string => {
    const addr = a.startsWith("mailto:") ? a : `mailto:${a}`;
    if (!/^mailto:[^@\s;,]+@[^@\s;,]+$/.test(addr))
      throw new Error(`DMARC report address "${a}" must be an email address`);
    return addr;
  };
  if (p.rua?.length) tags.push(`rua=${p.rua.map(mailto).join(",")}`);
  if (p.ruf?.length) tags.push(`ruf=${p.ruf.map(mailto).join(",")}`);
  if (p.pct !== undefined) {
    if (!Number.isInteger(p.pct) || p.pct < 0 || p.pct > 100)
      throw new Error(`DMARC pct ${p.pct} must be a whole number from 0 to 100`);
    tags.push(`pct=${p.pct}`);
  }
  if (p.adkim) tags.push(`adkim=${p.adkim}`);
  if (p.aspf) tags.push(`aspf=${p.aspf}`);
  return tags.join("; ");
}

/** MX record contents ("<preference> <host>.") for `hosts`, names qualified with `qualify`. */
export function mxRecords(hosts: MxHost[], qualify: (name: string) => string): string[] {
  if (hosts.length === 0)
    throw new Error(`mail needs at least one MX host, e.g. [{ priority: 10, host: "mail" }]`);
  return hosts.map((h) => {
    if (!Number.isInteger(h.priority) || h.priority < 0 || h.priority > 65535) {
      throw new Error(`MX priority ${h.priority} for ${h.host} must be a whole number from 0 to 65535`);
    }
    return `${h.priority} ${qualify(h.host)}`;
  });
}
