/**
 * Pure DNS name and record-content rules: validation with actionable messages, and normalisation to
 * the form PowerDNS stores and returns, so that what we send and what we read back compare equal and
 * `pulumi refresh` reports only real drift. No I/O, no Pulumi.
 */
import { isIPv4, isIPv6 } from "net";
import { domainToASCII } from "url";

/** Types whose contents are validated and normalised here; every other type goes to the server as given. */
export const PRECISE_RECORD_TYPES = [
  "A",
  "AAAA",
  "CNAME",
  "MX",
  "TXT",
  "SPF",
  "SRV",
  "CAA",
  "TLSA",
  "SMIMEA",
  "SSHFP",
  "DS",
  "PTR",
  "NS",
  "DNAME",
  "ALIAS",
] as const;
export type PreciseRecordType = (typeof PRECISE_RECORD_TYPES)[number];
/** Any type PowerDNS serves (HINFO, LOC, NAPTR, SOA, HTTPS, SVCB, OPENPGPKEY, URI, TYPE65534...). */
export type RecordType = string;

/** Query-only and transaction types: never stored in a zone. */
export const META_RECORD_TYPES = ["ANY", "AXFR", "IXFR", "OPT", "TSIG", "TKEY", "MAILA", "MAILB"];

export function isPreciseRecordType(type: string): type is PreciseRecordType {
  return (PRECISE_RECORD_TYPES as readonly string[]).includes(type);
}

/** Why a type name cannot be a record set's type, or undefined when it can. */
export function recordTypeProblem(type: string): string | undefined {
  if (!/^[A-Z][A-Z0-9]{0,15}$/.test(type))
    return `type ${JSON.stringify(type)} is not a DNS record type name; use e.g. A, AAAA, MX, TXT, HINFO, NAPTR, SSHFP, HTTPS`;
  if (META_RECORD_TYPES.includes(type))
    return `type ${type} is a query or transaction type, not one a zone stores; use a data type such as A or TXT`;
  return undefined;
}

/** Result of a rule: the normalised value, or a reason a person can act on. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(reason: string): Checked<T> => ({ ok: false, reason });

export interface NameRules {
  /** Allow `*` as the first label (owner names only). */
  readonly wildcard?: boolean;
  /** Allow `_` in labels (owner names, CNAME/PTR targets; not MX/NS/SRV hosts). */
  readonly underscore?: boolean;
  /** Accept a single-label name without trailing dot (never: it is almost always a relative name). */
  readonly what: string;
}

/**
 * Normalises a domain name to lower-case ASCII (IDN labels to punycode) with one trailing dot.
 * A name without the trailing dot is taken as absolute when it has at least two labels.
 */
export function normalizeDomainName(raw: string, rules: NameRules): Checked<string> {
  const input = raw.trim();
  if (input === "")
    return fail(`${rules.what} is empty; give a fully qualified name such as "host.example.org."`);
  if (input === ".")
    return fail(`${rules.what} is the root "."; give a fully qualified name such as "host.example.org."`);
  const hadDot = input.endsWith(".");
  const body = hadDot ? input.slice(0, -1) : input;
  const labels = body.split(".");
  if (labels.some((l) => l === "")) {
    return fail(`${rules.what} "${raw}" has an empty label (two dots in a row); remove the extra dot`);
  }
  if (!hadDot && labels.length < 2) {
    return fail(
      `${rules.what} "${raw}" is not fully qualified; names are absolute: write it with its zone and a trailing dot, e.g. "${raw}.example.org."`,
    );
  }
  const out: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    let label = labels[i];
    if (/[^\x20-\x7e]/.test(label)) {
      const ascii = domainToASCII(label);
      if (ascii === "" || ascii.includes(".")) {
        return fail(`${rules.what} "${raw}": label "${label}" is not a valid internationalised name (IDN)`);
      }
      label = ascii;
    }
    label = label.toLowerCase();
    if (label === "*") {
      if (!rules.wildcard || i !== 0) {
        return fail(`${rules.what} "${raw}": "*" is only allowed as the first label of a record name`);
      }
      out.push(label);
      continue;
    }
    if (label.length > 63) {
      return fail(
        `${rules.what} "${raw}": label "${label}" is ${label.length} bytes; a label may have at most 63`,
      );
    }
    const pattern = rules.underscore
      ? /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/
      : /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
    if (!pattern.test(label)) {
      const allowed = rules.underscore
        ? "letters, digits, '_' and inner '-'"
        : "letters, digits and inner '-'";
      return fail(`${rules.what} "${raw}": label "${label}" may only contain ${allowed}`);
    }
    out.push(label);
  }
  const name = out.join(".") + ".";
  if (name.length > 254) {
    return fail(
      `${rules.what} "${raw}" is ${name.length - 1} bytes long; a domain name may have at most 253`,
    );
  }
  return ok(name);
}

