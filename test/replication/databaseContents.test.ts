/**
 * Emptying a database in place and making it with its app's settings, on a real PostgreSQL: what
 * a logical replica's start and a migration's provision do to the target database.
 */
import * as assert from "assert";
import { randomBytes } from "crypto";
import { useService } from "../harness";
import { postgresConnection } from "../harness/postgres";
import { databaseObjectCount, emptyDatabase } from "../../sdk/replication/databaseContents";
import {
  databaseSettings,
  dropDatabase,
  psql,
  type PostgresConnection,
} from "../../sdk/replication/postgresCopy";
import { claimDatabase, databaseOwner } from "../../sdk/migration/placeOwners";

describe("a target database is emptied in place and made as its app asks (real PostgreSQL)", function () {
  this.timeout(120_000);
  const pg = useService("postgres");
  const run = randomBytes(3).toString("hex");
  const owner = `proj/test/site-location-${run}`;
  const conn = (database: string): PostgresConnection => postgresConnection(pg(), database);
  const made: string[] = [];
  after(async () => {
    for (const d of made) await dropDatabase(conn(d)).catch(() => undefined);
    await psql(conn("postgres"), `DROP ROLE IF EXISTS reader_${run}`).catch(() => undefined);
  });

  it("emptying drops every object and keeps the owner marker, the collation and the grants", async () => {
    const db = conn(`synapse_${run}`);
    made.push(db.database);
    await claimDatabase(db, owner, "here", { collate: "C", ctype: "C", encoding: "UTF8" });
    await psql(db, `CREATE ROLE reader_${run}; GRANT CONNECT ON DATABASE "${db.database}" TO reader_${run};`);
    await psql(
      db,
      `CREATE SCHEMA extra; CREATE TABLE extra.t (id int);
       CREATE TYPE mood AS ENUM ('ok'); CREATE DOMAIN posint AS int CHECK (VALUE > 0);
       CREATE TABLE posts (id serial primary key, body text, m mood, n posint);
       CREATE VIEW v AS SELECT * FROM posts; CREATE SEQUENCE s;
       CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
       CREATE TYPE pair AS (a int, b int); CREATE EXTENSION IF NOT EXISTS pgcrypto;`,
    );
    assert.ok((await databaseObjectCount(db)) >= 10);
    await emptyDatabase(db);
    assert.strictEqual(await databaseObjectCount(db), 0);
    assert.strictEqual(await databaseOwner(db), owner, "the owner marker stays");
    assert.deepStrictEqual(await databaseSettings(db), { collate: "C", ctype: "C", encoding: "UTF8" });
    const grant = await psql(
      db,
      `SELECT has_database_privilege('reader_${run}', current_database(), 'CONNECT')`,
    );
    assert.strictEqual(grant.trim(), "t", "the grant stays");
    // public stays usable: the schema copy that follows creates tables in it.
    await psql(db, "CREATE TABLE posts (id int)");
  });

  it("the owner's empty database made with other settings is made again; one holding objects is refused", async () => {
    const db = conn(`app_${run}`);
    made.push(db.database);
    await claimDatabase(db, owner, "here", {});
    const cluster = (await databaseSettings(db))!;
    const other = cluster.collate === "C" ? "C.UTF-8" : "C";
    await claimDatabase(db, owner, "here", { collate: other, ctype: other });
    assert.strictEqual((await databaseSettings(db))!.collate, other);
    assert.strictEqual(await databaseOwner(db), owner);
    await psql(db, "CREATE TABLE kept (id int)");
    await assert.rejects(
      claimDatabase(db, owner, "dc-x", { collate: cluster.collate }),
      new RegExp(
        `database ${db.database} at dc-x is ${owner}'s but its collation is ${other}, the app needs ${cluster.collate}, and it already holds objects`,
      ),
    );
  });
});
