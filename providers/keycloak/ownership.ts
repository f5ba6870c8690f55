/**
 * Who owns a Keycloak object: a marker attribute ("sovereign.owner") holding the owner id of the
 * stack resource that made it (project/stack/type/name). Thin on purpose: it follows the provider
 * rules of issue 7 and gives way to providers/shared/ once that exists.
 */

export const OWNER_ATTRIBUTE = "sovereign.owner";

/** The owner id for a resource of a stack. */
export function ownerId(project: string, stack: string, type: string, name: string): string {
  return `${project}/${stack}/${type}/${name}`;
}

/** The marker from attributes as realms/clients (string) or groups/users (string[]) hold them. */
export function ownerFromAttributes(attributes: Record<string, unknown> | undefined): string | undefined {
  const value = attributes?.[OWNER_ATTRIBUTE];
  if (typeof value === "string") return value || undefined;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0] || undefined;
  return undefined;
}

export type TakeOver = "create" | "continue" | "adopt";

/**
 * What `create` may do with an object that already exists under the same name: continue its own
 * interrupted work, take it over when adopting, else refuse naming who owns it.
 */
export function decideTakeOver(
  what: string,
  found: boolean,
  currentOwner: string | undefined,
  me: string,
  adopt: boolean,
): TakeOver {
  if (!found) return "create";
  if (currentOwner === me) return "continue";
  if (adopt) return "adopt";
  const who = currentOwner ? `it belongs to ${currentOwner}` : "it is not owned by any stack";
  throw new Error(
    `${what} already exists and ${who}: set adopt: true on this resource to take it over (keeping the server's values for inputs you did not give), or choose another name`,
  );
}

/** Whether `delete` may remove the object: only while the same owner still holds it. */
export function mayDelete(currentOwner: string | undefined, me: string): boolean {
  return currentOwner === me;
}