/** True when `name` is `zone` or below it (both normalised, with trailing dots). */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith("." + zone);
}

/** "www" + "example.org." -> "www.example.org."; "@" -> the apex; names with a trailing dot are kept. */
export function qualifyName(relativeOrAbsolute: string, zone: string): string {
  const n = relativeOrAbsolute.trim();
  if (n === "@" || n === "") return zone;
  if (n.endsWith(".")) return n;
  return `${n}.${zone}`;
}

// ---------------------------------------------------------------- TXT

/** Bytes of one character-string at most (RFC 1035 3.3). */
export const TXT_CHUNK_BYTES = 255;

/** Renders one character-string: printable ASCII as is, `"` and `\` escaped, other bytes as \DDD. */
export function quoteTxtChunk(bytes: Uint8Array): string {
  let s = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) s += "\\" + String.fromCharCode(b);
    else if (b >= 0x20 && b <= 0x7e) s += String.fromCharCode(b);
    else s += "\\" + b.toString().padStart(3, "0");
  }
  return s + '"';
}

/** Splits text (UTF-8) into character-strings of at most 255 bytes each. */
export function chunkTxt(text: string, chunkBytes = TXT_CHUNK_BYTES): Uint8Array[] {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length === 0) return [new Uint8Array(0)];
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkBytes)
    chunks.push(new Uint8Array(bytes.subarray(i, i + chunkBytes)));
  return chunks;
}

/** Parses zone-file TXT content (`"a" "b"`, with \X and \DDD escapes) into its character-strings. */
export function parseQuotedTxt(content: string): Checked<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  let i = 0;
  const s = content;
  while (i < s.length) {
    if (s[i] === " " || s[i] === "\t") {
      i++;
      continue;
    }
    if (s[i] !== '"') return fail(`expected a quoted string at position ${i} of ${JSON.stringify(content)}`);
    i++;
    const bytes: number[] = [];
    let closed = false;
    while (i < s.length) {
      const c = s[i];
      if (c === '"') {
        closed = true;
        i++;
        break;
      }
      if (c === "\\") {
        const ddd = /^\d{3}/.exec(s.slice(i + 1, i + 4));
        if (ddd) {
          const v = Number(ddd[0]);
          if (v > 255) return fail(`escape \\${ddd[0]} is above 255 in ${JSON.stringify(content)}`);
          bytes.push(v);
          i += 4;
          continue;
        }
        if (i + 1 >= s.length) return fail(`dangling backslash at the end of ${JSON.stringify(content)}`);
        bytes.push(...Buffer.from(s[i + 1], "utf8"));
        i += 2;
        continue;
      }
      const cp = s.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      bytes.push(...Buffer.from(ch, "utf8"));
      i += ch.length;
    }
    if (!closed) return fail(`unterminated quote in ${JSON.stringify(content)}`);
    if (bytes.length > TXT_CHUNK_BYTES) {
      return fail(
        `a quoted string in ${JSON.stringify(content).slice(0, 60)}... is ${bytes.length} bytes; each may have at most 255 (give the text unquoted and it is split for you)`,
      );
    }
    chunks.push(new Uint8Array(bytes));
  }
  if (chunks.length === 0) return fail(`TXT content ${JSON.stringify(content)} holds no quoted string`);
  return ok(chunks);
}

/**
 * TXT content as PowerDNS stores it. Text that starts with `"` is taken as already quoted (zone-file
 * form); anything else is plain text, quoted and split into 255-byte strings here.
 */
export function normalizeTxt(value: string): Checked<string> {
  const chunks = value.trimStart().startsWith('"') ? parseQuotedTxt(value) : ok(chunkTxt(value));
  if (!chunks.ok) return chunks;
  return ok(chunks.value.map(quoteTxtChunk).join(" "));
}

/** The text a TXT content carries (chunks joined), for people and for SPF/DKIM helpers. */
export function txtText(content: string): string {
  const parsed = parseQuotedTxt(content);
  if (!parsed.ok) return content;
  return Buffer.concat(parsed.value.map((c) => Buffer.from(c))).toString("utf8");
}

// ---------------------------------------------------------------- contents per type

function uint(field: string, raw: string, max: number): Checked<number> {
  if (!/^\d+$/.test(raw)) return fail(`${field} "${raw}" must be a whole number from 0 to ${max}`);
  const v = Number(raw);
  if (v > max) return fail(`${field} ${v} is too large; the maximum is ${max}`);
  return ok(v);
}

