/**
 * Pooled queries (sdk/replication/pgQuery.ts) against a real PostgreSQL cluster: the answer reads
 * as psql's, connections are reused and never handed on in a broken transaction, errors name the
 * database and never the password, and a database stays droppable by this process and by others.
 */
import * as assert from "assert";
import { randomBytes } from "crypto";
import { postgresConnection, startPostgres, type PostgresServiceWithBin } from "../harness/postgres";
import { dropDatabase, psql, type PostgresConnection } from "../../sdk/replication/postgresCopy";
import { endSessions, IDLE_MS, query } from "../../sdk/replication/pgQuery";

describe("pooled queries (pgQuery) on a real PostgreSQL cluster", function () {
  this.timeout(120_000);
  const run = randomBytes(3).toString("hex");
  let cluster: PostgresServiceWithBin;
  let c: PostgresConnection;

  before(async function () {
    this.timeout(120_000);
    cluster = await startPostgres();
    c = postgresConnection(cluster, `pooled_${run}`);
    await psql(c, `CREATE DATABASE "${c.database}"`, "postgres");
    await psql(c, "CREATE TABLE t (id int primary key, body text, flag boolean, at timestamptz, n numeric);");
  });
  after(async () => {
    await endSessions();
    await cluster?.stop();
  });

  it("answers in the text psql -qAt prints (several statements, NULLs, booleans, numbers, times, no rows)", async () => {
    const script = `INSERT INTO t VALUES (1, 'a|b', true, '2026-11-27 06:00:00+00', 1.50), (2, NULL, false, NULL, NULL);
      SELECT id, body, flag, at, n FROM t ORDER BY id;
      SELECT 'x' WHERE false;
      SELECT count(*), array[1,2], '{"k": 1}'::jsonb, interval '90 minutes' FROM t;
      DELETE FROM t;`;
    const pooled = await query(c, script);
    await psql(c, "DELETE FROM t;");
    const printed = await psql(c, `\\set QUIET on\n${script}`);
    assert.strictEqual(pooled, printed);
    assert.match(pooled, /^1\|a\|b\|t\|2026-11-27 06:00:00\+00\|1\.50\n2\|\|f\|\|\n2\|\{1,2\}\|/);
  });

  it("reuses one connection for queries one after another", async () => {
    const pids = new Set<string>();
    for (let i = 0; i < 10; i++) pids.add((await query(c, "SELECT pg_backend_pid()")).trim());
    assert.strictEqual(pids.size, 1, `one server backend for ten queries, got ${[...pids].join(", ")}`);
  });

  it("runs a script as one transaction, and a failed one leaves no open transaction behind", async () => {
    await assert.rejects(query(c, "INSERT INTO t VALUES (10, 'kept?'); SELECT 1/0;"), (e: Error) => {
      assert.match(
        e.message,
        new RegExp(`^query on ${c.database} at ${c.host}:${c.port}: ERROR: division by zero`),
      );
      return true;
    });
    assert.strictEqual(await query(c, "SELECT count(*) FROM t WHERE id = 10"), "0\n");
    // An explicit transaction cut by an error: that connection is closed, not reused aborted.
    await assert.rejects(query(c, "BEGIN; SELECT 1/0;"), /division by zero/);
    for (let i = 0; i < 6; i++) assert.strictEqual(await query(c, "SELECT 1"), "1\n");
    const stuck = await psql(
      c,
      `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sovereign' AND state LIKE 'idle in transaction%'`,
    );
    assert.strictEqual(stuck.trim(), "0");
  });

  it("names the database and never the password when it cannot log in", async () => {
    const wrong = { ...c, password: `not-the-password-${run}` };
    await assert.rejects(query(wrong, "SELECT 1"), (e: Error) => {
      assert.match(
        e.message,
        new RegExp(`cannot connect to ${c.database} at ${c.host}:${c.port} as ${c.user}: .*password`),
      );
      assert.ok(!e.message.includes(wrong.password), "the password is not in the error");
      return true;
    });
    assert.strictEqual(await query(c, "SELECT 2"), "2\n", "the right password still has its own pool");
  });

  it("leaves a database droppable: by this process at once, by another session within its wait", async () => {
    const other = { ...c, database: `pooled_other_${run}` };
    await psql(other, `CREATE DATABASE "${other.database}"`, "postgres");
    await query(other, "SELECT 1");
    // Another session's plain DROP DATABASE waits up to 5 s for other sessions: the idle one closes first.
    assert.ok(IDLE_MS < 5000);
    await psql(other, `DROP DATABASE "${other.database}"`, "postgres");
    assert.strictEqual(
      await psql(other, `SELECT count(*) FROM pg_database WHERE datname = '${other.database}'`, "postgres"),
      "0\n",
    );

    // This process's own dropDatabase closes its connections first.
    await psql(other, `CREATE DATABASE "${other.database}"`, "postgres");
    await query(other, "SELECT 1");
    await dropDatabase(other);
    assert.strictEqual(
      await psql(other, `SELECT count(*) FROM pg_database WHERE datname = '${other.database}'`, "postgres"),
      "0\n",
    );
    // A pool the server ended does not end this process, and the next query connects anew.
    await psql(other, `CREATE DATABASE "${other.database}"`, "postgres");
    await query(other, "SELECT 1");
    await psql(other, `DROP DATABASE "${other.database}" WITH (FORCE)`, "postgres");
    await psql(other, `CREATE DATABASE "${other.database}"`, "postgres");
    assert.strictEqual(await query(other, "SELECT 3"), "3\n");
    await dropDatabase(other);
  });
});
