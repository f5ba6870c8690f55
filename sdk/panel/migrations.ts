/**
 * The panel's own schema in PostgreSQL, as numbered migrations applied once each, in order, inside
 * one transaction per migration and under an advisory lock (two panels starting together apply
 * each migration once). Add a migration at the end; never edit one that has shipped.
 */
import type { Pool } from "pg";

/** One schema change. */
export interface Migration {
  /** 1, 2, 3 ... in order. */
  readonly version: number;
  /** A unique name, e.g. "001-users"; migrations run in name order. */
  readonly name: string;
  /** The SQL it runs, in one transaction. */
  readonly sql: string;
}

/** Every migration of the panel's schema. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "users, tokens, changes, operations, audit",
    sql: `
      CREATE TABLE panel_user (
        id serial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        role text NOT NULL CHECK (role IN ('viewer', 'operator')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE panel_token (
        id serial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES panel_user(id) ON DELETE CASCADE,
        token_sha256 text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE TABLE panel_change (
        id uuid PRIMARY KEY,
        site text NOT NULL,
        proposed_by integer NOT NULL REFERENCES panel_user(id),
        site_config jsonb NOT NULL,
        preview jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('proposed', 'applying', 'applied', 'failed')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE panel_operation (
        id serial PRIMARY KEY,
        site text NOT NULL,
        kind text NOT NULL,
        user_id integer NOT NULL REFERENCES panel_user(id),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        result text
      );
      CREATE INDEX panel_operation_running ON panel_operation (site) WHERE finished_at IS NULL;
      CREATE TABLE panel_audit (
        id serial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        user_id integer NOT NULL REFERENCES panel_user(id),
        site text NOT NULL,
        action text NOT NULL,
        change_id uuid,
        result text NOT NULL
      );
    `,
  },
];

const MIGRATION_LOCK = 7_104_771; // any constant shared by every panel instance

/** Applies the migrations the database has not seen yet; returns their versions. */
export async function migrate(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS panel_schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = new Set(
      (await client.query<{ version: number }>("SELECT version FROM panel_schema_migration")).rows.map(
        (r) => r.version,
      ),
    );
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query("INSERT INTO panel_schema_migration (version, name) VALUES ($1, $2)", [
          m.version,
          m.name,
        ]);
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw new Error(`panel schema migration ${m.version} (${m.name}) failed: ${(e as Error).message}`);
      }
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
