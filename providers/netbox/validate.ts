/**
 * Input checks that need no server (run in `check`, at preview): each failure names the field and
 * says how to fix it. Values the engine does not know yet (outputs of resources still to be made)
 * are skipped; the server-side checks (references, duplicates, free addresses) are in lookups.ts.
 */
import { configKeyProblem } from "../shared/credentials";
import { ownerProblem } from "../shared/ownership";
import { networkText, parseCidr, prefixContains } from "./cidr";
import type { Kind } from "./client";
import { KINDS, REF_LOOKUP, type FieldSpec } from "./kinds";

export interface Failure {
  property: string;
  reason: string;
}

/** What the engine passes for a value it does not know yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(isUnknown);
  if (v && typeof v === "object") return Object.values(v).some(isUnknown);
  return false;
}

/** The default stack config key holding the NetBox API token. */
export const DEFAULT_TOKEN_CONFIG = "sovereign:netboxToken";

/** NetBox's slug rule (SlugField): letters, digits, hyphens and underscores. */
const SLUG = /^[-a-zA-Z0-9_]+$/;

export const STATUS_CHOICES: Partial<Record<Kind, readonly string[]>> = {
  site: ["planned", "staging", "active", "decommissioning", "retired"],
  cluster: ["planned", "staging", "active", "decommissioning", "offline"],
  virtualMachine: ["offline", "active", "planned", "staged", "failed", "decommissioning", "paused"],
  prefix: ["container", "active", "reserved", "deprecated"],
  ipAddress: ["active", "reserved", "deprecated", "dhcp", "slaac"],
};
export const PROTOCOLS = ["tcp", "udp", "sctp"] as const;

/** The connection inputs every NetBox resource has: url, tokenConfig, owner. */
export function connectionFailures(inputs: Record<string, unknown>): Failure[] {
  const failures: Failure[] = [];
  const url = inputs.url;
  if (!isUnknown(url)) {
    let ok = false;
    try {
      ok = typeof url === "string" && ["http:", "https:"].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok)
      failures.push({
        property: "url",
        reason: `url ${JSON.stringify(url)} must be NetBox's base URL, e.g. "http://127.0.0.1:8000"`,
      });
  }
  const tokenConfig = inputs.tokenConfig ?? DEFAULT_TOKEN_CONFIG;
  const keyProblem = configKeyProblem("tokenConfig", tokenConfig);
  if (keyProblem) failures.push({ property: "tokenConfig", reason: keyProblem });
  const owner = ownerProblem(inputs.owner);
  if (owner && !isUnknown(inputs.owner)) failures.push({ property: "owner", reason: owner });
  return failures;
}

function refFailure(field: FieldSpec & { ref: Kind }, v: unknown): string | undefined {
  const by = REF_LOOKUP[field.ref];
  if (typeof v === "number" && Number.isInteger(v) && v > 0) return undefined;
  if (typeof v === "string" && v.trim() !== "" && by) return undefined;
  const label = KINDS[field.ref].label;
  return by
    ? `${field.input} must be the NetBox id of a ${label} (e.g. a resource's netboxId output) or the ${by} of an existing one; got ${JSON.stringify(v)}`
    : `${field.input} must be the NetBox id of a ${label} (e.g. a resource's netboxId output); got ${JSON.stringify(v)}`;
}

