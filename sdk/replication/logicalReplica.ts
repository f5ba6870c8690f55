/**
 * A database streamed from one PostgreSQL cluster to another by logical replication: a
 * publication at the source, a subscription at the target that copies the tables once and then
 * applies every committed change. The migration's pre-seed starts it while the source serves, the
 * final sync waits until the target has confirmed the source's last WAL position (the delta is
 * only what was written since), and the promotion ends it; the warm standby keeps it running.
 *
 * Why logical and not pg_basebackup: a physical replica is a copy of the WHOLE cluster and needs a
 * cluster of its own at the target, while a datacenter's cluster holds many sites' databases.
 * Logical replication moves one database into the cluster that is already there.
 *
 * The subscription logs in as a role made for it (REPLICATION, read access to all data) with a
 * password generated here and used once: it goes to the source (stored as a SCRAM verifier) and
 * into the target's subscription (a catalog only superusers read). It is never returned, logged,
 * or kept in the stack's state; statements carrying it run with error-statement logging off, and
 * any error text is scrubbed of it.
 *
 * Ownership: the publication carries the owner marker of the resource that started the replica
 * (`COMMENT ON PUBLICATION ... IS 'sovereign-owner:<owner>'`; the slot has its name), and the
 * subscription lives in the target database, which carries the same owner's marker; so
 * {@link abandonReplica} removes only the replica its own resource made, never another's.
 */
import { randomBytes } from "crypto";
import { copyDatabase, ident, literal, psql, type PostgresConnection } from "./postgresCopy";
import { query } from "./pgQuery";
import { lsnBehind } from "./pgLsn";
import type { DatabaseSpec } from "./databaseSpec";
import { readyTargetDatabase } from "./targetDatabase";
import { encodeOwner, parseOwner } from "../../providers/shared/ownership";
import { endWatch } from "./changeWatch";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The subscription, publication and replication slot of a database (unique per cluster). */
export const replicaName = (database: string): string => `sov_${database}`.slice(0, 63);
const roleName = (database: string): string => `sov_repl_${database}`.slice(0, 63);

/** Runs SQL that carries a secret: no server log of the statement, and errors without it. */
async function psqlWithSecret(c: PostgresConnection, sql: string, secret: string, database?: string) {
  try {
    return await psql(c, `SET log_min_error_statement = panic;\n${sql}`, database);
  } catch (error) {
    throw new Error((error as Error).message.split(secret).join("[secret]"));
  }
}

/** One short answer, over a pooled connection (pgQuery.ts): these are asked inside the write window. */
async function one(c: PostgresConnection, sql: string, database?: string): Promise<string> {
  return (await query(c, sql, database)).trim();
}

/** Whether the target database has the replica's subscription (false when the database is absent). */
export async function replicaExists(target: PostgresConnection): Promise<boolean> {
  // pg_subscription is shared by the cluster: asked from "postgres", the database may not exist yet.
  return (
    (await one(
      target,
      `SELECT 1 FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid
        WHERE s.subname = ${literal(replicaName(target.database))} AND d.datname = ${literal(target.database)}`,
      "postgres",
    )) === "1"
  );
}

async function publicTables(c: PostgresConnection): Promise<string[]> {
  return (await tablesOf(c)).all;
}

/**
 * The public tables a publication can carry: ordinary tables whose changes are written to the WAL.
 * UNLOGGED tables (Synapse's `worker_locks`) cannot be published; their schema is copied, their
 * rows are not (PostgreSQL empties them after a crash anyway).
 */
async function publishableTables(c: PostgresConnection): Promise<string[]> {
  return (await tablesOf(c)).publishable;
}

