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
