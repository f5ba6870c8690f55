/**
 * A database backed up table by table, against a real PostgreSQL (no datacenter): a full backup
 * then incrementals that carry only the tables whose rows changed or that are new, a chain
 * restored into a database an app had already filled, every checksum equal; one exported snapshot
 * for checksums and files; a chain without its base refused before the database is touched.
 */
import * as assert from "assert";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { useService } from "../harness";
import { postgresConnection } from "../harness/postgres";
import { backupDatabase, restoreDatabase, type DatabaseResult } from "../../sdk/backup/databaseTransfer";
import type { ChainLink } from "../../sdk/backup/transfer";
import {
  dropDatabase,
  ensureDatabase,
  psql,
  tableChecksums,
  type PostgresConnection,
} from "../../sdk/replication/postgresCopy";
import { dumpTables, withSnapshot } from "../../sdk/replication/postgresTables";
import { claimDatabase, databaseOwner } from "../../sdk/migration/placeOwners";

describe("databases backed up table by table (real PostgreSQL)", function () {
  this.timeout(120_000);
  const pg = useService("postgres");
  const run = randomBytes(3).toString("hex");
  const owner = `proj/test/site-location-${run}`;
  const conn = (database: string): PostgresConnection => postgresConnection(pg(), database);
  const source = () => conn(`bk_src_${run}`);
  const target = () => conn(`bk_dst_${run}`);
  let work: string;
  const backups: Record<string, DatabaseResult> = {};
  const link = (name: string): ChainLink => ({
    dir: path.join(work, name),
    file: `${name}.tar`,
    backup: backups[name].backup,
  });
  const carried = (name: string) =>
    backups[name].entries.map((e) => e.path).filter((p) => p.includes("/tables/"));

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-dbbackup-test-"));
    await ensureDatabase(source());
    await claimDatabase(target(), owner, "here");
  });

  after(async () => {
    for (const c of [source, target]) await dropDatabase(c()).catch(() => undefined);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("a full backup carries every table, incrementals only the changed and new ones", async () => {
    await psql(
      source(),
      `CREATE TABLE posts (id serial primary key, body text);
       INSERT INTO posts (body) SELECT 'post ' || g FROM generate_series(1, 300) g;
       CREATE TABLE comments (id serial primary key, post_id int NOT NULL REFERENCES posts (id), body text);
       INSERT INTO comments (post_id, body) SELECT 1 + g % 300, repeat('c' || g, 20) FROM generate_series(1, 2000) g;
       CREATE TABLE "Old notes" (note text); INSERT INTO "Old notes" VALUES ('tab	and
newline');`,
    );
    backups.full = await backupDatabase(source(), "db", path.join(work, "full"));
    assert.deepStrictEqual(carried("full"), [
      "db/tables/%4Fld%20notes.copy",
      "db/tables/comments.copy",
      "db/tables/posts.copy",
    ]);

    await psql(
      source(),
      "UPDATE posts SET body = 'edited' WHERE id = 7; INSERT INTO posts (body) VALUES ('new');",
    );
    backups.incr = await backupDatabase(source(), "db", path.join(work, "incr"), backups.full.backup);
    assert.deepStrictEqual(carried("incr"), ["db/tables/posts.copy"]);
    assert.match(backups.incr.note, /rows of 1 of 3 tables/);
    const bytes = (name: string) => backups[name].entries.reduce((n, e) => n + e.bytes, 0);
    assert.ok(bytes("incr") * 4 < bytes("full"), `incremental ${bytes("incr")} bytes, full ${bytes("full")}`);

    await psql(
      source(),
      `DROP TABLE "Old notes"; CREATE TABLE tags (name text primary key); INSERT INTO tags VALUES ('x');`,
    );
    backups.incr2 = await backupDatabase(source(), "db", path.join(work, "incr2"), backups.incr.backup);
    assert.deepStrictEqual(carried("incr2"), ["db/tables/tags.copy"]);
    assert.match(backups.incr2.note, /added: tags; dropped: Old notes/);
  });

  it("the chain restores into a database an app already filled: every checksum, sequences, constraints", async () => {
    await psql(target(), "CREATE TABLE made_by_the_app (x int); INSERT INTO made_by_the_app VALUES (1);");
    const note = await restoreDatabase(target(), ["full", "incr", "incr2"].map(link), { owner });
    assert.match(note, /3 tables from 3 archive\(s\)/);
    assert.deepStrictEqual(await tableChecksums(target()), await tableChecksums(source()));
    assert.strictEqual(await databaseOwner(target()), owner, "the database's owner marker is kept");
    assert.strictEqual(
      (await psql(target(), "INSERT INTO posts (body) VALUES ('after restore') RETURNING id")).split("\n")[0],
      "302",
      "the sequence continues after the restored rows",
    );
    await assert.rejects(
      psql(target(), "INSERT INTO comments (post_id, body) VALUES (99999, 'orphan')"),
      /violates foreign key constraint/,
    );
  });

  it("a restore into another's database that holds objects is refused, naming its owner, and changes nothing", async () => {
    const theirs = conn(`bk_theirs_${run}`);
    await claimDatabase(theirs, "proj/other/site-location", "there");
    await psql(theirs, "CREATE TABLE their_rows (x int); INSERT INTO their_rows VALUES (1);");
    try {
      await assert.rejects(
        restoreDatabase(theirs, ["full", "incr", "incr2"].map(link), { owner }),
        new RegExp(
          `database bk_theirs_${run} at .* holds \\d+ objects and belongs to .*proj/other/site-location.*: the restore would have to empty it`,
        ),
      );
      assert.strictEqual((await psql(theirs, "SELECT count(*) FROM their_rows")).trim(), "1");
    } finally {
      await dropDatabase(theirs);
    }
  });

  it("checksums and rows are read in one snapshot: a row written meanwhile is in neither", async () => {
    const files = {
      schema: path.join(work, "snap/schema.sql"),
      postSchema: path.join(work, "snap/post.sql"),
      sequences: path.join(work, "snap/seq.sql"),
      tables: { tags: path.join(work, "snap/tags.copy") },
    };
    const sums = await withSnapshot(source(), async (snapshot) => {
      await psql(source(), "INSERT INTO tags VALUES ('written during the backup');");
      await dumpTables(source(), snapshot, files);
      return tableChecksums(source(), snapshot);
    });
    assert.match(sums.tags, /^1 /);
    assert.strictEqual(fs.readFileSync(files.tables.tags, "utf8"), "x\n");
    assert.match((await tableChecksums(source())).tags, /^2 /);
  });

  it("a chain without its base is refused before the database is touched", async () => {
    const before = await tableChecksums(target());
    await assert.rejects(
      restoreDatabase(target(), ["incr", "incr2"].map(link)),
      /incr2\.tar needs the rows of comments \(2000 h128:-?\d+\.-?\d+\) from its base, and no archive of the chain \(incr\.tar, incr2\.tar\) holds them/,
    );
    assert.deepStrictEqual(await tableChecksums(target()), before);
  });

  it("a table's checksum does not depend on the order of its rows, and changes with any one byte", async () => {
    const other = conn(`bk_order_${run}`);
    await ensureDatabase(other);
    try {
      // The same rows, written in the opposite order, the heap of the source shuffled by updates.
      await psql(
        other,
        `CREATE TABLE posts (id serial primary key, body text);
         INSERT INTO posts (id, body) SELECT id, body FROM (VALUES ${(
           await psql(source(), "SELECT id || ',' || quote_literal(body) FROM posts ORDER BY id DESC")
         )
           .split("\n")
           .filter(Boolean)
           .map((row) => `(${row})`)
           .join(", ")}) v (id, body);`,
      );
      const sums = async (c: PostgresConnection) => (await tableChecksums(c)).posts;
      assert.match(await sums(source()), /^301 h128:-?\d+\.-?\d+$/);
      assert.strictEqual(await sums(other), await sums(source()));
      await psql(other, "UPDATE posts SET body = 'editee' WHERE id = 7;");
      assert.notStrictEqual(await sums(other), await sums(source()), "one byte changed");
      await psql(other, "UPDATE posts SET body = 'edited' WHERE id = 7;");
      assert.strictEqual(await sums(other), await sums(source()), "changed back");
    } finally {
      await dropDatabase(other);
    }
  });

  it("an archive that recorded sorted md5s (made before the order-free sums) still restores and verifies", async () => {
    const legacy = await tableChecksums(source(), undefined, "sorted");
    assert.match(legacy.posts, /^301 [0-9a-f]{32}$/);
    const restored = conn(`bk_legacy_${run}`);
    const withSums = (sums: Record<string, string>): ChainLink[] => {
      const full = link("legacyfull");
      if (full.backup?.kind !== "database") throw new Error("not a database item");
      const tables = Object.fromEntries(
        Object.entries(full.backup.tables).map(([t, b]) => [t, { ...b, checksum: sums[t] }]),
      );
      return [{ ...full, backup: { ...full.backup, tables } }];
    };
    try {
      backups.legacyfull = await backupDatabase(source(), "db", path.join(work, "legacyfull"));
      assert.match(
        await restoreDatabase(restored, withSums(legacy), { owner }),
        /every checksum as the manifest records/,
      );
      await assert.rejects(
        restoreDatabase(restored, withSums({ ...legacy, tags: legacy.tags.replace(/^\d+/, "9") }), { owner }),
        /restored from legacyfull\.tar differs from its manifest: tags \(source 9 [0-9a-f]{32}, target 2 [0-9a-f]{32}\)/,
      );
    } finally {
      await dropDatabase(restored);
    }
  });

  it("a database with tables outside the public schema is refused, naming them", async () => {
    await psql(source(), "CREATE SCHEMA extra; CREATE TABLE extra.hidden (x int);");
    await assert.rejects(
      backupDatabase(source(), "db", path.join(work, "refused")),
      /has tables outside the public schema \(extra\.hidden\); a backup covers the public schema only/,
    );
    assert.ok(!fs.existsSync(path.join(work, "refused")), "nothing written");
  });
});