/** Every public table and the publishable ones (`publishableTables`), in one query. */
async function tablesOf(c: PostgresConnection): Promise<{ all: string[]; publishable: string[] }> {
  const rows = (
    await query(
      c,
      `SELECT (c.relkind = 'r' AND c.relpersistence = 'p')::int || c.relname
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
    )
  )
    .split("\n")
    .filter(Boolean);
  return {
    all: rows.map((r) => r.slice(1)),
    publishable: rows.filter((r) => r[0] === "1").map((r) => r.slice(1)),
  };
}

/** Tables the subscription copies and applies, and how many are not streaming yet. */
async function subscribed(
  target: PostgresConnection,
): Promise<{ tables: string[]; syncing: number; pending: string[] }> {
  const rows = (
    await query(
      target,
      `SELECT c.relname || ' ' || r.srsubstate::text FROM pg_subscription_rel r
         JOIN pg_subscription s ON s.oid = r.srsubid JOIN pg_class c ON c.oid = r.srrelid
        WHERE s.subname = ${literal(replicaName(target.database))}`,
    )
  )
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" "));
  const pending = rows.filter(([, state]) => state !== "r" && state !== "s").map(([t]) => t);
  return { tables: rows.map(([t]) => t), syncing: pending.length, pending };
}

async function untilCopied(
  source: PostgresConnection,
  target: PostgresConnection,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let nextCheck = Date.now() + 2_000;
  let lastError = "";
  for (;;) {
    const { tables, syncing, pending } = await subscribed(target);
    if (syncing === 0) return tables.length;
    // A table the app dropped at the source while its copy waited (Synapse's background updates
    // drop their `_temp_*` tables) never finishes copying: the replica follows the source's tables.
    if (Date.now() >= nextCheck) {
      nextCheck = Date.now() + 2_000;
      if (droppedAtSource(pending, await publicTables(source)).length > 0) {
        await followSourceTables(source, target).catch((e: Error) => (lastError = `; ${e.message}`));
        continue;
      }
    }
    if (Date.now() > deadline)
      throw new Error(
        `the replica of ${target.database} still copies ${syncing} of ${tables.length} tables after ${timeoutMs / 1000} s${lastError}${await slotShortage(source)} (the target cluster's log names what each table's copy waits for)`,
      );
    await sleep(250);
  }
}

/**
 * "; the source ... has all 10 replication slots in use" when it has: each table's initial copy
 * needs a slot of its own for a moment (max_sync_workers_per_subscription tables at once per
 * database), so a cluster that streams several databases may need max_replication_slots raised.
 */
async function slotShortage(source: PostgresConnection): Promise<string> {
  const row = await one(
    source,
    "SELECT (SELECT count(*) FROM pg_replication_slots) || ' ' || current_setting('max_replication_slots')",
  ).catch(() => "");
  const [used, max] = row.split(" ").map(Number);
  return max > 0 && used >= max
    ? `; the source ${source.host}:${source.port} has all ${max} replication slots in use (raise max_replication_slots)`
    : "";
}

/** The subscription's worker starts after CREATE SUBSCRIPTION returns: wait until it streams. */
async function untilConnected(source: PostgresConnection, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const name = literal(replicaName(source.database));
  while ((await one(source, `SELECT active FROM pg_replication_slots WHERE slot_name = ${name}`)) !== "t") {
    if (Date.now() > deadline)
      throw new Error(
        `the replica of ${source.database} did not connect to ${source.host}:${source.port} within ${timeoutMs / 1000} s (see the target cluster's log: pg_hba.conf, wal_level=logical, max_wal_senders)`,
      );
    await sleep(200);
  }
}

export interface ReplicaOptions {
  /** Longest wait for the initial table copy / the catch-up (default 5 minutes). */
  readonly timeoutMs?: number;
  /**
   * The owner id of the resource that starts the replica: its publication and subscription carry
   * it, the target database is made with its marker, and a target database holding objects is
   * emptied only when it carries it. Without it, nothing is marked and the target must be empty.
   */
  readonly owner?: string;
  /** How the target database is made when absent: the app's collation, ctype and encoding. */
  readonly database?: DatabaseSpec;
}

/**
 * Starts streaming `source` into `target` unless a replica is already running there (then new
 * tables join it); returns a note for the log. The target database is readied first: made, or
 * emptied in place when it is `options.owner`'s, or refused (see readyTargetDatabase). A start that fails
 * after the publication was made removes what it made (abandonReplica), so no slot is left
 * holding WAL at the source.
 */
export async function startReplica(
  source: PostgresConnection,
  target: PostgresConnection,
  options: ReplicaOptions = {},
): Promise<string> {
  if (await replicaExists(target))
    return `${await refreshReplica(source, target, options)} (replica was running)`;
  await readyTargetDatabase(target, options);
  const name = replicaName(source.database);
  const role = roleName(source.database);
  const password = randomBytes(24).toString("base64url");
  await psqlWithSecret(
    source,
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(role)}) THEN
         CREATE ROLE ${ident(role)} LOGIN REPLICATION;
       END IF;
     END $$;
     ALTER ROLE ${ident(role)} LOGIN REPLICATION PASSWORD ${literal(password)};
     GRANT pg_read_all_data TO ${ident(role)};`,
    password,
    "postgres",
  );
  const marked = options.owner
    ? `COMMENT ON PUBLICATION ${ident(name)} IS ${literal(encodeOwner(options.owner))};`
    : "";
  // A slot left by an earlier attempt whose subscription is gone would hold WAL forever.
  // The publication lists its tables (not FOR ALL TABLES): a table the app makes while the replica
  // runs is not sent before the target has it (the subscription would stop at its first row),
  // and the app's writes to it are never refused for want of a replica identity.
  await psql(
    source,
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ${literal(name)} AND NOT active;
     DROP PUBLICATION IF EXISTS ${ident(name)};
     CREATE PUBLICATION ${ident(name)};
     ${marked}`,
  );
  try {
    await identifyRowsWithoutKey(source);
    await copyDatabase(source, target, { schemaOnly: true });
    await publish(source, target, await publishableTables(target));
    const conninfo = [
      `host=${source.host}`,
      `port=${source.port}`,
      `dbname=${source.database}`,
      `user=${role}`,
      `password=${password}`,
    ].join(" ");
    await psqlWithSecret(
      target,
      `CREATE SUBSCRIPTION ${ident(name)} CONNECTION ${literal(conninfo)} PUBLICATION ${ident(name)};`,
      password,
    );
    const tables = await untilCopied(source, target, options.timeoutMs ?? 300_000);
    await untilConnected(source, options.timeoutMs ?? 60_000);
    return `logical replica of ${source.database} streaming (${tables} tables copied)`;
  } catch (error) {
    const cleaned = await abandonReplica(source, target, options.owner).catch(
      (e: Error) => `; cleaning up failed too: ${e.message}`,
    );
    throw new Error(`${(error as Error).message} (the replica's start was undone: ${cleaned})`);
  }
}

