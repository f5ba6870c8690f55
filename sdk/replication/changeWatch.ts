/**
 * Which tables of a database were written since a moment, as PostgreSQL's own WAL says: a logical
 * replication slot (output plugin `test_decoding`, shipped with PostgreSQL) made at that moment and
 * only ever peeked, never consumed. Every committed INSERT, UPDATE, DELETE and TRUNCATE of a
 * WAL-logged table after the slot was made is decoded from it; nothing else reads the slot.
 *
 * The migration's pre-verify (sdk/migration/tableCheckpoint.ts) uses one at each side so that the
 * verify inside the write window reads again only the tables written since both sides were
 * checksummed equal. A slot keeps the WAL from its start: {@link endWatch} drops it, and the
 * replica's promotion and abandonment drop it too (logicalReplica.ts).
 */
import { createHash } from "crypto";
import { literal, type PostgresConnection } from "./postgresCopy";
import { query } from "./pgQuery";

/** Which end of a replica watches: the two may share a cluster, so their slots are named apart. */
export type WatchSide = "source" | "target";

/** What was written since the watch started. */
export interface WatchedChanges {
  /** Names of the public tables with committed changes since the watch started. */
  readonly tables: ReadonlySet<string>;
  /** A TRUNCATE was decoded (its line may list several tables): count every table as written. */
  readonly all: boolean;
}

/**
 * The slot's name: `sovwatch_<s|t>_` (never a replica's `sov_<database>`) and the database's name in the characters a slot name allows,
 * with a hash of the exact name (two names that differ only in other characters stay apart).
 */
export function watchSlotName(database: string, side: WatchSide): string {
  const hash = createHash("sha256").update(database).digest("hex").slice(0, 8);
  const safe = database.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  return `sovwatch_${side[0]}_${safe.slice(0, 63 - 20)}_${hash}`;
}

/**
 * Starts watching the database's writes from now (a watch left by an earlier run is replaced).
 * Returns undefined, or why no watch could start (no free replication slot, `wal_level` below
 * logical, no right to make slots): the caller then reads every table as before.
 */
export async function startWatch(c: PostgresConnection, side: WatchSide): Promise<string | undefined> {
  await endWatch(c, side);
  try {
    await query(
      c,
      `SELECT 1 FROM pg_create_logical_replication_slot(${literal(watchSlotName(c.database, side))}, 'test_decoding')`,
    );
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^query on .*?: ERROR: /, "");
  }
}

/** The writes since {@link startWatch}; undefined when the database has no watch. */
export async function changesSinceWatch(
  c: PostgresConnection,
  side: WatchSide,
): Promise<WatchedChanges | undefined> {
  const slot = literal(watchSlotName(c.database, side));
  // One line per changed table ('*' for a TRUNCATE); a name the catalog no longer has (a table
  // dropped since) is left out: a table that does not exist is not verified either.
  const out = await query(
    c,
    `SELECT 'watch'
     UNION ALL
     SELECT DISTINCT CASE WHEN w.op = 'TRUNCATE' THEN '*' ELSE 't ' || c.relname END
       FROM (SELECT substring(data from '^table (.*?): [A-Z]+:') AS q, substring(data from '^table .*?: ([A-Z]+):') AS op
               FROM pg_logical_slot_peek_changes(${slot}, NULL, NULL) WHERE data LIKE 'table %') w
       LEFT JOIN (pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public')
         ON quote_ident(n.nspname) || '.' || quote_ident(c.relname) = w.q
      WHERE w.op = 'TRUNCATE' OR c.relname IS NOT NULL`,
  ).catch((error: Error) => {
    // pg_logical_slot_peek_changes fails on a slot that does not exist: read as "no watch".
    if (/replication slot .* does not exist/.test(error.message)) return "";
    throw error;
  });
  const lines = out.split("\n").filter(Boolean);
  if (!lines.includes("watch")) return undefined;
  return {
    tables: new Set(lines.filter((l) => l.startsWith("t ")).map((l) => l.slice(2))),
    all: lines.includes("*"),
  };
}

/** Drops the database's watch, if it has one (the WAL it kept is freed). */
export async function endWatch(c: PostgresConnection, side: WatchSide): Promise<void> {
  await query(
    c,
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
      WHERE slot_name = ${literal(watchSlotName(c.database, side))} AND NOT active`,
  );
}
