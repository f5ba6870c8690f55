/**
 * PostgreSQL database copies for a migration: `pg_dump | psql` between two clusters (the final
 * copy with writes stopped; also the pre-seed where no streaming replica is set up), and the
 * per-table row counts and checksums that verify a copy. Passwords go through temporary 0600
 * PGPASSFILEs, never through argv or the environment of a listed process.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createDatabaseSql, type DatabaseSettings, type DatabaseSpec } from "./databaseSpec";
import { endSessions, query } from "./pgQuery";

export interface PostgresConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Dir of pg_dump/psql; default: the ones on PATH. */
  readonly binDir?: string;
}

/** Runs `work` with one temporary 0600 PGPASSFILE per connection (removed afterwards). */
export function withPassFile<T>(
  conns: readonly PostgresConnection[],
  work: (files: string[]) => Promise<T>,
): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-pgpass-"));
  const escape = (v: string | number) => String(v).replace(/\\/g, "\\\\").replace(/:/g, "\\:");
  const files = conns.map((c, i) => {
    const file = path.join(dir, `pgpass${i}`);
    fs.writeFileSync(file, `${escape(c.host)}:${c.port}:*:${escape(c.user)}:${escape(c.password)}\n`, {
      mode: 0o600,
    });
    return file;
  });
  return work(files).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

/** The path of a PostgreSQL client tool (pg_dump, psql) for the connection. */
export const tool = (c: PostgresConnection, name: string) => (c.binDir ? path.join(c.binDir, name) : name);
/** Host, port, user and database arguments of a pg tool. */
export const connArgs = (c: PostgresConnection, database = c.database) => [
  "-h",
  c.host,
  "-p",
  String(c.port),
  "-U",
  c.user,
  "-d",
  database,
];

/** Runs a pg tool with the PGPASSFILE; resolves with its stdout, rejects with its stderr. */
export function run(argv: string[], passFile: string, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, PGPASSFILE: passFile, PGCONNECT_TIMEOUT: "10" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${path.basename(argv[0])} failed (${code}): ${err.trim()}`)),
    );
    child.stdin.end(input ?? "");
  });
}

/** Runs SQL on the database (psql, stop on the first error); returns unaligned tuples. */
export function psql(c: PostgresConnection, sql: string, database = c.database): Promise<string> {
  return withPassFile([c], ([file]) =>
    run(
      [tool(c, "psql"), ...connArgs(c, database), "-X", "-v", "ON_ERROR_STOP=1", "-At", "-f", "-"],
      file,
      sql,
    ),
  );
}

/** A quoted SQL identifier. */
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** A quoted SQL string literal. */
export const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Creates the database (owned by the connection's user) unless it exists, made as `spec` asks
 * (the app's collation, ctype and encoding; the cluster's defaults where it says nothing).
 */
export async function ensureDatabase(c: PostgresConnection, spec: DatabaseSpec = {}): Promise<void> {
  if (!(await databaseSettings(c))) await psql(c, createDatabaseSql(c.database, spec), "postgres");
}

/** The database's collation, ctype and encoding; undefined when it does not exist. */
export async function databaseSettings(c: PostgresConnection): Promise<DatabaseSettings | undefined> {
  const row = (
    await psql(
      c,
      `SELECT datcollate || '|' || datctype || '|' || pg_encoding_to_char(encoding) FROM pg_database WHERE datname = ${literal(c.database)}`,
      "postgres",
    )
  ).trim();
  if (!row) return undefined;
  const [collate, ctype, encoding] = row.split("|");
  return { collate, ctype, encoding };
}

/**
 * Drops the database. A migration's change watches in it (changeWatch.ts, slots named `sovwatch_…`)
 * go first: PostgreSQL refuses to drop a database a replication slot belongs to.
 */
export async function dropDatabase(c: PostgresConnection): Promise<void> {
  await endSessions(c, c.database);
  await psql(
    c,
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
      WHERE database = ${literal(c.database)} AND slot_name LIKE 'sovwatch\\_%' AND NOT active;
     DROP DATABASE IF EXISTS ${ident(c.database)} WITH (FORCE);`,
    "postgres",
  );
}

/**
 * `sql` run in the transaction snapshot another session exported (pg_export_snapshot), so what it
 * reads is what a pg_dump --snapshot of the same moment reads. Without a snapshot, `sql` as is.
 */
export function inSnapshot(sql: string, snapshot?: string): string {
  return snapshot ? `\\set QUIET on\n${snapshotSql(sql, snapshot)}` : sql;
}

/** {@link inSnapshot} as plain SQL (no psql meta-command), for `query` (pgQuery.ts). */
export function snapshotSql(sql: string, snapshot?: string): string {
  if (!snapshot) return sql;
  return [
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;",
    `SET TRANSACTION SNAPSHOT ${literal(snapshot)};`,
    sql,
    "COMMIT;",
  ].join("\n");
}

export interface CopyOptions {
  /** Tables, sequences and the rest of the schema, no rows (a logical replica's start). */
  readonly schemaOnly?: boolean;
  /** Only these tables of the public schema (added to a copy that has the others). */
  readonly tables?: readonly string[];
}

/**
 * Copies `from` into `to` whole (`pg_dump --clean --if-exists | psql`, one transaction on the
 * target): the target ends as the source was when the dump started. Streams; returns bytes moved.
 */
