/**
 * Pure decision: what a logical replica's start does with the database it streams into. The
 * replica starts from an empty database; one that is this owner's (its comment is the owner's
 * marker) is emptied in place, keeping its marker, collation and grants; one that is empty is
 * used as it is; anything else is refused, naming the database and its owner, because emptying
 * it would destroy someone else's data.
 */
import { describeOwner } from "../../providers/shared/ownership";

/** What the target database is, as the start of a replica finds it. */
export interface ReplicaTargetFound {
  /** The database's name. */
  readonly database: string;
  /** Where it is ("127.0.20.1:5432"), for the refusal. */
  readonly where: string;
  /** `undefined` absent, `null` present without an owner marker, else the marker's owner. */
  readonly marker: string | null | undefined;
  /** How many objects it holds (databaseContents.ts); 0 when absent. */
  readonly objects: number;
}

/** What to do: make the database, empty it, use it as it is, or refuse (with the reason). */
export type ReplicaTargetAction =
  | { readonly action: "create" }
  | { readonly action: "empty" }
  | { readonly action: "use" }
  | { readonly action: "refuse"; readonly reason: string };

/**
 * The decision for a replica's (or a restore's: `filler`) target database, for the resource whose
 * owner id is `owner` (undefined: a resource that marks nothing, which only ever fills an empty
 * database).
 */
export function replicaTargetAction(
  found: ReplicaTargetFound,
  owner?: string,
  filler = "the replica",
): ReplicaTargetAction {
  if (found.marker === undefined) return { action: "create" };
  if (owner !== undefined && found.marker === owner)
    return found.objects > 0 ? { action: "empty" } : { action: "use" };
  if (found.objects === 0 && found.marker === null) return { action: "use" };
  return {
    action: "refuse",
    reason:
      `database ${found.database} at ${found.where} holds ${found.objects} objects and belongs to ` +
      `${describeOwner(found.marker ?? undefined)}, not to ${owner ? `"${owner}"` : "this resource (it marks nothing)"}: ` +
      `${filler} would have to empty it. Drop or rename that database, or move the site under another name`,
  };
}
