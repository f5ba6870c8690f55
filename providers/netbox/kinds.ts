/**
 * What each NetBox object kind looks like to the providers: its managed fields (input name, API
 * field, how values travel both ways), how an existing object is found (adopt, an interrupted
 * create), and which input changes replace it. Pure: the generic provider (objectProvider.ts)
 * does the I/O from this table.
 */
import type { Kind } from "./client";

/** A reference input: a NetBox id, or the slug/name/prefix of an object that exists already. */
export type Ref = number | string;

/** Kinds that a reference may point at, and the field a string reference is looked up by. */
export const REF_LOOKUP = {
  site: "slug",
  clusterType: "slug",
  cluster: "name",
  virtualMachine: "name",
  vmInterface: undefined,
  prefix: "prefix",
  ipAddress: "address",
  service: undefined,
  tag: "slug",
} as const satisfies Record<Kind, string | undefined>;

export type FieldType =
  /** Plain value, the same in the body and in the object. */
  | { type: "value" }
  /** A choice field: the object answers `{value, label}`. */
  | { type: "choice" }
  /** A foreign key: the body takes the id, the object answers a nested object with `id`. */
  | { type: "ref"; ref: Kind }
  /** A generic foreign key: `<typeApi>` = objectType and `<api>` (the id field). */
  | { type: "gfk"; ref: Kind; typeApi: string; objectType: string }
  /** Tag slugs: the body takes `[{slug}]`, the object answers nested tags. */
  | { type: "tags" };

export type FieldSpec = FieldType & {
  /** The input's name. */
  input: string;
  /** The API field (for gfk, the id field). */
  api: string;
  required?: boolean;
};

export interface KindSpec {
  kind: Kind;
  /** Singular, for messages ("site", "virtual machine"). */
  label: string;
  fields: FieldSpec[];
  /** The inputs (one or two) that name the object; found by these, they are in messages. */
  identity: string[];
  /** Inputs whose change replaces the object (the rest are updated in place). */
  replaceOn: string[];
  /** Where the owner marker lives: the `sovereign_owner` custom field, or (tags) the description. */
  ownerIn: "customField" | "description";
}

const value = (input: string, api = input, required = false): FieldSpec => ({
  type: "value",
  input,
  api,
  required,
});
const choice = (input: string, api = input): FieldSpec => ({ type: "choice", input, api });
const ref = (input: string, api: string, target: Kind, required = false): FieldSpec => ({
  type: "ref",
  input,
  api,
  ref: target,
  required,
});
const gfk = (
  input: string,
  prefix: string,
  target: Kind,
  objectType: string,
  required = false,
): FieldSpec => ({
  type: "gfk",
  input,
  api: `${prefix}_id`,
  typeApi: `${prefix}_type`,
  ref: target,
  objectType,
  required,
});
const tags: FieldSpec = { type: "tags", input: "tags", api: "tags" };
const description = value("description");

export const KINDS: Record<Kind, KindSpec> = {
  site: {
    kind: "site",
    label: "site",
    fields: [value("name", "name", true), value("slug", "slug", true), choice("status"), description, tags],
    identity: ["slug"],
    replaceOn: [],
    ownerIn: "customField",
  },
  clusterType: {
    kind: "clusterType",
    label: "cluster type",
    fields: [value("name", "name", true), value("slug", "slug", true), description],
    identity: ["slug"],
    replaceOn: [],
    ownerIn: "customField",
  },
  cluster: {
    kind: "cluster",
    label: "cluster",
    fields: [
      value("name", "name", true),
      ref("type", "type", "clusterType", true),
      gfk("site", "scope", "site", "dcim.site"),
      choice("status"),
      description,
      tags,
    ],
    identity: ["name"],
    replaceOn: [],
    ownerIn: "customField",
  },
  virtualMachine: {
    kind: "virtualMachine",
    label: "virtual machine",
    fields: [
      value("name", "name", true),
      ref("cluster", "cluster", "cluster", true),
      ref("site", "site", "site"),
      choice("status"),
      value("vcpus"),
      value("memory"),
      value("disk"),
      description,
      tags,
    ],
    identity: ["name"],
    replaceOn: [],
    ownerIn: "customField",
  },
  vmInterface: {
    kind: "vmInterface",
    label: "VM interface",
    fields: [
      ref("virtualMachine", "virtual_machine", "virtualMachine", true),
      value("name", "name", true),
      value("enabled"),
      value("mtu"),
      description,
      tags,
    ],
    identity: ["virtualMachine", "name"],
    replaceOn: ["virtualMachine"],
    ownerIn: "customField",
  },
  prefix: {
    kind: "prefix",
    label: "prefix",
    fields: [
      value("prefix", "prefix", true),
      gfk("site", "scope", "site", "dcim.site"),
      choice("status"),
      value("isPool", "is_pool"),
      description,
      tags,
    ],
    identity: ["prefix"],
    replaceOn: [],
    ownerIn: "customField",
  },
  ipAddress: {
    kind: "ipAddress",
    label: "IP address",
    fields: [
      value("address", "address", true),
      gfk("interface", "assigned_object", "vmInterface", "virtualization.vminterface"),
      choice("status"),
      value("dnsName", "dns_name"),
      description,
      tags,
    ],
    identity: ["address"],
    replaceOn: [],
    ownerIn: "customField",
  },
  service: {
    kind: "service",
    label: "service",
    fields: [
      gfk("virtualMachine", "parent_object", "virtualMachine", "virtualization.virtualmachine", true),
      value("name", "name", true),
      choice("protocol"),
      value("ports", "ports", true),
      description,
      tags,
    ],
    identity: ["virtualMachine", "name"],
    replaceOn: ["virtualMachine"],
    ownerIn: "customField",
  },
  tag: {
    kind: "tag",
    label: "tag",
    fields: [value("name", "name", true), value("slug", "slug", true), value("color")],
    identity: ["slug"],
    replaceOn: [],
    ownerIn: "description",
  },
};

