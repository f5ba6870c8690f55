/**
 * A database as files, table by table (an incremental backup's database entries): read in one
 * exported snapshot, so the checksums recorded for the tables are those of the rows written; the
 * schema in pg_dump's two sections (pre-data: tables, sequences, types, functions; post-data:
 * indexes, constraints, triggers) so rows load between them in any order, each chosen table's
 * rows as COPY text that psql's `\copy` writes straight into a file, and every sequence's value.
 * Loading is one psql transaction: pre-data, the rows (each table from whichever file holds it),
 * the sequences, post-data. Rows never pass through this process's memory.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  connArgs,
  ident,
  inSnapshot,
  psql,
  run,
  runWithFile,
  tool,
  withPassFile,
  type PostgresConnection,
} from "./postgresCopy";

/** The files of a database written table by table. */
export interface TableFiles {
  /** `pg_dump --section=pre-data`. */
  readonly schema: string;
  /** `pg_dump --section=post-data`. */
  readonly postSchema: string;
  /** One `SELECT pg_catalog.setval(...)` per sequence of the public schema. */
  readonly sequences: string;
  /** Table of the public schema -> the file of its rows (COPY text). */
  readonly tables: Readonly<Record<string, string>>;
}

/**
 * Runs `work` while a psql session holds a REPEATABLE READ transaction whose snapshot it exported;
 * `work` gets the snapshot's id (for `pg_dump --snapshot` and `inSnapshot`).
 */
export function withSnapshot<T>(c: PostgresConnection, work: (snapshot: string) => Promise<T>): Promise<T> {
  return withPassFile([c], async ([pass]) => {
    const session = spawn(tool(c, "psql"), [...connArgs(c), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"], {
      env: { ...process.env, PGPASSFILE: pass, PGCONNECT_TIMEOUT: "10" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const closed = new Promise<number>((resolve) => session.on("close", (code) => resolve(code ?? 1)));
    session.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const snapshot = await new Promise<string>((resolve, reject) => {
      session.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^([0-9A-F]+-[0-9A-F]+(?:-[0-9]+)?)$/m.exec(out);
        if (m) resolve(m[1]);
      });
      session.on("error", reject);
      void closed.then((code) =>
        reject(new Error(`exporting a snapshot of ${c.database} failed (${code}): ${err.trim()}`)),
      );
      session.stdin.write("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\nSELECT pg_export_snapshot();\n");
    });
    try {
      return await work(snapshot);
    } finally {
      session.stdin.end("COMMIT;\n");
      await closed;
    }
  });
}

/** Tables outside the public schema (schema.table), which a table-by-table backup does not cover. */
export async function tablesOutsidePublic(c: PostgresConnection): Promise<string[]> {
  const rows = await psql(
    c,
    `SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('public', 'pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1`,
  );
  return rows.split("\n").filter(Boolean);
}

/** A path as a single-quoted psql meta-command argument. */
const psqlPath = (file: string) => `'${file.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

/** `public."name"` for a \copy line; a name psql cannot take on one line is refused. */
function copyTarget(table: string): string {
  if (/[\r\n]/.test(table))
    throw new Error(`table ${JSON.stringify(table)} has a line break in its name; rename it to back it up`);
  return `public.${ident(table)}`;
}

/**
 * Writes the schema, the sequences and the rows of `files.tables` (tables of the public schema)
 * as they are in `snapshot` (held by `withSnapshot`).
 */
export async function dumpTables(c: PostgresConnection, snapshot: string, files: TableFiles): Promise<void> {
  const dump = (section: string, file: string) =>
    withPassFile([c], ([pass]) =>
      runWithFile(
        [
          tool(c, "pg_dump"),
          ...connArgs(c),
          `--snapshot=${snapshot}`,
          `--section=${section}`,
          "--no-owner",
          "--no-publications",
          "--no-subscriptions",
        ],
        pass,
        "out",
        file,
      ),
    );
  for (const f of [files.schema, files.postSchema, files.sequences, ...Object.values(files.tables)])
    fs.mkdirSync(path.dirname(f), { recursive: true });
  await dump("pre-data", files.schema);
  await dump("post-data", files.postSchema);
  const script = [
    ...Object.entries(files.tables).map(([t, file]) => `\\copy ${copyTarget(t)} TO ${psqlPath(file)}`),
    `\\o ${psqlPath(files.sequences)}`,
    `SELECT format('SELECT pg_catalog.setval(%L, %s, %s);', quote_ident(schemaname) || '.' || quote_ident(sequencename),
       coalesce(last_value, start_value), (last_value IS NOT NULL)::text)
     FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename;`,
    "\\o",
  ].join("\n");
  await psql(c, inSnapshot(script, snapshot));
}

/**
 * Loads files written by `dumpTables` into the (empty) database in one transaction: the schema,
 * each table's rows from its file (`files.tables` may name files of several archives), the
 * sequences, then indexes, constraints and triggers.
 */
export async function loadTables(c: PostgresConnection, files: TableFiles): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-load-"));
  try {
    const load = path.join(dir, "load.sql");
    fs.writeFileSync(
      load,
      Object.entries(files.tables)
        .map(([t, file]) => `\\copy ${copyTarget(t)} FROM ${psqlPath(path.resolve(file))}\n`)
        .join(""),
    );
    const sources = [files.schema, load, files.sequences, files.postSchema];
    await withPassFile([c], ([pass]) =>
      run(
        [
          tool(c, "psql"),
          ...connArgs(c),
          "-X",
          "-q",
          "-v",
          "ON_ERROR_STOP=1",
          "--single-transaction",
          ...sources.flatMap((f) => ["-f", f]),
        ],
        pass,
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
