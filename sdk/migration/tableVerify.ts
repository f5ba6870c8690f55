/**
 * The verify decision for a database: per table, the row count and checksum at the source
 * against those at the target (as `tableChecksums` reads them). Pure, so what counts as "equal"
 * is tested on its own.
 */

export type TableSums = Readonly<Record<string, string>>;

export interface TableDifference {
  readonly table: string;
  /** undefined: the side has no such table. */
  readonly source?: string;
  readonly target?: string;
}

export interface TableVerdict {
  readonly match: boolean;
  readonly tables: number;
  readonly differences: readonly TableDifference[];
}

/** Match only when both sides hold the same tables with the same row count and checksum each. */
export function compareTables(source: TableSums, target: TableSums): TableVerdict {
  const names = [...new Set([...Object.keys(source), ...Object.keys(target)])].sort();
  const differences = names
    .filter((table) => source[table] !== target[table])
    .map((table) => ({ table, source: source[table], target: target[table] }));
  return { match: differences.length === 0, tables: Object.keys(source).length, differences };
}

/** "posts (source 501 ab.., target 500 cd..)" for each differing table. */
export function describeTableDifferences(differences: readonly TableDifference[]): string {
  return differences
    .map((d) => `${d.table} (source ${d.source ?? "missing"}, target ${d.target ?? "missing"})`)
    .join(", ");
}

/** Tables' column definitions at one side (`tableSchemas`), as an opaque string per table. */
export type TableSchemas = Readonly<Record<string, string>>;

/**
 * The checkpoint sums the verify may keep without reading the table again: a table summed equal
 * at both sides before the stop (`sums`), not written since at this side (`changes`, from the
 * side's change watch), whose columns are as they were (`schemaThen` -> `schemaNow`: a column
 * added with a default writes no row, yet changes how every row reads). A TRUNCATE decoded
 * anywhere (`changes.all`) or a side without a watch (`changes` undefined) keeps nothing.
 */
export function reusableSums(
  sums: TableSums,
  schemaThen: TableSchemas,
  schemaNow: TableSchemas,
  changes: { readonly tables: ReadonlySet<string>; readonly all: boolean } | undefined,
): TableSums {
  if (!changes || changes.all) return {};
  const kept: Record<string, string> = {};
  for (const [table, sum] of Object.entries(sums))
    if (
      !changes.tables.has(table) &&
      schemaThen[table] !== undefined &&
      schemaThen[table] === schemaNow[table]
    )
      kept[table] = sum;
  return kept;
}
