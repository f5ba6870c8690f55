/**
 * Pure builders for the DNS side of mail: MX, SPF, DKIM and DMARC record contents, with errors that
 * say what to fix. The DnsZone component publishes what these return.
 */

export interface MxHost {
  /** Lower is preferred. */
  priority: number;
  /** Mail host, fully qualified ("mail.example.org.") or relative to the zone ("mail"). */
  host: string;
}

export interface SpfPolicy {
  /** Let the domain's MX hosts send (`mx`). Default true. */
  mx?: boolean;
  /** Addresses or networks allowed to send (`ip4:` / `ip6:`). */
  ip4?: string[];
  ip6?: string[];
  /** Other domains' SPF policies to include (`include:`). */
  include?: string[];
  /** What to do with everything else: "-all" (fail, default), "~all" (soft fail), "?all" (neutral). */
  all?: "-all" | "~all" | "?all";
}

export function spfRecord(p: SpfPolicy): string {
  const terms = ["v=spf1"];
  if (p.mx !== false) terms.push("mx");
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
  for (const d of p.include ?? []) terms.push(`include:${d.replace(/\.$/, "")}`);
  const lookups = (p.mx !== false ? 1 : 0) + (p.include?.length ?? 0);
  if (lookups > 10)
    throw new Error(
      `SPF allows at most 10 DNS lookups; this policy needs ${lookups} (mx + includes): flatten some includes`,
    );
  terms.push(p.all ?? "-all");
  return terms.join(" ");
}

export interface DkimKey {
  /** The selector: the record is published at `<selector>._domainkey.<domain>`. */
  selector: string;
  /** The public key, base64 (PEM armour and line breaks are removed). */
  publicKey: string;
  /** Key type; default "rsa". */
  keyType?: "rsa" | "ed25519";
}

export function dkimRecord(k: DkimKey): { name: string; content: string } {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(k.selector)) {
    throw new Error(`DKIM selector "${k.selector}" may only contain letters, digits, '-' and '.'`);
  }
  const key = k.publicKey.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
    throw new Error(
      `DKIM public key for selector "${k.selector}" is not base64 (give the key itself, PEM or bare)`,
    );
  }
  return { name: `${k.selector}._domainkey`, content: `v=DKIM1; k=${k.keyType ?? "rsa"}; p=${key}` };
}

export interface DmarcPolicy {
  policy: "none" | "quarantine" | "reject";
  subdomainPolicy?: "none" | "quarantine" | "reject";
  /** Aggregate report addresses (mailto: added when missing). */
  rua?: string[];
  ruf?: string[];
  /** Percentage of mail the policy applies to, 0..100. */
  pct?: number;
  /** Alignment: relaxed ("r", default) or strict ("s"). */
  adkim?: "r" | "s";
  aspf?: "r" | "s";
}

export function dmarcRecord(p: DmarcPolicy): string {
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
