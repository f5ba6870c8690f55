/**
 * Where a Keycloak object keeps its owner: the attribute "sovereign.owner" holding the shared
 * marker (`encodeOwner()` of providers/shared/ownership: `sovereign-owner:<project>/<stack>/<name>`).
 * Realms and clients keep attributes as strings, groups and users as lists of strings. The decisions
 * over it are the shared ones (decideClaim, decideWrite, decideDelete).
 */
import { encodeOwner, parseOwner, type OwnerId } from "../shared/ownership";

export const OWNER_ATTRIBUTE = "sovereign.owner";

/** The owner a realm's/client's (string) or group's/user's (string[]) attributes name. */
export function ownerFromAttributes(attributes: Record<string, unknown> | undefined): OwnerId | undefined {
  const raw = attributes?.[OWNER_ATTRIBUTE];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  // Before the shared marker, the attribute held the bare id (project/stack/type/name): still
  // someone's, so it is named in refusals and never taken for ours.
  return parseOwner(value) ?? value.trim();
}

/** The attributes with the owner marker written in, as a string or a one-element list. */
export function withOwnerAttribute(
  attributes: Record<string, string> | undefined,
  owner: OwnerId,
  asList: false,
): Record<string, string>;
export function withOwnerAttribute(
  attributes: Record<string, string[]> | undefined,
  owner: OwnerId,
  asList: true,
): Record<string, string[]>;
export function withOwnerAttribute(
  attributes: Record<string, unknown> | undefined,
  owner: OwnerId,
  asList: boolean,
): Record<string, unknown> {
  const marker = encodeOwner(owner);
  return { ...attributes, [OWNER_ATTRIBUTE]: asList ? [marker] : marker };
}
