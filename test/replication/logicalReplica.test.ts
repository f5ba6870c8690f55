/**
 * A logical replica between two real PostgreSQL clusters on 127.0.0.1 (no datacenter needed):
 * its start empties the owner's target database in place and refuses another's, it follows the
 * tables the app makes and drops while it runs, and abandonReplica ends only the replica its owner
 * made, leaving no slot at the source.
 */
import * as assert from "assert";
import { randomBytes } from "crypto";
import { postgresConnection, startPostgres, type PostgresServiceWithBin } from "../harness/postgres";
import { abandonReplica, catchUp, startReplica } from "../../sdk/replication/logicalReplica";
import { databaseSettings, psql, type PostgresConnection } from "../../sdk/replication/postgresCopy";
import { claimDatabase, databaseOwner } from "../../sdk/migration/placeOwners";

describe("logical replica: in-place emptying and owned clean-up (two real PostgreSQL clusters)", function () {
  this.timeout(180_000);
  const run = randomBytes(3).toString("hex");
  const mine = `proj/test/site-location-${run}`;
  const theirs = `proj/other/site-location-${run}`;
  let clusters: PostgresServiceWithBin[] = [];
  const conn = postgresConnection;
  let source: PostgresConnection;
  let target: PostgresConnection;
  const counts = async () =>
    [
      (await psql(source, "SELECT count(*) FROM pg_replication_slots", "postgres")).trim(),
      (await psql(target, "SELECT count(*) FROM pg_subscription", "postgres")).trim(),
    ].join(" ");

  before(async function () {
    this.timeout(180_000);
    clusters = [
      await startPostgres({ logicalReplication: true }),
      await startPostgres({ logicalReplication: true, locale: "C.UTF-8" }),
    ];
    source = conn(clusters[0], `synapse_${run}`);
    target = conn(clusters[1], `synapse_${run}`);
    await psql(source, `CREATE DATABASE "${source.database}"`, "postgres");
    await psql(
      source,
      `CREATE TABLE posts (id serial primary key, body text); INSERT INTO posts (body) VALUES ('a'), ('b');
       CREATE TABLE schema_version (version int); INSERT INTO schema_version VALUES (1);`,
    );
  });
  after(async () => {
    for (const c of clusters) await c.stop();
  });

  it("makes the target with the app's collation and streams; a restart empties the owner's own database in place", async () => {
    const spec = { collate: "C", ctype: "C", encoding: "UTF8" };
    await startReplica(source, target, { owner: mine, database: spec, timeoutMs: 60_000 });
    assert.strictEqual(await databaseOwner(target), mine);
    // A keyless table (Synapse's schema_version) is matched by all its columns, so the app's
    // UPDATE of it is not refused while it is published.
    assert.strictEqual(
      (await psql(source, "SELECT relreplident FROM pg_class WHERE relname = 'schema_version'")).trim(),
      "f",
    );
    await psql(source, "UPDATE schema_version SET version = 2; DROP TABLE schema_version;");
    assert.deepStrictEqual(
      await databaseSettings(target),
      spec,
      "C although the cluster's default is C.UTF-8",
    );
    assert.strictEqual(await counts(), "1 1");
    assert.strictEqual(
      await abandonReplica(source, target, theirs),
      `subscription sov_synapse_${run} at 127.0.0.1 is another resource's: left in place; publication sov_synapse_${run} at 127.0.0.1 is another resource's: left in place`,
    );
    assert.strictEqual(await counts(), "1 1", "another owner's clean-up leaves the replica");
    const note = await abandonReplica(source, target, mine);
    assert.strictEqual(
      await counts(),
      "0 0",
      `no slot at the source, no subscription at the target (${note})`,
    );
    // The target still holds the copied rows: a new start empties it in place and streams again.
    await psql(target, "CREATE TABLE leftover (id int)");
    await startReplica(source, target, { owner: mine, database: spec, timeoutMs: 60_000 });
    assert.strictEqual((await psql(target, "SELECT count(*) FROM posts")).trim(), "2");
    assert.strictEqual(
      (await psql(target, "SELECT count(*) FROM pg_tables WHERE tablename = 'leftover'")).trim(),
      "0",
    );
    assert.strictEqual(await databaseOwner(target), mine, "the marker stays");
    assert.deepStrictEqual(await databaseSettings(target), spec, "the collation stays");
    await abandonReplica(source, target, mine);
    assert.strictEqual(await counts(), "0 0");
  });

  it("the final sync follows the source's DDL since the pre-seed: a dropped table goes, a new one joins with its rows", async () => {
    // Synapse's background updates make `_temp_*` tables and drop them again while it serves.
    await psql(
      source,
      "CREATE TABLE _temp_scratch (id int primary key); INSERT INTO _temp_scratch VALUES (1);",
    );
    await startReplica(source, target, { owner: mine, timeoutMs: 60_000 });
    assert.strictEqual((await psql(target, "SELECT count(*) FROM _temp_scratch")).trim(), "1");
    await psql(
      source,
      "DROP TABLE _temp_scratch; CREATE TABLE rooms (id int primary key); INSERT INTO rooms VALUES (7);",
    );
    await psql(source, "INSERT INTO posts (body) VALUES ('c');");
    await catchUp(source, target, { timeoutMs: 60_000 });
    const tables = (
      await psql(
        target,
        "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
      )
    ).trim();
    assert.strictEqual(tables, "posts,rooms", "the table dropped at the source is gone at the target");
    assert.strictEqual((await psql(target, "SELECT count(*) FROM posts")).trim(), "3");
    assert.strictEqual((await psql(target, "SELECT id FROM rooms")).trim(), "7");
    await abandonReplica(source, target, mine);
    assert.strictEqual(await counts(), "0 0");
  });

  it("a keyless table the app makes and drops while the replica streams stops neither the app's writes nor the stream", async () => {
    // An UNLOGGED table cannot be published: its schema travels, its rows do not.
    await psql(source, "CREATE UNLOGGED TABLE worker_locks (lock_name text primary key);");
    await startReplica(source, target, { owner: mine, timeoutMs: 60_000 });
    assert.strictEqual(
      (await psql(target, "SELECT relpersistence FROM pg_class WHERE relname = 'worker_locks'")).trim(),
      "u",
    );
    const before = Number((await psql(source, "SELECT count(*) FROM posts")).trim());
    // Synapse's background updates do this while it serves (`_temp_populate_user_directory_*`).
    await psql(
      source,
      `CREATE TABLE _temp_work (room_id text NOT NULL);
       INSERT INTO _temp_work VALUES ('!a'), ('!b');
       DELETE FROM _temp_work WHERE room_id = '!a';
       UPDATE _temp_work SET room_id = '!c';
       DROP TABLE _temp_work;
       INSERT INTO posts (body) VALUES ('after the scratch table');`,
    );
    // Streamed without a catch-up: the table the target never had did not stop the subscription.
    const deadline = Date.now() + 30_000;
    while (Number((await psql(target, "SELECT count(*) FROM posts")).trim()) !== before + 1) {
      assert.ok(Date.now() < deadline, "the row written after the scratch table reached the target");
      await new Promise((r) => setTimeout(r, 200));
    }
    await catchUp(source, target, { timeoutMs: 60_000 });
    assert.strictEqual(
      (await psql(target, "SELECT count(*) FROM pg_tables WHERE tablename = '_temp_work'")).trim(),
      "0",
    );
    await abandonReplica(source, target, mine);
    assert.strictEqual(await counts(), "0 0");
  });

  it("refuses a target holding objects that is another's, naming it and its owner, and leaves nothing", async () => {
    const other = conn(clusters[1], `taken_${run}`);
    await claimDatabase(other, theirs, "there");
    await psql(other, "CREATE TABLE theirs (id int)");
    const from = { ...source };
    await assert.rejects(
      startReplica(from, other, { owner: mine, timeoutMs: 30_000 }),
      new RegExp(
        `database taken_${run} at 127\\.0\\.0\\.1:${clusters[1].port} holds 1 objects and belongs to "${theirs}"`,
      ),
    );
    assert.strictEqual(
      (await psql(other, "SELECT count(*) FROM theirs")).trim(),
      "0",
      "their table is still there",
    );
    assert.strictEqual(await counts(), "0 0");
  });
});