/**
 * A published table makes PostgreSQL refuse UPDATE and DELETE on a table that has no
 * replica identity (no primary key): the app at the source would fail while its database is
 * replicated (Synapse's `schema_version` has none). Such tables get REPLICA IDENTITY FULL (rows are
 * matched by all their columns); tables with a key are left alone.
 */
async function identifyRowsWithoutKey(source: PostgresConnection): Promise<void> {
  // One statement (and transaction) per table, generated and run by psql's \gexec, so no lock is
  // held while the next is awaited; a table the app dropped meanwhile (Synapse's _temp_ tables)
  // is skipped.
  await retryDeadlock(() =>
    psql(
      source,
      `SELECT format('DO $sov$ BEGIN EXECUTE %L; EXCEPTION WHEN undefined_table THEN NULL; END $sov$',
                     format('ALTER TABLE %s REPLICA IDENTITY FULL', c.oid::regclass))
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relreplident = 'd'
          AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
     \\gexec`,
    ),
  );
}

/**
 * Runs DDL that takes table locks while the app serves, again (up to 5 times) when PostgreSQL
 * broke a deadlock by failing it: an app's own DDL (Synapse's background updates build indexes
 * CONCURRENTLY, which wait for every open transaction) can meet ours. The DDL is idempotent.
 */
async function retryDeadlock<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 5 || !/deadlock detected/.test((error as Error).message)) throw error;
      await sleep(200 * attempt);
    }
  }
}

/**
 * Tables of the replica (held at the target, or streamed) that the source no longer has (dropped
 * there since they joined): the target must drop them too, or it holds tables its app no longer
 * knows.
 */
export function droppedAtSource(atTarget: readonly string[], atSource: readonly string[]): string[] {
  const present = new Set(atSource);
  return [...new Set(atTarget)].filter((t) => !present.has(t)).sort();
}

/**
 * Joins tables made at the source since the replica started (schema copied, publication
 * refreshed, initial copy awaited) and drops at the target those the source has dropped.
 */
