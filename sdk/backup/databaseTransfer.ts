/**
 * A database item of a backup, table by table. Backup: in one exported snapshot, every table's
 * checksum, the schema (both pg_dump sections), every sequence, and the rows of the tables
 * `tableIncrement` picks (all of them for a full backup, the new and changed ones for an
 * incremental). Restore: the database is recreated empty and loaded from the newest archive's
 * schema with each table's rows from the archive of the chain that holds them (`tableSources`),
 * then its checksums are compared with those the newest archive recorded.
 */
import * as path from "path";
import { compareTables, describeTableDifferences } from "../migration/tableVerify";
import { checksumAlgorithmOf, tableChecksums, type PostgresConnection } from "../replication/postgresCopy";
import { readyTargetDatabase, type TargetDatabaseOptions } from "../replication/targetDatabase";
import { dumpTables, loadTables, tablesOutsidePublic, withSnapshot } from "../replication/postgresTables";
import { fileDigest } from "./archive";
import type { ArchiveEntry, ItemBackup } from "./manifest";
import type { ChainLink } from "./transfer";
import { tableEntry, tableIncrement, tableSources, type BackedUpTable } from "./tableIncrement";

type DatabaseBackup = Extract<ItemBackup, { kind: "database" }>;

/** What a database backup wrote, and which tables it carries. */
export interface DatabaseResult {
  readonly backup: DatabaseBackup;
  readonly entries: readonly ArchiveEntry[];
  /** A note for the log: which tables were carried, added, dropped. */
  readonly note: string;
}

/**
 * Writes the database under `staging` at `dir` (the item's directory). With `previous` (the
 * item in the base archive), only the rows of tables that are new or whose checksum changed.
 */
export async function backupDatabase(
  c: PostgresConnection,
  dir: string,
  staging: string,
  previous?: ItemBackup,
): Promise<DatabaseResult> {
  const outside = await tablesOutsidePublic(c);
  if (outside.length > 0)
    throw new Error(
      `database ${c.database} has tables outside the public schema (${outside.join(", ")}); a backup covers the public schema only`,
    );
  const before = previous?.kind === "database" ? previous.tables : undefined;
  return withSnapshot(c, async (snapshot) => {
    const sums = await tableChecksums(c, snapshot);
    const plan = tableIncrement(sums, before);
    const rel = {
      schema: `${dir}/schema.sql`,
      postSchema: `${dir}/post-schema.sql`,
      sequences: `${dir}/sequences.sql`,
      tables: Object.fromEntries(plan.carry.map((t) => [t, tableEntry(dir, t)])),
    };
    const abs = (p: string) => path.join(staging, p);
    await dumpTables(c, snapshot, {
      schema: abs(rel.schema),
      postSchema: abs(rel.postSchema),
      sequences: abs(rel.sequences),
      tables: Object.fromEntries(Object.entries(rel.tables).map(([t, p]) => [t, abs(p)])),
    });
    const paths = [rel.schema, rel.postSchema, rel.sequences, ...Object.values(rel.tables)];
    const entries: ArchiveEntry[] = [];
    for (const p of paths) entries.push({ path: p, ...(await fileDigest(abs(p))) });
    const tables: Record<string, BackedUpTable> = Object.fromEntries(
      Object.keys(sums)
        .sort()
        .map((t) => [t, { checksum: sums[t], ...(rel.tables[t] ? { entry: rel.tables[t] } : {}) }]),
    );
    const listed = (what: string, names: readonly string[]) =>
      names.length > 0 ? `; ${what}: ${names.join(", ")}` : "";
    const note = before
      ? `rows of ${plan.carry.length} of ${Object.keys(sums).length} tables (changed since the base${listed(
          "added",
          plan.added,
        )}${listed("dropped", plan.dropped)})`
      : `rows of all ${Object.keys(sums).length} tables`;
    return {
      backup: {
        kind: "database",
        schema: rel.schema,
        postSchema: rel.postSchema,
        sequences: rel.sequences,
        tables,
      },
      entries,
      note,
    };
  });
}

/**
 * Loads the database from the chain (oldest first) into the database readied as a replica's
 * target is (`readyTargetDatabase`: made, emptied in place when it is `options.owner`'s, or
 * refused naming its owner before anything in it changes), then checks every table's checksum
 * against the newest archive's manifest. Returns a note for the log.
 */
export async function restoreDatabase(
  c: PostgresConnection,
  chain: readonly ChainLink[],
  options: TargetDatabaseOptions = {},
): Promise<string> {
  const links = chain.map((l) => ({
    ...l,
    tables: l.backup?.kind === "database" ? l.backup.tables : undefined,
  }));
  const sources = tableSources(links);
  const newest = [...links].reverse().find((l) => l.backup?.kind === "database");
  if (newest?.backup?.kind !== "database") throw new Error("no archive of the chain holds the database");
  const at = (l: { dir: string }, rel: string) => path.join(l.dir, rel);
  const tables: Record<string, string> = {};
  for (const [table, i] of sources) tables[table] = at(links[i], links[i].tables![table].entry!);
  // Made, or emptied in place when it is the owner's (its marker, collation and grants stay), or
  // refused naming its owner: the same decision as a replica's start.
  await readyTargetDatabase(c, options, "the restore");
  await loadTables(c, {
    schema: at(newest, newest.backup.schema),
    postSchema: at(newest, newest.backup.postSchema),
    sequences: at(newest, newest.backup.sequences),
    tables,
  });
  const expected = Object.fromEntries(Object.entries(newest.backup.tables).map(([t, b]) => [t, b.checksum]));
  // An archive made before the order-free sums recorded sorted md5s: verify it the way it was made.
  const sorted = Object.values(expected).some((sum) => checksumAlgorithmOf(sum) === "sorted");
  const verdict = compareTables(expected, await tableChecksums(c, undefined, sorted ? "sorted" : "sum"));
  if (!verdict.match)
    throw new Error(
      `database ${c.database} restored from ${newest.file} differs from its manifest: ${describeTableDifferences(
        verdict.differences,
      )}`,
    );
  const from = new Set(sources.values()).size;
  return `${verdict.tables} tables from ${from} archive(s), every checksum as the manifest records`;
}
