/**
 * The pre-verify of a streamed database, and the verify that uses it. Before the stop, while the
 * source serves, every table is checksummed at both sides (the target after it has confirmed the
 * source's WAL position at the end of the source's reading), and each side starts a change watch
 * (replication/changeWatch.ts) BEFORE its reading. Inside the write window, a table summed equal
 * then is not read again when neither side's watch decoded a write to it and its columns are as
 * they were (tableVerify.ts, reusableSums): its checkpoint sum stands for both sides. Every other
 * table is read at both sides as before. So the window reads what was written since the
 * checkpoint, not the whole database; at 512 MiB that is the 135 MB table the app did not touch.
 *
 * Why this is safe: a watch decodes every committed change to a WAL-logged table made after it
 * started, and it started before the reading its side's sum comes from, so a table it does not
 * name has the rows it had when it was summed. Column changes write no rows and are caught by
 * the schema comparison. UNLOGGED tables (no WAL, no decoding) are never kept.
 */
import { changesSinceWatch, endWatch, startWatch, type WatchSide } from "../replication/changeWatch";
import { untilConfirmed } from "../replication/logicalReplica";
import { query } from "../replication/pgQuery";
import { tableChecksums, type PostgresConnection } from "../replication/postgresCopy";
import { reusableSums, type TableSchemas, type TableSums } from "./tableVerify";

/** What the pre-verify established: tables equal at both sides, and their columns at each side. */
export interface TableCheckpoint {
  /** Tables whose row count and checksum were equal at both sides. */
  readonly sums: TableSums;
  readonly schema: { readonly source: TableSchemas; readonly target: TableSchemas };
}

/** One side's sums inside the window, and which of them came from the checkpoint. */
export interface SideSums {
  readonly sums: TableSums;
  /** The tables not read again: the checkpoint's sum stands for them. */
  readonly kept: TableSums;
}

/**
 * The columns of each WAL-logged ordinary table in the public schema (name, type, default,
 * position), with the table's oid (a table dropped and made again is another table), as one
 * opaque string per table.
 */
export async function tableSchemas(c: PostgresConnection): Promise<Record<string, string>> {
  const out = await query(
    c,
    `SELECT c.relname, c.oid || ':' || md5(coalesce(string_agg(
              a.attnum || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' ||
              coalesce(pg_get_expr(d.adbin, d.adrelid), '-'), ',' ORDER BY a.attnum), ''))
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE c.relkind = 'r' AND c.relpersistence = 'p'
      GROUP BY c.relname, c.oid`,
  );
  const schemas: Record<string, string> = {};
  for (const line of out.split("\n").filter(Boolean)) {
    const cut = line.lastIndexOf("|");
    schemas[line.slice(0, cut)] = line.slice(cut + 1);
  }
  return schemas;
}

/** Ends both sides' watches (the WAL they kept is freed). */
export async function endCheckpoint(source: PostgresConnection, target: PostgresConnection): Promise<void> {
  await Promise.all([endWatch(source, "source"), endWatch(target, "target")]);
}

/**
 * The pre-verify: both watches start, then each side's columns and sums are read (the target's
 * once it has confirmed the source's WAL position after the source's reading). Returns the
 * checkpoint, or none with the reason when a side cannot watch (the verify then reads every
 * table, as without a pre-verify), and a note for the log.
 */
export async function takeCheckpoint(
  source: PostgresConnection,
  target: PostgresConnection,
  timeoutMs = 300_000,
): Promise<{ checkpoint?: TableCheckpoint; note: string }> {
  const refused = await Promise.all([startWatch(source, "source"), startWatch(target, "target")]);
  const why = refused.find((r) => r !== undefined);
  if (why) {
    await endCheckpoint(source, target);
    return { note: `no checkpoint, the verify will read every table: ${why}` };
  }
  // Columns before rows at each side: a column added between the two readings is seen as a change.
  const sourceSchema = await tableSchemas(source);
  const sourceSums = await tableChecksums(source);
  await untilConfirmed(source, Date.now() + timeoutMs);
  const targetSchema = await tableSchemas(target);
  const targetSums = await tableChecksums(target);
  const sums = Object.fromEntries(
    Object.entries(sourceSums).filter(
      ([table, sum]) =>
        targetSums[table] === sum && sourceSchema[table] !== undefined && targetSchema[table] !== undefined,
    ),
  );
  const total = Object.keys(sourceSums).length;
  return {
    checkpoint: { sums, schema: { source: sourceSchema, target: targetSchema } },
    note: `${Object.keys(sums).length} of ${total} tables equal at both sides; writes from here on are watched`,
  };
}

/**
 * One side's sums inside the write window: the tables of `candidates` its watch saw no write to
 * (and whose columns are unchanged since `schemaThen`) keep their sum; every other table is read.
 * Without candidates, every table is read.
 */
export async function sideSums(
  c: PostgresConnection,
  side: WatchSide,
  candidates?: TableSums,
  schemaThen?: TableSchemas,
): Promise<SideSums> {
  if (!candidates || !schemaThen) return { sums: await tableChecksums(c), kept: {} };
  const [changes, schemaNow] = await Promise.all([changesSinceWatch(c, side), tableSchemas(c)]);
  const kept = reusableSums(candidates, schemaThen, schemaNow, changes);
  return { sums: await tableChecksums(c, undefined, "sum", kept), kept };
}