export async function refreshReplica(
  source: PostgresConnection,
  target: PostgresConnection,
  options: ReplicaOptions = {},
): Promise<string> {
  const { added, gone } = await followSourceTables(source, target);
  if (gone.length > 0) {
    // The source sends a table's last changes before its DROP: the target keeps the table until
    // the replica has applied them, or the subscription would stop at the first one.
    await untilConfirmed(source, Date.now() + (options.timeoutMs ?? 300_000));
    await psql(target, gone.map((t) => `DROP TABLE IF EXISTS public.${ident(t)} CASCADE;`).join("\n"));
  }
  const note = gone.length > 0 ? ` (dropped as at the source: ${gone.join(", ")})` : "";
  if (added.length === 0) return `logical replica of ${source.database} streaming${note}`;
  await untilCopied(source, target, options.timeoutMs ?? 300_000);
  return `logical replica of ${source.database} streaming (new tables: ${added.join(", ")})${note}`;
}

/**
 * Adds `tables` (whose schema the target has) to the source's publication. A table the app has
 * dropped since is skipped, and when the target's copy of it was made just now (`madeAtTarget`),
 * that copy is dropped again, so the target never keeps a table the source does not have. A
 * publication FOR ALL TABLES (made by an earlier version) already sends every table.
 */
async function publish(
  source: PostgresConnection,
  target: PostgresConnection,
  tables: readonly string[],
  madeAtTarget: readonly string[] = tables,
): Promise<void> {
  const name = replicaName(source.database);
  if ((await one(source, `SELECT puballtables FROM pg_publication WHERE pubname = ${literal(name)}`)) === "t")
    return;
  // One statement (and transaction) per table, as in identifyRowsWithoutKey: a table dropped
  // meanwhile or already published is skipped.
  if (tables.length > 0)
    await retryDeadlock(() =>
      psql(
        source,
        `SELECT format('DO $sov$ BEGIN EXECUTE %L; EXCEPTION WHEN undefined_table OR duplicate_object THEN NULL; END $sov$',
                       format('ALTER PUBLICATION %I ADD TABLE public.%I', ${literal(name)}, t))
           FROM unnest(ARRAY[${tables.map(literal).join(", ")}]::text[]) t
       \\gexec`,
      ),
    );
  const published = new Set(
    (
      await psql(
        source,
        `SELECT tablename FROM pg_publication_tables WHERE pubname = ${literal(name)} AND schemaname = 'public'`,
      )
    )
      .split("\n")
      .filter(Boolean),
  );
  const gone = madeAtTarget.filter((t) => !published.has(t));
  if (gone.length > 0)
    await psql(target, gone.map((t) => `DROP TABLE IF EXISTS public.${ident(t)} CASCADE;`).join("\n"));
}

/**
 * Makes the subscription follow the source's tables (logical replication carries rows, not DDL):
 * the schema of tables made at the source since is copied and they join the publication
 * (REFRESH PUBLICATION copies their rows, and ends the streaming of tables the source dropped,
 * with their sync slots). Returns the tables joined and those the target holds that the source
 * no longer has (`gone`): the caller drops them once the replica has applied their last changes.
 * Every table of the target database came from the source (the replica's start emptied it).
 */
async function followSourceTables(
  source: PostgresConnection,
  target: PostgresConnection,
): Promise<{ added: string[]; gone: string[] }> {
  const [streamed, atSource, atTarget] = await Promise.all([
    subscribed(target).then((s) => s.tables),
    tablesOf(source),
    publicTables(target),
  ]);
  const known = new Set(streamed);
  const added = atSource.publishable.filter((t) => !known.has(t));
  // Gone: no longer a table at all (one made UNLOGGED since is no longer published, but stays).
  const gone = droppedAtSource(atTarget, atSource.all);
  const unsubscribe = droppedAtSource(streamed, atSource.all);
  if (added.length > 0) {
    const existing = new Set(atTarget);
    const missing = added.filter((t) => !existing.has(t));
    if (missing.length > 0) await copyDatabase(source, target, { schemaOnly: true, tables: missing });
    await identifyRowsWithoutKey(source);
    await publish(source, target, added, missing);
  }
  if (added.length > 0 || unsubscribe.length > 0)
    await psql(target, `ALTER SUBSCRIPTION ${ident(replicaName(target.database))} REFRESH PUBLICATION;`);
  return { added, gone };
}

export interface ReplicaLag {
  /** WAL the source wrote that the replica has not confirmed yet. */
  readonly bytes: number;
  /** Time between a change at the source and its replay at the target (0 when idle). */
  readonly seconds: number;
  /** The subscription is connected to the source. */
  readonly streaming: boolean;
}