export function copyDatabase(
  from: PostgresConnection,
  to: PostgresConnection,
  options: CopyOptions = {},
): Promise<number> {
  const only = [
    ...(options.schemaOnly ? ["--schema-only"] : []),
    ...(options.tables ?? []).flatMap((t) => ["-t", `public.${ident(t)}`]),
  ];
  // Tables added to an existing copy must not drop the others: no --clean then.
  const clean = options.tables ? [] : ["--clean", "--if-exists"];
  return withPassFile([from, to], ([fromFile, toFile]) => {
    return new Promise<number>((resolve, reject) => {
      // A source that is being replicated has a publication (and a replica a subscription): the
      // copy must not carry them, or the target would refuse deletes on tables without a key.
      const replication = ["--no-publications", "--no-subscriptions"];
      const dump = spawn(
        tool(from, "pg_dump"),
        [...connArgs(from), ...clean, "--no-owner", ...replication, ...only],
        {
          env: { ...process.env, PGPASSFILE: fromFile },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const load = spawn(
        tool(to, "psql"),
        [...connArgs(to), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"],
        { env: { ...process.env, PGPASSFILE: toFile }, stdio: ["pipe", "ignore", "pipe"] },
      );
      let bytes = 0;
      let errors = "";
      dump.stdout.on("data", (d: Buffer) => (bytes += d.length));
      dump.stdout.pipe(load.stdin);
      dump.stderr.on("data", (d: Buffer) => (errors += `pg_dump: ${d.toString()}`));
      load.stderr.on("data", (d: Buffer) => (errors += `psql: ${d.toString()}`));
      const codes: (number | null)[] = [];
      const done = (code: number | null) => {
        codes.push(code);
        if (codes.length < 2) return;
        if (codes.every((c) => c === 0)) resolve(bytes);
        else
          reject(new Error(`copying database ${from.database} failed: ${errors.trim() || codes.join(",")}`));
      };
      dump.on("error", reject);
      load.on("error", reject);
      dump.on("close", done);
      load.on("close", done);
    });
  });
}

/**
 * How a table's rows are summed into its checksum:
 * - `"sum"` (what every new checksum uses): the row count and the sums of the two 64-bit halves
 *   of each row's md5, written `"<rows> h128:<sum1>.<sum2>"`. A sum does not depend on the rows'
 *   order, so no table is sorted and nothing the size of a table is held (1,000,000 rows of
 *   188 MB here: 3.8 s sorted, about 2.4 s summed). md5, not PostgreSQL's own faster hash
 *   functions, because those differ between little- and big-endian machines, and an archive
 *   must verify wherever it is restored;
 * - `"sorted"`: `"<rows> <md5 of the rows as text, in byte order>"`, what archives made before the
 *   sums recorded (a restore of such an archive verifies with it; see `checksumAlgorithmOf`).
 */
export type ChecksumAlgorithm = "sum" | "sorted";

/** The algorithm a recorded checksum was made with (`"sorted"`: no `h128:` tag). */
export function checksumAlgorithmOf(checksum: string): ChecksumAlgorithm {
  return /^\d+ h128:/.test(checksum) ? "sum" : "sorted";
}

function tableChecksumSql(table: string, algorithm: ChecksumAlgorithm): string {
  if (algorithm === "sorted")
    return `SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE "C")), '-') FROM public.${ident(table)} t;`;
  // Each row's md5 is made once (OFFSET 0 keeps the planner from inlining it into both sums);
  // bigint sums add up in 128 bits, so no row's hash overflows or is lost.
  return `SELECT count(*) || ' h128:' || coalesce(sum(b::bit(64)::bigint), 0) || '.' || coalesce(sum((b << 64)::bit(64)::bigint), 0)
    FROM (SELECT ('x' || md5(t::text))::bit(128) AS b FROM public.${ident(table)} t OFFSET 0) r;`;
}

/**
 * Row count and a checksum of the rows of every table in the public schema (see
 * `ChecksumAlgorithm`), equal on two copies whatever collation each cluster gives the database;
 * with `snapshot`, as they were in that exported snapshot. A table in `known` is not read: its
 * entry is given (sums the caller knows are current, see tableCheckpoint.ts).
 */
export async function tableChecksums(
  c: PostgresConnection,
  snapshot?: string,
  algorithm: ChecksumAlgorithm = "sum",
  known: Readonly<Record<string, string>> = {},
): Promise<Record<string, string>> {
  const tables = (
    await query(
      c,
      snapshotSql(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename;",
        snapshot,
      ),
    )
  )
    .split("\n")
    .filter(Boolean);
  const read = tables.filter((table) => known[table] === undefined);
  const given = tables.filter((table) => known[table] !== undefined).map((table) => [table, known[table]]);
  if (read.length === 0) return Object.fromEntries(given);
  // One round trip for every table (a site's app may have hundreds): one result line per statement.
  const script = read.map((table) => tableChecksumSql(table, algorithm)).join("\n");
  const lines = (await query(c, snapshotSql(script, snapshot))).split("\n").filter(Boolean);
  if (lines.length !== read.length) {
    throw new Error(`table checksums of ${c.database}: ${lines.length} results for ${read.length} tables`);
  }
  return Object.fromEntries([...given, ...read.map((table, i) => [table, lines[i].trim()])]);
}

/** Runs a pg tool whose stdout (`out`) or stdin (`in`) is a file (streamed by the kernel, not here); rejects with its stderr. */
export function runWithFile(
  argv: string[],
  passFile: string,
  stdio: "in" | "out",
  file: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(file, stdio === "out" ? "w" : "r");
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, PGPASSFILE: passFile, PGCONNECT_TIMEOUT: "10" },
      stdio: stdio === "out" ? ["ignore", fd, "pipe"] : [fd, "ignore", "pipe"],
    });
    let err = "";
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      fs.closeSync(fd);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(argv[0])} failed (${code}): ${err.trim()}`));
    });
  });
}