/** Resolved reference ids, by input name. */
export type RefIds = Record<string, number | undefined>;

/** The list filter that finds the object an identity names (refs by their resolved ids). */
export function identityQuery(
  spec: KindSpec,
  inputs: Record<string, unknown>,
  refIds: RefIds,
): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  for (const name of spec.identity) {
    const field = spec.fields.find((f) => f.input === name);
    if (!field) throw new Error(`${spec.kind}: identity ${name} is no field`);
    if (field.type === "ref" || field.type === "gfk") {
      // NetBox's filters: virtual_machine_id for interfaces and services.
      query[`${field.ref === "virtualMachine" ? "virtual_machine" : field.api}_id`] = refIds[name] ?? -1;
    } else {
      query[field.api] = String(inputs[name]);
    }
  }
  return query;
}

/** Whether a server object matches the identity exactly (NetBox filters are case-insensitive or partial). */
export function matchesIdentity(
  spec: KindSpec,
  obj: Record<string, unknown>,
  inputs: Record<string, unknown>,
): boolean {
  return spec.fields
    .filter((f) => spec.identity.includes(f.input) && f.type === "value")
    .every((f) => String(obj[f.api]).toLowerCase() === String(inputs[f.input]).toLowerCase());
}

/** The request body for the given inputs: only fields the user gave (others keep NetBox's values). */
export function bodyFor(
  spec: KindSpec,
  inputs: Record<string, unknown>,
  refIds: RefIds,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of spec.fields) {
    const v = inputs[f.input];
    if (v === undefined) continue;
    switch (f.type) {
      case "value":
      case "choice":
        body[f.api] = v;
        break;
      case "ref":
        body[f.api] = refIds[f.input];
        break;
      case "gfk":
        body[f.typeApi] = f.objectType;
        body[f.api] = refIds[f.input];
        break;
      case "tags":
        body[f.api] = (v as string[]).map((slug) => ({ slug }));
        break;
    }
  }
  return body;
}

const nestedId = (v: unknown): number | undefined =>
  v && typeof v === "object" && typeof (v as { id?: unknown }).id === "number"
    ? (v as { id: number }).id
    : undefined;

/** The id a NetBox object's reference field points at (null when none, or another object type). */
export function heldRefId(f: FieldSpec, obj: Record<string, unknown>): number | null {
  const raw = obj[f.api];
  if (f.type === "ref") return nestedId(raw) ?? null;
  if (f.type === "gfk") return obj[f.typeApi] === f.objectType && typeof raw === "number" ? raw : null;
  return null;
}

/**
 * The inputs as NetBox holds them now, for `read` (refresh): for every field the inputs manage,
 * NetBox's value; a reference that still points at the object resolved before keeps the input's
 * spelling (slug or id), one that was changed in NetBox becomes the id it points at now.
 */
export function observedInputs(
  spec: KindSpec,
  obj: Record<string, unknown>,
  inputs: Record<string, unknown>,
  refIds: RefIds,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of spec.fields) {
    if (inputs[f.input] === undefined) continue;
    const raw = obj[f.api];
    switch (f.type) {
      case "value":
        out[f.input] =
          f.input === "ports" && Array.isArray(raw)
            ? [...(raw as number[])].sort((a, b) => a - b)
            : (raw ?? null);
        break;
      case "choice":
        out[f.input] = raw && typeof raw === "object" ? (raw as { value?: unknown }).value : raw;
        break;
      case "ref":
      case "gfk": {
        const id = heldRefId(f, obj);
        out[f.input] = id === refIds[f.input] ? inputs[f.input] : (id ?? null);
        break;
      }
      case "tags":
        out[f.input] = Array.isArray(raw) ? raw.map((t) => (t as { slug: string }).slug).sort() : [];
        break;
    }
  }
  return out;
}

/** Inputs whose values differ between two input sets (undefined in `news` = not managed). */
export function changedFields(
  spec: KindSpec,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): string[] {
  const norm = (name: string, v: unknown): string =>
    JSON.stringify(Array.isArray(v) && (name === "tags" || name === "ports") ? [...v].sort() : (v ?? null));
  return spec.fields
    .map((f) => f.input)
    .filter((name) => news[name] !== undefined && norm(name, olds[name]) !== norm(name, news[name]));
}
