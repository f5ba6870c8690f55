/**
 * Readies a database that is about to be filled whole from elsewhere (a replica's start, a
 * restore from an archive); replicaTarget.ts decides what happens to it: made when absent (with
 * the owner's marker and the app's settings), emptied in place when it is the owner's own (its
 * marker, collation and grants stay), used when it is empty and unmarked, refused when it holds
 * objects and is not the owner's, before anything in it is touched.
 */
import { ensureDatabase, type PostgresConnection } from "./postgresCopy";
import { databaseObjectCount, emptyDatabase } from "./databaseContents";
import type { DatabaseSpec } from "./databaseSpec";
import { replicaTargetAction } from "./replicaTarget";
import { claimDatabase, databaseOwner } from "../migration/placeOwners";

/** Whose the database is to be, and how it is made when absent. */
export interface TargetDatabaseOptions {
  /** The owner id of the resource that fills it; without it, only an empty database is used. */
  readonly owner?: string;
  /** Collation, ctype and encoding the app needs (databaseSpec.ts), for a database made here. */
  readonly database?: DatabaseSpec;
}

/** Readies `target` as replicaTarget.ts decides; `filler` names what fills it in a refusal. */
export async function readyTargetDatabase(
  target: PostgresConnection,
  options: TargetDatabaseOptions,
  filler = "the replica",
): Promise<void> {
  const where = `${target.host}:${target.port}`;
  const marker = await databaseOwner(target);
  const objects = marker === undefined ? 0 : await databaseObjectCount(target);
  const decision = replicaTargetAction(
    { database: target.database, where, marker, objects },
    options.owner,
    filler,
  );
  switch (decision.action) {
    case "refuse":
      throw new Error(decision.reason);
    case "create":
      if (options.owner) await claimDatabase(target, options.owner, where, options.database);
      else await ensureDatabase(target, options.database);
      return;
    case "empty":
      await emptyDatabase(target);
      return;
    case "use":
      return;
  }
}