function valueFailure(kind: Kind, name: string, v: unknown): string | undefined {
  const isText = typeof v === "string";
  switch (name) {
    case "name":
      return isText && v.trim() !== "" && v.length <= 64
        ? undefined
        : `name must be 1 to 64 characters; got ${JSON.stringify(v)}`;
    case "slug":
      return isText && SLUG.test(v) && v.length <= 100
        ? undefined
        : `slug ${JSON.stringify(v)} may contain only letters, digits, "-" and "_" (e.g. "${
            String(v)
              .toLowerCase()
              .replace(/[^a-z0-9_-]+/g, "-")
              .replace(/^-+|-+$/g, "") || "my-site"
          }")`;
    case "prefix": {
      const cidr = isText ? parseCidr(v) : undefined;
      if (!cidr)
        return `prefix ${JSON.stringify(v)} is not a CIDR prefix such as "10.0.0.0/24" or "2001:db8::/64"`;
      return cidr.address === cidr.network
        ? undefined
        : `prefix ${v} has host bits set: write ${networkText(cidr)}`;
    }
    case "address":
      return isText && parseCidr(v)
        ? undefined
        : `address ${JSON.stringify(v)} must be an address with its prefix length, e.g. "10.0.0.5/24"`;
    case "ports":
      return Array.isArray(v) && v.length > 0 && v.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)
        ? undefined
        : `ports must be a non-empty list of port numbers 1-65535; got ${JSON.stringify(v)}`;
    case "vcpus":
    case "memory":
    case "disk":
    case "mtu":
      return typeof v === "number" && v >= 0
        ? undefined
        : `${name} must be a number >= 0; got ${JSON.stringify(v)}`;
    case "enabled":
    case "isPool":
      return typeof v === "boolean" ? undefined : `${name} must be true or false`;
    case "color":
      return isText && /^[0-9a-f]{6}$/.test(v)
        ? undefined
        : `color must be 6 lowercase hex digits such as "9e9e9e"`;
    case "status": {
      const choices = STATUS_CHOICES[kind] ?? [];
      return isText && choices.includes(v)
        ? undefined
        : `status ${JSON.stringify(v)} must be one of ${choices.join(", ")}`;
    }
    case "protocol":
      return isText && (PROTOCOLS as readonly string[]).includes(v)
        ? undefined
        : `protocol must be one of ${PROTOCOLS.join(", ")}`;
    default:
      return isText ? undefined : `${name} must be text`;
  }
}

/** Pure checks of one resource's inputs. */
export function validateInputs(kind: Kind, inputs: Record<string, unknown>): Failure[] {
  return [...connectionFailures(inputs), ...fieldFailures(kind, inputs)];
}

/** Pure checks of an object's fields (no connection inputs): one resource, or one collection entry. */
export function fieldFailures(kind: Kind, inputs: Record<string, unknown>): Failure[] {
  const failures: Failure[] = [];
  const spec = KINDS[kind];
  for (const field of spec.fields) {
    const v = inputs[field.input];
    if (isUnknown(v)) continue;
    if (v === undefined || v === null) {
      if (field.required)
        failures.push({
          property: field.input,
          reason:
            kind === "virtualMachine" && field.input === "cluster"
              ? "cluster is required: a virtual machine must belong to a cluster (give a Cluster resource's netboxId or an existing cluster's name)"
              : `${field.input} is required for a ${spec.label}`,
        });
      continue;
    }
    const reason =
      field.type === "ref" || field.type === "gfk"
        ? refFailure(field, v)
        : field.type === "tags"
          ? Array.isArray(v) && v.every((t) => typeof t === "string" && SLUG.test(t))
            ? undefined
            : `tags must be a list of tag slugs (letters, digits, "-", "_")`
          : valueFailure(kind, field.input, v);
    if (reason) failures.push({ property: field.input, reason });
  }
  if (kind === "ipAddress" && typeof inputs.withinPrefix === "string" && typeof inputs.address === "string") {
    const prefix = parseCidr(inputs.withinPrefix);
    const address = parseCidr(inputs.address);
    if (!prefix)
      failures.push({
        property: "withinPrefix",
        reason: `withinPrefix ${JSON.stringify(inputs.withinPrefix)} is not a CIDR prefix`,
      });
    else if (address && !prefixContains(prefix, address))
      failures.push({
        property: "address",
        reason: `address ${inputs.address} is outside its prefix ${inputs.withinPrefix}: pick an address inside it, or allocate one with NetboxIpAllocation`,
      });
  }
  return failures;
}

/** Pure checks of an allocation's inputs. */
export function validateAllocation(inputs: Record<string, unknown>): Failure[] {
  const failures = connectionFailures(inputs);
  const prefix = inputs.prefix;
  if (!isUnknown(prefix)) {
    const reason =
      typeof prefix === "number"
        ? Number.isInteger(prefix) && prefix > 0
          ? undefined
          : "prefix must be a positive NetBox id"
        : valueFailure("prefix", "prefix", prefix);
    if (reason) failures.push({ property: "prefix", reason });
  }
  for (const name of ["description", "dnsName"]) {
    const v = inputs[name];
    if (v !== undefined && !isUnknown(v) && typeof v !== "string")
      failures.push({ property: name, reason: `${name} must be text` });
  }
  if (inputs.status !== undefined && !isUnknown(inputs.status)) {
    const reason = valueFailure("ipAddress", "status", inputs.status);
    if (reason) failures.push({ property: "status", reason });
  }
  return failures;
}
