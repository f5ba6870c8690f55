/**
 * Who owns a Garage object. Garage has no tags, so ownership is recorded in what it does keep:
 * - an access key's name ends with " [owner <owner>]" (the owner is "<project>/<stack>/<resource>");
 * - a bucket has the reserved local alias "sovereign-owner" in the namespace of a marker key (no
 *   permissions) named "sovereign-owner [owner <owner>]". The marker key is made first and the
 *   bucket is created together with that alias, so an interrupted create never leaves a bucket
 *   without its owner.
 */
import type { BucketInfo } from "./client";
import { RESERVED_OWNER_ALIAS } from "./validate";

const OWNER_SUFFIX = / \[owner ([^\]]+)\]$/;

export const MARKER_KEY_NAME = RESERVED_OWNER_ALIAS;

/** The owner recorded in a key's name, if any. */
export function ownerOfKeyName(name: string): string | undefined {
  return OWNER_SUFFIX.exec(name)?.[1];
}

/** A key's name with its owner recorded. */
export function keyNameWithOwner(name: string, owner: string): string {
  return `${name} [owner ${owner}]`;
}

/** The name shown to people: the key's name without the owner record. */
export function displayKeyName(name: string): string {
  return name.replace(OWNER_SUFFIX, "");
}

export function markerKeyName(owner: string): string {
  return keyNameWithOwner(MARKER_KEY_NAME, owner);
}

export function isMarkerKeyName(name: string): boolean {
  return displayKeyName(name) === MARKER_KEY_NAME && ownerOfKeyName(name) !== undefined;
}

/** The bucket's owner and its marker key, from the keys Garage lists on it. */
export function bucketOwner(info: Pick<BucketInfo, "keys">): { owner: string; markerKeyId: string } | undefined {
  for (const k of info.keys) {
    if (isMarkerKeyName(k.name) && k.bucketLocalAliases.includes(RESERVED_OWNER_ALIAS)) {
      return { owner: ownerOfKeyName(k.name) as string, markerKeyId: k.accessKeyId };
    }
  }
  return undefined;
}

/** "owned by stack X (resource Y)" / "not created by any sovereign stack". */
export function describeOwner(owner: string | undefined): string {
  if (!owner) return "it was not created by any sovereign stack (no owner recorded)";
  const [project, stack, ...rest] = owner.split("/");
  return `it belongs to stack "${stack}" of project "${project}" (resource "${rest.join("/")}")`;
}
