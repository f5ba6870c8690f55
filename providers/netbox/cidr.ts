/**
 * IPv4/IPv6 addresses and prefixes as numbers: parse "10.0.0.0/24" or "2001:db8::/64", check that
 * a prefix has no host bits set, that an address is inside a prefix. Pure.
 */
import { isIP } from "net";

export interface Cidr {
  version: 4 | 6;
  /** The address as written, as a number. */
  address: bigint;
  length: number;
  /** The address with the host bits cleared. */
  network: bigint;
}

function v4ToBig(text: string): bigint {
  return text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBig(text: string): bigint {
  let t = text;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (v4Tail) {
    const n = v4ToBig(v4Tail[1]);
    t = t.slice(0, -v4Tail[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = t.includes("::") ? t.split("::") : [t, undefined];
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...(tail === undefined ? [] : Array<string>(missing).fill("0")), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)), 0n);
}

function bigToV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 0xffn)).join(".");
}

function bigToV6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of zero groups (two or more) becomes "::".
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLength).join(":")}`;
}

export function formatAddress(version: 4 | 6, n: bigint): string {
  return version === 4 ? bigToV4(n) : bigToV6(n);
}

/** Parses "addr/len"; undefined when it is not one (with `requireLength`, a bare address is refused). */
export function parseCidr(text: string, requireLength = true): Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const [addr, len, ...rest] = text.trim().split("/");
  if (rest.length > 0 || (len === undefined && requireLength)) return undefined;
  const version = isIP(addr);
  if (version !== 4 && version !== 6) return undefined;
  const bits = version === 4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return undefined;
  const length = len === undefined ? bits : Number(len);
  if (length > bits) return undefined;
  const address = version === 4 ? v4ToBig(addr) : v6ToBig(addr);
  const hostMask = (1n << BigInt(bits - length)) - 1n;
  return { version, address, length, network: address & ~hostMask };
}

/** Whether `address` ("10.0.0.5" or "10.0.0.5/24") lies inside `prefix`. */
export function prefixContains(prefix: Cidr, address: Cidr): boolean {
  if (prefix.version !== address.version) return false;
  const bits = prefix.version === 4 ? 32 : 128;
  return address.address >> BigInt(bits - prefix.length) === prefix.network >> BigInt(bits - prefix.length);
}

/** "10.0.0.0/24" for a prefix written with host bits ("10.0.0.5/24"). */
export function networkText(cidr: Cidr): string {
  return `${formatAddress(cidr.version, cidr.network)}/${cidr.length}`;
}

/** The address without its mask: "10.0.0.5/24" -> "10.0.0.5". */
export function hostPart(text: string): string {
  return text.split("/")[0];
}
