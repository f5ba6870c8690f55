/**
 * Ownership markers and the decisions made from them. Pure: no I/O, no Pulumi.
 *
 * Every object a provider creates carries its owner: `<project>/<stack>/<resource name>`, written
 * where the service allows it (PowerDNS: the rrset comment, zone metadata; NetBox: a custom field;
 * Garage: a bucket alias or key name...). The provider reads it back before it creates, changes or
 * deletes, and asks these functions what to do.
 */

/** `<project>/<stack>/<resource name>`: stable across runs, readable in a refusal message. */
export type OwnerId = string;

const PREFIX = "sovereign-owner:";
const hasControl = (v: string): boolean =>
  [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
/** What the first PowerDNS provider wrote before owners were recorded (still recognised). */
export const LEGACY_MARKER = "managed by sovereign (Pulumi)";
/** The owner parsed from a LEGACY_MARKER: some sovereign stack, unknown which. */
export const LEGACY_OWNER: OwnerId = "(a sovereign stack; written before owners were recorded)";

/**
 * The owner id of a resource. Throws for parts that would make the id ambiguous or unprintable.
 * Surrounding blanks are dropped (services trim the texts they store).
 */
export function ownerId(project: string, stack: string, resourceName: string): OwnerId {
  const resource = resourceName.trim();
  for (const [what, v] of [
    ["project", project],
    ["stack", stack],
    ["resource name", resource],
  ] as const) {
    if (v === "" || hasControl(v))
      throw new Error(`owner ${what} ${JSON.stringify(v)} must be non-empty printable text`);
    if (what !== "resource name" && v.includes("/"))
      throw new Error(`owner ${what} ${JSON.stringify(v)} may not contain "/"`);
  }
  return `${project}/${stack}/${resource}`;
}

/** Why an owner input is unusable, or undefined when it is fine (for `check`). */
export function ownerProblem(owner: unknown): string | undefined {
  if (typeof owner !== "string" || !/^[^/\s]+\/[^/\s]+\/.+$/.test(owner) || hasControl(owner))
    return `owner ${JSON.stringify(owner)} must look like "<project>/<stack>/<resource>"; leave it unset and the resource derives it from pulumi.getProject(), pulumi.getStack() and its name`;
  return undefined;
}

/** The marker text for an owner (one line; stored in a comment, a tag, metadata...). */
export function encodeOwner(owner: OwnerId): string {
  return PREFIX + owner;
}

/** The owner a marker names; undefined when the text is no marker of ours. */
export function parseOwner(text: string | undefined): OwnerId | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t.startsWith(PREFIX)) {
    const owner = t.slice(PREFIX.length).trim();
    return owner === "" ? undefined : owner;
  }
  return t === LEGACY_MARKER ? LEGACY_OWNER : undefined;
}

/** The first marker found among several texts (e.g. all comments of an rrset). */
export function ownerAmong(texts: readonly (string | undefined)[]): OwnerId | undefined {
  for (const t of texts) {
    const o = parseOwner(t);
    if (o !== undefined) return o;
  }
  return undefined;
}

/**
 * The owner ids that count as "us" for one resource: e.g. `ownIds(news.owner, olds.owner)` in an
 * update (a rename through `aliases` changes the id; the update that follows rewrites the marker)
 * or `ownIds(props.owner)` in a delete. An undefined id comes from a state written before owners
 * were recorded: it stands for the legacy marker.
 */
export function ownIds(...ids: (OwnerId | undefined)[]): OwnerId[] {
  return [...new Set(ids.map((id) => id ?? LEGACY_OWNER))];
}

/** True when `owner` is one of this stack's resources (any resource of `<project>/<stack>`). */
export function ownedByStack(owner: OwnerId | undefined, me: OwnerId): boolean {
  if (owner === undefined) return false;
  const stackPrefix = me.split("/").slice(0, 2).join("/") + "/";
  return owner.startsWith(stackPrefix);
}

/** How a refusal or warning names an owner. */
export function describeOwner(owner: OwnerId | undefined): string {
  if (owner === undefined) return "no one (it carries no sovereign owner marker)";
  return owner === LEGACY_OWNER ? LEGACY_OWNER : `"${owner}"`;
}

export interface Found {
  /** The object exists on the server. */
  exists: boolean;
  /** Its owner marker, parsed; undefined when it has none. */
  owner?: OwnerId;
}

export type ClaimDecision =
  | { action: "create" }
  /** Our own earlier, interrupted create: write our values over it. */
  | { action: "continue" }
  /** Someone else's (or no one's), and the user said `adopt: true`. */
  | { action: "adopt"; from?: OwnerId }
  | { action: "refuse"; reason: string };

/** `create`: what to do about an object that may already exist. */
export function decideClaim(found: Found, me: OwnerId, adopt: boolean): ClaimDecision {
  if (!found.exists) return { action: "create" };
  if (found.owner === me) return { action: "continue" };
  if (adopt) return { action: "adopt", from: found.owner };
  return {
    action: "refuse",
    reason:
      `it already exists and belongs to ${describeOwner(found.owner)}, not to "${me}". ` +
      `Set "adopt: true" on this resource to take it over (the other owner's stack will then leave it alone on delete), ` +
      `or remove it from one of the two programs`,
  };
}

export type WriteDecision = { action: "write" } | { action: "refuse"; reason: string };

/**
 * `update`: our state says we own it; write only if the server agrees (or the marker is gone, in
 * which case the write puts ours back). Another owner's marker means it was adopted away from us.
 */
export function decideWrite(found: Found, own: readonly OwnerId[]): WriteDecision {
  if (!found.exists || found.owner === undefined || own.includes(found.owner)) return { action: "write" };
  return {
    action: "refuse",
    reason: `it was taken over by ${describeOwner(found.owner)}; remove it from this program (its delete leaves it alone), or set "adopt: true" to take it back`,
  };
}

export type DeleteDecision =
  | { action: "delete" }
  /** Already gone: nothing to do. */
  | { action: "gone" }
  /** Not ours any more: leave it, and tell the user. */
  | { action: "leave"; warning: string };

/** `delete`: remove only what the same owner still holds. */
export function decideDelete(found: Found, own: readonly OwnerId[]): DeleteDecision {
  if (!found.exists) return { action: "gone" };
  if (found.owner !== undefined && own.includes(found.owner)) return { action: "delete" };
  return {
    action: "leave",
    warning: `left in place: it now belongs to ${describeOwner(found.owner)}, not to ${own.map((o) => describeOwner(o)).join(" or ")}; this stack forgets it without deleting it`,
  };
}
