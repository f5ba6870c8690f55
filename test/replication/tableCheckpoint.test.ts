/**
 * The migration's pre-verify against two real PostgreSQL clusters streaming by logical
 * replication: which tables the verify in the write window may leave unread (summed equal before
 * the stop, no write decoded since at either side, columns unchanged), and that every kind of
 * change since (rows at the source, a column added without writing a row, a row removed at the
 * target behind the replica's back, a TRUNCATE) makes the verify read the table again and see it.
 */
import * as assert from "assert";
import { randomBytes } from "crypto";
import { postgresConnection, startPostgres, type PostgresServiceWithBin } from "../harness/postgres";
import { abandonReplica, catchUp, startReplica } from "../../sdk/replication/logicalReplica";
import { changesSinceWatch, watchSlotName } from "../../sdk/replication/changeWatch";
import {
  dropDatabase,
  psql,
  tableChecksums,
  type PostgresConnection,
} from "../../sdk/replication/postgresCopy";
import { endCheckpoint, sideSums, takeCheckpoint } from "../../sdk/migration/tableCheckpoint";
import { compareTables } from "../../sdk/migration/tableVerify";

describe("pre-verify checkpoint: the verify re-reads exactly the tables written since (two real PostgreSQL clusters)", function () {
  this.timeout(180_000);
  const run = randomBytes(3).toString("hex");
  const owner = `proj/test/checkpoint-${run}`;
  let clusters: PostgresServiceWithBin[] = [];
  let source: PostgresConnection;
  let target: PostgresConnection;
  const slots = async (c: PostgresConnection) =>
    (
      await psql(
        c,
        "SELECT string_agg(slot_name, ',' ORDER BY slot_name) FROM pg_replication_slots",
        "postgres",
      )
    ).trim();

  before(async function () {
    this.timeout(180_000);
    clusters = [
      await startPostgres({ logicalReplication: true }),
      await startPostgres({ logicalReplication: true }),
    ];
    source = postgresConnection(clusters[0], `app_${run}`);
    target = postgresConnection(clusters[1], `app_${run}`);
    await psql(source, `CREATE DATABASE "${source.database}"`, "postgres");
    await psql(
      source,
      `CREATE TABLE posts (id serial primary key, body text);
       CREATE TABLE quiet (id int primary key, body text);
       CREATE TABLE wide (id int primary key);
       CREATE TABLE cleared (id int primary key);
       INSERT INTO posts (body) SELECT 'p' || g FROM generate_series(1, 50) g;
       INSERT INTO quiet SELECT g, repeat('q', 100) FROM generate_series(1, 500) g;
       INSERT INTO wide SELECT generate_series(1, 20);
       INSERT INTO cleared SELECT generate_series(1, 5);`,
    );
    await startReplica(source, target, { owner, timeoutMs: 60_000 });
  });
  after(async () => {
    for (const c of clusters) await c.stop();
  });

  it("keeps only untouched tables, and the verify then sees every change made since", async () => {
    const taken = await takeCheckpoint(source, target, 60_000);
    assert.ok(taken.checkpoint, taken.note);
    const cp = taken.checkpoint;
    assert.deepStrictEqual(Object.keys(cp.sums).sort(), ["cleared", "posts", "quiet", "wide"]);
    assert.match(taken.note, /^4 of 4 tables equal at both sides/);
    assert.match(await slots(source), new RegExp(watchSlotName(source.database, "source")));
    assert.match(await slots(target), new RegExp(watchSlotName(target.database, "target")));

    // Since the checkpoint: rows at the source; a column with a default (no row is written);
    // a row removed at the target by someone else; nothing at all to `cleared`.
    await psql(source, "INSERT INTO posts (body) VALUES ('after the checkpoint');");
    await psql(source, "ALTER TABLE wide ADD COLUMN flag int NOT NULL DEFAULT 7;");
    await psql(target, "DELETE FROM quiet WHERE id = 1;");
    const seen = await changesSinceWatch(source, "source");
    assert.deepStrictEqual(
      [...(seen?.tables ?? [])],
      ["posts"],
      "the source's watch names the written table",
    );
    assert.strictEqual(seen?.all, false);

    // The window: the source side at the final sync, then the target after the catch-up.
    const a = await sideSums(source, "source", cp.sums, cp.schema.source);
    assert.deepStrictEqual(
      Object.keys(a.kept).sort(),
      ["cleared", "quiet"],
      "posts written, wide's columns changed",
    );
    assert.deepStrictEqual(a.sums, await tableChecksums(source), "kept sums are the source's current ones");
    await catchUp(source, target, { timeoutMs: 60_000 });
    const b = await sideSums(target, "target", a.kept, cp.schema.target);
    assert.deepStrictEqual(
      Object.keys(b.kept),
      ["cleared"],
      "the target's own watch saw the delete in quiet",
    );
    const verdict = compareTables(a.sums, b.sums);
    assert.deepStrictEqual(
      verdict.differences.map((d) => d.table),
      ["quiet", "wide"],
      "the row removed at the target and the column the target lacks are both found",
    );
    await endCheckpoint(source, target);
    assert.doesNotMatch(await slots(source), /sovwatch/);
    assert.doesNotMatch(await slots(target), /sovwatch/);
  });

  it("a TRUNCATE since the checkpoint keeps nothing; no watch reads every table; a database with a watch can still be dropped", async () => {
    await psql(target, "INSERT INTO quiet VALUES (1, repeat('q', 100)) ON CONFLICT DO NOTHING;");
    await psql(target, "ALTER TABLE wide ADD COLUMN flag int NOT NULL DEFAULT 7;");
    const taken = await takeCheckpoint(source, target, 60_000);
    const cp = taken.checkpoint!;
    assert.strictEqual(Object.keys(cp.sums).length, 4, taken.note);
    await psql(source, "TRUNCATE cleared;");
    const a = await sideSums(source, "source", cp.sums, cp.schema.source);
    assert.deepStrictEqual(a.kept, {}, "a TRUNCATE counts as a write to every table");
    await endCheckpoint(source, target);
    assert.strictEqual(await changesSinceWatch(source, "source"), undefined);
    const all = await sideSums(source, "source", cp.sums, cp.schema.source);
    assert.deepStrictEqual(all.kept, {}, "without a watch nothing is kept");

    await takeCheckpoint(source, target, 60_000);
    await abandonReplica(source, target, owner);
    assert.doesNotMatch(await slots(source), /sov/, "abandoning the replica ends the source's watch");
    assert.doesNotMatch(await slots(target), /sov/, "and the target's");
    await psql(
      target,
      `SELECT pg_create_logical_replication_slot('${watchSlotName(target.database, "target")}', 'test_decoding')`,
    );
    await dropDatabase(target);
    assert.doesNotMatch(await slots(target), /sovwatch/);
  });
});
