/**
 * Server-side reads the providers make before they write: references (slug/name -> id), the
 * object an identity names (for adopt and interrupted creates), and an object's owner marker.
 */
import { encodeOwner, parseOwner, type OwnerId } from "../shared/ownership";
import type { Kind, NetboxClient, NetboxObject } from "./client";
import { identityQuery, KINDS, matchesIdentity, REF_LOOKUP, type KindSpec, type RefIds } from "./kinds";
import { OWNER_FIELD } from "./session";
import type { Failure } from "./validate";

/** Per process: resolved string references, by NetBox, kind and key. */
const refCache = new Map<string, number>();

/** Per process and kind: the ids one listing found (the engine checks resources one after another). */
const knownIds = new Map<string, Promise<Set<number>>>();

/**
 * Whether an object of `kind` with this id exists. The first question about a kind lists that
 * kind once (ids only); later ones are answered from that listing, so a no-change preview of a
 * large site reads each object type once instead of once per reference. An id the listing does
 * not hold (made since, e.g. earlier in the same `up`) is asked for on its own.
 */
async function idExists(client: NetboxClient, kind: Kind, id: number): Promise<boolean> {
  const key = `${client.endpoint.url} ${kind}`;
  let listing = knownIds.get(key);
  if (!listing) {
    listing = client
      .list(kind, { brief: "true" })
      .then((objs) => new Set(objs.map((o) => (o as { id: number }).id)));
    knownIds.set(key, listing);
    listing.catch(() => knownIds.delete(key));
  }
  const have = await listing;
  if (have.has(id)) return true;
  if (!(await client.get(kind, id))) return false;
  have.add(id);
  return true;
}

/** Resolves one reference: ids pass (checked to exist), strings are looked up by slug/name/prefix. */
export async function resolveRef(
  client: NetboxClient,
  kind: Kind,
  ref: number | string,
): Promise<number | undefined> {
  if (typeof ref === "number") return (await idExists(client, kind, ref)) ? ref : undefined;
  const by = REF_LOOKUP[kind];
  if (!by) return undefined;
  const cacheKey = `${client.endpoint.url} ${kind} ${ref}`;
  const cached = refCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const found = (await client.list(kind, { [by]: ref })) as unknown as Record<string, unknown>[];
  const match = found.find((o) => String(o[by]).toLowerCase() === ref.toLowerCase());
  const id = match ? (match.id as number) : undefined;
  if (id !== undefined) refCache.set(cacheKey, id);
  return id;
}

/** All references of a resource's inputs, with a failure per reference that names nothing. */
export async function resolveRefs(
  client: NetboxClient,
  spec: KindSpec,
  inputs: Record<string, unknown>,
): Promise<{ refIds: RefIds; failures: Failure[] }> {
  const refIds: RefIds = {};
  const failures: Failure[] = [];
  await Promise.all(
    spec.fields.map(async (f) => {
      if (f.type !== "ref" && f.type !== "gfk") return;
      const v = inputs[f.input];
      if (v === undefined || v === null) return;
      const id = await resolveRef(client, f.ref, v as number | string);
      refIds[f.input] = id;
      if (id === undefined) {
        const by = REF_LOOKUP[f.ref];
        const label = KINDS[f.ref].label;
        failures.push({
          property: f.input,
          reason:
            typeof v === "number"
              ? `${f.input}: NetBox has no ${label} with id ${v}`
              : `${f.input}: NetBox has no ${label} with ${by} ${JSON.stringify(v)}; create it first, or pass the netboxId output of the resource that makes it`,
        });
      }
    }),
  );
  return { refIds, failures };
}

/** The owner marker an object carries (custom field, or a tag's description). */
export function ownerOf(spec: KindSpec, obj: NetboxObject): OwnerId | undefined {
  if (spec.ownerIn === "description") return parseOwner(obj.description);
  const v = obj.custom_fields?.[OWNER_FIELD];
  return typeof v === "string" ? parseOwner(v) : undefined;
}

/** The body fields that write an owner marker. */
export function ownerBody(spec: KindSpec, owner: OwnerId): Record<string, unknown> {
  return spec.ownerIn === "description"
    ? { description: encodeOwner(owner) }
    : { custom_fields: { [OWNER_FIELD]: encodeOwner(owner) } };
}

/** The object the identity inputs name, if NetBox has one. */
export async function findByIdentity(
  client: NetboxClient,
  spec: KindSpec,
  inputs: Record<string, unknown>,
  refIds: RefIds,
): Promise<NetboxObject | undefined> {
  const found = (await client.list(
    spec.kind,
    identityQuery(spec, inputs, refIds),
  )) as unknown as NetboxObject[];
  return found.find((o) => matchesIdentity(spec, o as unknown as Record<string, unknown>, inputs));
}

/** "site slug \"dc1\"" / "VM interface name \"eth0\"": how messages name an object. */
export function describeIdentity(spec: KindSpec, inputs: Record<string, unknown>): string {
  const parts = spec.identity.map((name) => `${name} ${JSON.stringify(inputs[name])}`);
  return `${spec.label} with ${parts.join(" and ")}`;
}