/** How far the replica of `source` is behind, read at the source (its replication slot). */
export async function replicaLag(source: PostgresConnection): Promise<ReplicaLag | undefined> {
  const name = literal(replicaName(source.database));
  const row = await one(
    source,
    `SELECT pg_current_wal_lsn() || ' ' || coalesce(confirmed_flush_lsn::text, '0/0') || ' '
            || CASE WHEN active THEN 'streaming' ELSE 'stopped' END
            || ' ' || coalesce((SELECT extract(epoch FROM coalesce(replay_lag, '0'))::text
                                  FROM pg_stat_replication WHERE application_name = ${name} LIMIT 1), '0')
       FROM pg_replication_slots WHERE slot_name = ${name}`,
  );
  if (!row) return undefined;
  const [written, confirmed, active, seconds] = row.split(" ");
  return {
    bytes: lsnBehind(written, confirmed),
    seconds: Number(seconds),
    streaming: active === "streaming",
  };
}

/**
 * Waits until the replica has confirmed the source's WAL position as read at the first reading
 * (before `deadline`): every change committed before the call has been applied at the target.
 * Returns how many bytes it was behind then (0: already there).
 */
export async function untilConfirmed(source: PostgresConnection, deadline: number): Promise<number> {
  const name = literal(replicaName(source.database));
  let first: number | undefined;
  let written: string | undefined;
  for (;;) {
    // The first reading also takes the source's WAL position to wait for (one query, not two).
    const [confirmed, now] = (
      await one(
        source,
        `SELECT coalesce(confirmed_flush_lsn::text, '0/0') || ' ' || pg_current_wal_lsn() FROM pg_replication_slots WHERE slot_name = ${name}`,
      )
    ).split(" ");
    if (!confirmed) throw new Error(`the source has no replication slot ${name} for ${source.database}`);
    written ??= now;
    const behind = lsnBehind(written, confirmed);
    first ??= behind;
    if (behind === 0) return first;
    if (Date.now() > deadline)
      throw new Error(
        `the replica of ${source.database} did not reach the source's WAL position ${written} (still ${behind} bytes behind)`,
      );
    await sleep(100);
  }
}

/**
 * The final sync, with writes stopped: new tables joined, then wait until the target has
 * confirmed the source's current WAL position; sequences follow (logical replication does not
 * carry them). Returns the bytes of WAL that were still to replay when the wait began.
 */
export async function catchUp(
  source: PostgresConnection,
  target: PostgresConnection,
  options: ReplicaOptions = {},
): Promise<number> {
  // Writes have stopped: the sequences (which logical replication does not carry, and its apply
  // worker never touches) are read while the tables are refreshed, and set at the target (once a
  // table that joined now has its schema there) while the replica catches up.
  const reading = query(
    source,
    `SELECT format('SELECT setval(%L, %s, true);', format('%I.%I', schemaname, sequencename), last_value)
       FROM pg_sequences WHERE last_value IS NOT NULL`,
  );
  reading.catch(() => undefined); // awaited below
  await refreshReplica(source, target, options);
  const setvals = await reading;
  const [first] = await Promise.all([
    untilConfirmed(source, Date.now() + (options.timeoutMs ?? 300_000)),
    setvals.trim() ? query(target, setvals) : "",
  ]);
  return first;
}

/** Drops the subscription; when the source does not answer, detaches its slot first (no connection needed). */
async function dropSubscription(target: PostgresConnection, subscription: string): Promise<void> {
  const sub = ident(subscription);
  await psql(target, `DROP SUBSCRIPTION ${sub};`).catch(() =>
    psql(
      target,
      `ALTER SUBSCRIPTION ${sub} DISABLE; ALTER SUBSCRIPTION ${sub} SET (slot_name = NONE); DROP SUBSCRIPTION ${sub};`,
    ),
  );
}

/**
 * Ends the replica: the target's database becomes an ordinary, writable one. Removes the
 * subscription (and with it the source's slot), the publication and the replication role. The
 * source may be unreachable (a promoted standby): then only the target side is cleaned.
 */