function target(raw: string, what: string, underscore: boolean, allowRoot = false): Checked<string> {
  if (allowRoot && raw === ".") return ok(".");
  if (isIPv4(raw) || isIPv6(raw)) {
    return fail(
      `${what} "${raw}" is an IP address; it must be a host name (publish the address as an A/AAAA record)`,
    );
  }
  return normalizeDomainName(raw, { what, underscore });
}

function fields(content: string): string[] {
  return content.trim().split(/\s+/);
}

/** IPv6 in the compressed lower-case form PowerDNS returns (RFC 5952). */
export function canonicalIPv6(address: string): string {
  return new URL(`http://[${address}]`).hostname.slice(1, -1);
}

/**
 * Validates one record's content for its type and returns it in PowerDNS's canonical form.
 * `owner` is the normalised owner name (SRV and TLSA owners must start with _service._proto).
 */
export function normalizeContent(type: RecordType, content: string, owner: string): Checked<string> {
  const c = content.trim();
  if (!isPreciseRecordType(type)) {
    if (c === "") return fail(`the content is empty; give the ${type} record's data in zone-file form`);
    return ok(c.replace(/\s+/g, " "));
  }
  switch (type) {
    case "A":
      return isIPv4(c)
        ? ok(c)
        : fail(`"${content}" is not an IPv4 address (A records hold e.g. "192.0.2.10")`);
    case "AAAA":
      if (isIPv4(c)) return fail(`"${content}" is an IPv4 address; put it in an A record, not AAAA`);
      return isIPv6(c) && !c.includes("%")
        ? ok(canonicalIPv6(c))
        : fail(`"${content}" is not an IPv6 address (AAAA records hold e.g. "2001:db8::10")`);
    case "CNAME":
      return target(c, "CNAME target", true);
    case "DNAME":
      return target(c, "DNAME target", true);
    case "ALIAS":
      return target(c, "ALIAS target", true);
    case "SPF":
      return normalizeTxt(content);
    case "SSHFP": {
      const f = fields(c);
      if (f.length < 3)
        return fail(
          `SSHFP content "${content}" must be "<algorithm> <fingerprint type> <hex>", e.g. "4 2 ab12..." (DnsZone.sshfp makes them from a host key)`,
        );
      const alg = uint("SSHFP algorithm", f[0], 255);
      if (!alg.ok) return alg;
      const fpType = uint("SSHFP fingerprint type", f[1], 255);
      if (!fpType.ok) return fpType;
      const fp = hexData("SSHFP fingerprint", f.slice(2).join(""), { 1: 40, 2: 64 }[fpType.value]);
      if (!fp.ok) return fp;
      return ok(`${alg.value} ${fpType.value} ${fp.value}`);
    }
    case "DS": {
      const f = fields(c);
      if (f.length < 4)
        return fail(
          `DS content "${content}" must be "<key tag> <algorithm> <digest type> <hex digest>", e.g. "12345 13 2 ab12..."`,
        );
      const tag = uint("DS key tag", f[0], 65535);
      if (!tag.ok) return tag;
      const alg = uint("DS algorithm", f[1], 255);
      if (!alg.ok) return alg;
      const dt = uint("DS digest type", f[2], 255);
      if (!dt.ok) return dt;
      const digest = hexData("DS digest", f.slice(3).join(""), { 1: 40, 2: 64, 4: 96 }[dt.value]);
      if (!digest.ok) return digest;
      return ok(`${tag.value} ${alg.value} ${dt.value} ${digest.value}`);
    }
    case "PTR":
      return target(c, "PTR target", true);
    case "NS":
      return target(c, "NS host", false);
    case "MX": {
      const f = fields(c);
      if (f.length !== 2) {
        return fail(
          `MX content "${content}" must be "<preference> <mail host>", e.g. "10 mail.example.org."`,
        );
      }
      const pref = uint("MX preference", f[0], 65535);
      if (!pref.ok) return pref;
      const host = target(f[1], "MX host", false, true);
      if (!host.ok) return host;
      return ok(`${pref.value} ${host.value}`);
    }
    case "SRV": {
      const f = fields(c);
      if (f.length !== 4) {
        return fail(
          `SRV content "${content}" must be "<priority> <weight> <port> <target>", e.g. "10 5 5223 xmpp.example.org."`,
        );
      }
      const labels = owner.split(".");
      if (labels.length < 3 || !labels[0].startsWith("_") || !labels[1].startsWith("_")) {
        return fail(
          `SRV record name "${owner}" must start with _service._proto, e.g. "_xmpp-client._tcp.${owner}"`,
        );
      }
      const nums: number[] = [];
      for (const [i, label] of ["SRV priority", "SRV weight", "SRV port"].entries()) {
        const v = uint(label, f[i], 65535);
        if (!v.ok) return v;
        nums.push(v.value);
      }
      const host = target(f[3], "SRV target", false, true);
      if (!host.ok) return host;
      return ok(`${nums.join(" ")} ${host.value}`);
    }
    case "TXT":
      return normalizeTxt(content);
    case "CAA": {
      const m = /^(\S+)\s+(\S+)\s+(.*)$/.exec(c);
      if (!m)
        return fail(
          `CAA content "${content}" must be "<flags> <tag> <value>", e.g. '0 issue "letsencrypt.org"'`,
        );
      const flags = uint("CAA flags", m[1], 255);
      if (!flags.ok) return flags;
      const tag = m[2].toLowerCase();
      const known = ["issue", "issuewild", "iodef", "issuemail", "issuevmc", "contactemail", "contactphone"];
      if (!/^[a-z0-9]+$/.test(tag)) return fail(`CAA tag "${m[2]}" may only contain letters and digits`);
      if (!known.includes(tag)) return fail(`CAA tag "${m[2]}" is unknown; use one of ${known.join(", ")}`);
      let value = m[3].trim();
      if (value.startsWith('"')) {
        if (!value.endsWith('"') || value.length < 2)
          return fail(`CAA value ${value} has an unterminated quote`);
        value = value.slice(1, -1);
      }
      if (/["\\]/.test(value)) return fail(`CAA value "${value}" may not contain quotes or backslashes`);
      if (tag === "iodef" && !/^(mailto:|https?:\/\/)\S+$/.test(value)) {
        return fail(`CAA iodef value "${value}" must be a mailto: or http(s):// URL`);
      }
      return ok(`${flags.value} ${tag} "${value}"`);
    }
    case "SMIMEA":
    case "TLSA": {
      const f = fields(c);
      if (f.length < 4) {
        return fail(
          `TLSA content "${content}" must be "<usage> <selector> <matching type> <hex data>", e.g. "3 1 1 ab12..."`,
        );
      }
      if (type === "TLSA" && !owner.startsWith("_")) {
        return fail(`TLSA record name "${owner}" must start with _port._proto, e.g. "_443._tcp.${owner}"`);
      }
      const usage = uint("TLSA usage", f[0], 3);
      if (!usage.ok) return usage;
      const selector = uint("TLSA selector", f[1], 1);
      if (!selector.ok) return selector;
      const mtype = uint("TLSA matching type", f[2], 2);
      if (!mtype.ok) return mtype;
      const hex = f.slice(3).join("").toLowerCase();
      if (!/^[0-9a-f]+$/.test(hex) || hex.length % 2 !== 0) {
        return fail(`TLSA data "${f.slice(3).join(" ")}" must be an even number of hex digits`);
      }
      const want = mtype.value === 1 ? 64 : mtype.value === 2 ? 128 : undefined;
      if (want !== undefined && hex.length !== want) {
        const algo = mtype.value === 1 ? "SHA-256" : "SHA-512";
        return fail(
          `TLSA matching type ${mtype.value} (${algo}) needs ${want} hex digits; got ${hex.length}`,
        );
      }
      return ok(`${usage.value} ${selector.value} ${mtype.value} ${hex}`);
    }
  }
}

function hexData(what: string, raw: string, digits: number | undefined): Checked<string> {
  const hex = raw.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || hex.length % 2 !== 0)
    return fail(`${what} "${raw}" must be an even number of hex digits`);
  if (digits !== undefined && hex.length !== digits)
    return fail(`${what} has ${hex.length} hex digits; this digest type needs ${digits}`);
  return ok(hex);
}

/** Canonical form of content read back from the server (lenient: unknown forms are kept as they are). */
export function canonicalFromServer(type: string, content: string, owner: string): string {
  if (!isPreciseRecordType(type)) return content;
  const n = normalizeContent(type, content, owner);
  return n.ok ? n.value : content;
}

/**
 * Contents as compared between what we wrote and what the server holds now: sorted; for SOA the
 * serial is left out (SOA-EDIT-API raises it on every change of the zone).
 */
export function comparableContents(type: string, contents: readonly string[]): string {
  const comparable = contents.map((c) => {
    if (type !== "SOA") return c;
    const f = c.trim().split(/\s+/);
    if (f.length === 7) f[2] = "*";
    return f.join(" ");
  });
  return JSON.stringify(comparable.sort());
}
