/**
 * SQL over pooled connections held by this process: one small pool per cluster, user and
 * database. A migration's write window asks each database a dozen short questions (is the replica
 * caught up, which tables changed, their columns, their sums); as `psql` processes each one paid a
 * process start, a connection, a SCRAM exchange and a fresh server backend, and on a small machine
 * those starts were most of the window. `query` answers in the text `psql -qAt` prints, so a
 * caller can move from one to the other without changing how it reads the answer.
 *
 * What it does not do, `psql` still does: meta-commands (`\copy`, `\gexec`), and statements that
 * must not share a transaction (a script of several statements is one transaction here, as in
 * any simple-query protocol; psql runs each on its own). Session settings (`SET ...`) are not
 * for this either: the connection goes back to the pool.
 *
 * Idle connections close after {@link IDLE_MS}, shorter than the 5 s another session's
 * `DROP DATABASE` waits for a database's other sessions to go, and a process never waits on them
 * to exit. `endSessions` closes them at once (before this process drops a database).
 */
import { createHash } from "crypto";
import { Pool, type PoolConfig } from "pg";
import type { PostgresConnection } from "./postgresCopy";

/** How long an idle pooled connection stays open, in milliseconds. */
export const IDLE_MS = 3000;

/** Every value as the server's own text (psql's): `t` for true, timestamps as the server writes them. */
const TEXT = { getTypeParser: () => (value: string) => value };

const pools = new Map<string, { pool: Pool; host: string; port: number; database: string }>();

function poolFor(c: PostgresConnection, database: string): Pool {
  // The password is part of the key (hashed): a changed one makes a new pool, never a stale login.
  const secret = createHash("sha256").update(c.password).digest("hex").slice(0, 16);
  const key = JSON.stringify([c.host, c.port, c.user, database, secret]);
  let entry = pools.get(key);
  if (!entry) {
    const config: PoolConfig = {
      host: c.host,
      port: c.port,
      user: c.user,
      password: c.password,
      database,
      application_name: "sovereign",
      max: 4,
      idleTimeoutMillis: IDLE_MS,
      connectionTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      types: TEXT,
    };
    const pool = new Pool(config);
    // An idle connection the server ended (DROP DATABASE ... WITH (FORCE), a restart) leaves the
    // pool by itself; without a listener its error would end the process.
    pool.on("error", () => undefined);
    entry = { pool, host: c.host, port: c.port, database };
    pools.set(key, entry);
  }
  return entry.pool;
}

interface Result {
  readonly rows?: readonly (readonly unknown[])[];
}

/** Rows as `psql -qAt` prints them: fields joined by `|`, NULL as nothing, one line per row. */
export function psqlText(results: readonly Result[]): string {
  let out = "";
  for (const result of results)
    for (const row of result.rows ?? [])
      out += `${row.map((v) => (v === null ? "" : String(v))).join("|")}\n`;
  return out;
}

/**
 * Runs `sql` (one statement, or several as one transaction) on a pooled connection to `database`
 * and returns the rows of every statement that returns rows, as `psql -qAt` prints them. An
 * error names the database and carries the server's message (never the password); the
 * connection it happened on is closed, not reused.
 */
export async function query(c: PostgresConnection, sql: string, database = c.database): Promise<string> {
  const client = await poolFor(c, database)
    .connect()
    .catch((error: Error) => {
      throw new Error(`cannot connect to ${database} at ${c.host}:${c.port} as ${c.user}: ${error.message}`);
    });
  try {
    const result = await client.query({ text: sql, rowMode: "array" });
    client.release();
    return psqlText(Array.isArray(result) ? (result as Result[]) : [result as Result]);
  } catch (error) {
    // A failed script may leave its transaction open and aborted: that connection is not reused.
    client.release(true);
    const e = error as Error & { detail?: string; hint?: string };
    const more = [e.detail && `DETAIL: ${e.detail}`, e.hint && `HINT: ${e.hint}`].filter(Boolean).join(" ");
    throw new Error(
      `query on ${database} at ${c.host}:${c.port}: ERROR: ${e.message}${more ? ` ${more}` : ""}`,
    );
  }
}

/**
 * Closes the pooled connections (those to `database` at the cluster of `c` when given, else all).
 * Resolves when they are closed.
 */
export async function endSessions(
  c?: Pick<PostgresConnection, "host" | "port">,
  database?: string,
): Promise<void> {
  const ending: Promise<void>[] = [];
  for (const [key, entry] of pools)
    if (
      !c ||
      (entry.host === c.host &&
        entry.port === c.port &&
        (database === undefined || entry.database === database))
    ) {
      pools.delete(key);
      ending.push(entry.pool.end().catch(() => undefined));
    }
  await Promise.all(ending);
}