export async function promoteReplica(
  source: PostgresConnection,
  target: PostgresConnection,
): Promise<string> {
  const targetExists =
    (await one(
      target,
      `SELECT 1 FROM pg_database WHERE datname = ${literal(target.database)}`,
      "postgres",
    )) === "1";
  if (targetExists && (await replicaExists(target)))
    await dropSubscription(target, replicaName(target.database));
  // A pre-verify's change watches (changeWatch.ts) end with the replica.
  if (targetExists) await endWatch(target, "target");
  const sourceCleaned = await psql(
    source,
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ${literal(replicaName(source.database))} AND NOT active;
     DROP PUBLICATION IF EXISTS ${ident(replicaName(source.database))};
     DROP ROLE IF EXISTS ${ident(roleName(source.database))};`,
  )
    .then(() => endWatch(source, "source"))
    .then(
      () => "",
      (e: Error) => `; the source was not cleaned (${e.message})`,
    );
  return `${target.database} promoted: replica ended${sourceCleaned}`;
}

/** The owner marker on a replica object, `null` when it has none, `undefined` when it is absent. */
async function markerOf(c: PostgresConnection, sql: string): Promise<string | null | undefined> {
  const row = await psql(c, sql);
  if (row === "") return undefined;
  return parseOwner(row.trim()) ?? null;
}

/** Whether an object's marker says it is `owner`'s (an unmarked one is the owner-less resource's). */
const isOwners = (marker: string | null | undefined, owner?: string) =>
  marker !== undefined && (owner === undefined ? marker === null : marker === owner);

/**
 * Removes a replica that `owner`'s resource started and no longer needs (an abandoned pre-seed:
 * the migration failed and was removed, the stack was deleted, the standby was removed): its
 * subscription at the target, and its replication slot, publication and role at the source. Only
 * what carries `owner`'s marker (the publication; for the subscription, the target database it
 * lives in) is touched (unmarked ones when `owner` is undefined); another
 * resource's replica of the same database is left alone and named in the note. Both sides are
 * tried; when one could not be cleaned, this throws naming it (a slot left at the source holds WAL
 * until it is dropped), after cleaning the other. Returns a note of what was removed.
 */
export async function abandonReplica(
  source: PostgresConnection,
  target: PostgresConnection,
  owner?: string,
): Promise<string> {
  const name = replicaName(source.database);
  const notes: string[] = [];
  // A database that is gone holds no publication or subscription, and no slot (DROP DATABASE
  // refuses while one exists).
  const exists = async (c: PostgresConnection) =>
    (await one(c, `SELECT 1 FROM pg_database WHERE datname = ${literal(c.database)}`, "postgres")) === "1";
  /** Whether the replica object is the owner's (one of another resource is named in the notes). */
  const owns = async (c: PostgresConnection, what: string, sql: string) => {
    if (!(await exists(c))) return false;
    const marker = await markerOf(c, sql);
    if (marker === undefined) return false;
    if (isOwners(marker, owner)) return true;
    notes.push(`${what} ${name} at ${c.host} is another resource's: left in place`);
    return false;
  };
  const targetSide = async () => {
    // The subscription lives in the target database, which carries the owner's marker.
    const sql = `SELECT coalesce(shobj_description(d.oid, 'pg_database'), '') FROM pg_subscription s
                   JOIN pg_database d ON d.oid = s.subdbid AND d.datname = ${literal(target.database)}
                  WHERE s.subname = ${literal(name)}`;
    if (!(await owns(target, "subscription", sql))) return;
    await dropSubscription(target, name);
    await endWatch(target, "target");
    notes.push(`subscription ${name} dropped at ${target.host}`);
  };
  const sourceSide = async () => {
    const sql = `SELECT coalesce(obj_description(oid, 'pg_publication'), '') FROM pg_publication WHERE pubname = ${literal(name)}`;
    if (!(await owns(source, "publication", sql))) return;
    await psql(
      source,
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ${literal(name)} AND NOT active;
       DROP PUBLICATION IF EXISTS ${ident(name)};
       DROP ROLE IF EXISTS ${ident(roleName(source.database))};`,
    );
    await endWatch(source, "source");
    notes.push(`slot and publication ${name} dropped at ${source.host}`);
  };
  const failures: string[] = [];
  for (const [side, work] of [
    ["target", targetSide],
    ["source", sourceSide],
  ] as const)
    await work().catch((e: Error) => failures.push(`the ${side} was not cleaned (${e.message})`));
  if (failures.length > 0)
    throw new Error(
      `removing the replica of ${source.database}: ${[...notes, ...failures].join("; ")}; run again once both datacenters answer`,
    );
  return notes.join("; ") || `no replica of ${source.database} made by this resource`;
}
