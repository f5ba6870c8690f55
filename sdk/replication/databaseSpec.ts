/**
 * Pure decisions about how a database is made at a cluster: the collation, ctype and encoding an
 * app's catalog entry asks for (Synapse refuses to start on a database whose collation is not
 * "C"), whatever the cluster's default is. A migration, a backup's restore and a standby make
 * their databases with {@link createDatabaseSql}, and check an existing one with
 * {@link databaseSpecMismatch}.
 */
import type { StateItem } from "../apps/types";

/** How a database must be made; an absent field takes the cluster's default. */
export interface DatabaseSpec {
  /** LC_COLLATE, e.g. "C". */
  readonly collate?: string;
  /** LC_CTYPE, e.g. "C". */
  readonly ctype?: string;
  /** The encoding, e.g. "UTF8". */
  readonly encoding?: string;
}

/** What a database was made with (pg_database's datcollate, datctype and encoding). */
export interface DatabaseSettings {
  /** pg_database.datcollate. */
  readonly collate: string;
  /** pg_database.datctype. */
  readonly ctype: string;
  /** pg_encoding_to_char(pg_database.encoding), e.g. "UTF8". */
  readonly encoding: string;
}

/**
 * The spec a catalog state item asks for: a database with a `locale` gets it as collation and
 * ctype, in UTF8 (a cluster made with the C locale and no encoding defaults to SQL_ASCII, which
 * apps such as Synapse refuse too). Other items, and databases without a locale: `{}`.
 */
export function databaseSpec(state: StateItem): DatabaseSpec {
  if (state.kind !== "database" || !state.locale) return {};
  return { collate: state.locale, ctype: state.locale, encoding: "UTF8" };
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The CREATE DATABASE statement for `name` made as `spec` asks. A database whose locale or
 * encoding differs from the cluster's template1 must be copied from template0 (PostgreSQL
 * refuses otherwise), so any explicit setting uses TEMPLATE template0.
 */
export function createDatabaseSql(name: string, spec: DatabaseSpec = {}): string {
  const settings = [
    ...(spec.encoding ? [`ENCODING ${literal(spec.encoding)}`] : []),
    ...(spec.collate ? [`LC_COLLATE ${literal(spec.collate)}`] : []),
    ...(spec.ctype ? [`LC_CTYPE ${literal(spec.ctype)}`] : []),
  ];
  if (settings.length === 0) return `CREATE DATABASE ${ident(name)}`;
  return `CREATE DATABASE ${ident(name)} TEMPLATE template0 ${settings.join(" ")}`;
}

/** Locale names compare without case and without "-" in the codeset ("C.UTF-8" is "C.utf8"). */
const normalise = (locale: string) =>
  locale.replace(/\.(.*)$/, (_, codeset: string) => `.${codeset.toLowerCase().replace(/-/g, "")}`);

/**
 * Why an existing database does not fit `spec` ("collation is C.UTF-8, the app needs C"), or
 * undefined when it fits. Only the fields the spec sets are compared.
 */
export function databaseSpecMismatch(spec: DatabaseSpec, found: DatabaseSettings): string | undefined {
  const differences = [
    spec.collate !== undefined && normalise(spec.collate) !== normalise(found.collate)
      ? `collation is ${found.collate}, the app needs ${spec.collate}`
      : undefined,
    spec.ctype !== undefined && normalise(spec.ctype) !== normalise(found.ctype)
      ? `ctype is ${found.ctype}, the app needs ${spec.ctype}`
      : undefined,
    spec.encoding !== undefined && spec.encoding.toUpperCase() !== found.encoding.toUpperCase()
      ? `encoding is ${found.encoding}, the app needs ${spec.encoding}`
      : undefined,
  ].filter((d): d is string => d !== undefined);
  return differences.length > 0 ? differences.join("; ") : undefined;
}
