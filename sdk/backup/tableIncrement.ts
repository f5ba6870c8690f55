/**
 * Pure decisions of an incremental database backup: which tables' rows an archive carries (all of
 * them without a base; else the tables that are new or whose checksum changed since the base), the
 * entry a table's rows go to, and, for a restore, which archive of a chain holds each table's rows.
 * A table is compared by the "<rows> h128:<sums of its rows' md5s>" checksum that
 * sdk/replication/postgresCopy's `tableChecksums` reads (the same one a migration verifies with).
 * A base made before those sums recorded "<rows> <md5>": no table compares equal to it, so the
 * first increment on such a base carries every table (nothing is lost, it is only larger).
 */
import type { TableSums } from "../migration/tableVerify";

/** A table of the database as an archive's manifest records it. */
export interface BackedUpTable {
  /** "<rows> h128:<sum>.<sum>" at the backup, as `tableChecksums` reads it ("<rows> <md5>" in older archives). */
  readonly checksum: string;
  /** The entry holding the table's rows (COPY text), when this archive carries them. */
  readonly entry?: string;
}

/** What an incremental backup does with each table. */
export interface TableIncrement {
  /** Tables whose rows go into this archive, sorted: every table without a base, else new or changed ones. */
  readonly carry: readonly string[];
  /** Tables the base chain already holds with the same checksum, sorted. */
  readonly unchanged: readonly string[];
  /** Tables the base does not have, sorted (they are carried). */
  readonly added: readonly string[];
  /** Tables of the base that are gone now, sorted (the archive's schema no longer has them). */
  readonly dropped: readonly string[];
}

/** Decides which tables an archive carries, from the checksums now and those the base recorded. */
export function tableIncrement(
  now: TableSums,
  before: Readonly<Record<string, BackedUpTable>> | undefined,
): TableIncrement {
  const tables = Object.keys(now).sort();
  const had = (t: string) => before !== undefined && Object.prototype.hasOwnProperty.call(before, t);
  return {
    carry: tables.filter((t) => !had(t) || before?.[t].checksum !== now[t]),
    unchanged: tables.filter((t) => had(t) && before?.[t].checksum === now[t]),
    added: before ? tables.filter((t) => !had(t)) : [],
    dropped: Object.keys(before ?? {})
      .filter((t) => !Object.prototype.hasOwnProperty.call(now, t))
      .sort(),
  };
}

/**
 * The entry a table's rows go to under the item's directory: `tables/<name>.copy`, the name kept
 * as is where it is lowercase letters, digits and `_`, every other byte written `%XX` (so two
 * names never share a file, and none leaves the directory).
 */
export function tableEntry(dir: string, table: string): string {
  const safe = [...Buffer.from(table, "utf8")]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[a-z0-9_]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
  return `${dir}/tables/${safe}.copy`;
}

/** One archive of a restore chain as far as a database is concerned. */
export interface TableLink {
  /** The archive's file (named in errors). */
  readonly file: string;
  /** The tables its manifest records; undefined when the archive does not hold the database. */
  readonly tables?: Readonly<Record<string, BackedUpTable>>;
}

/**
 * For each table of the newest archive in the chain (oldest first): the index of the archive that
 * holds its rows, the newest one that carries them with the checksum the newest archive records.
 * A table no archive holds so (a base that is missing or is another backup) is an error naming
 * the table and the archives.
 */
export function tableSources(chain: readonly TableLink[]): Map<string, number> {
  const newestAt = chain.map((l) => l.tables !== undefined).lastIndexOf(true);
  if (newestAt < 0) throw new Error("no archive of the chain holds the database");
  const newest = chain[newestAt];
  const sources = new Map<string, number>();
  const missing: string[] = [];
  for (const [table, { checksum }] of Object.entries(newest.tables ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    let found = -1;
    for (let i = newestAt; i >= 0 && found < 0; i--) {
      const t = chain[i].tables?.[table];
      if (t?.entry && t.checksum === checksum) found = i;
    }
    if (found < 0) missing.push(`${table} (${checksum})`);
    else sources.set(table, found);
  }
  if (missing.length > 0)
    throw new Error(
      `${newest.file} needs the rows of ${missing.join(", ")} from its base, and no archive of the chain (${chain
        .map((l) => l.file)
        .join(", ")}) holds them: restore from the chain it was taken on, or take a full backup`,
    );
  return sources;
}
