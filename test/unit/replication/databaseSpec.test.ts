import * as assert from "assert";
import fc from "fast-check";
import { appDefinition } from "../../../sdk/apps/catalog";
import { createDatabaseSql, databaseSpec, databaseSpecMismatch } from "../../../sdk/replication/databaseSpec";

describe("databaseSpec: a database is made as its app's catalog entry asks", () => {
  const synapse = appDefinition("matrix").state.find((s) => s.kind === "database")!;
  const pixelfed = appDefinition("pixelfed").state.find((s) => s.kind === "database")!;

  it("Synapse's database is C collation and ctype in UTF8; apps without a locale take the defaults", () => {
    assert.deepStrictEqual(databaseSpec(synapse), { collate: "C", ctype: "C", encoding: "UTF8" });
    assert.deepStrictEqual(databaseSpec(pixelfed), {});
    const directory = appDefinition("pixelfed").state.find((s) => s.kind === "directory")!;
    assert.deepStrictEqual(databaseSpec(directory), {});
  });

  it("an explicit locale is made from template0 (PostgreSQL refuses it from template1 otherwise)", () => {
    assert.strictEqual(
      createDatabaseSql("site_matrix_synapse", databaseSpec(synapse)),
      `CREATE DATABASE "site_matrix_synapse" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`,
    );
    assert.strictEqual(createDatabaseSql("plain"), `CREATE DATABASE "plain"`);
    assert.strictEqual(
      createDatabaseSql(`we"ird`, { collate: "it's" }),
      `CREATE DATABASE "we""ird" TEMPLATE template0 LC_COLLATE 'it''s'`,
    );
  });

  it("a database made with the cluster's other default does not fit the app, naming the difference", () => {
    const spec = databaseSpec(synapse);
    assert.strictEqual(
      databaseSpecMismatch(spec, { collate: "C.UTF-8", ctype: "C.UTF-8", encoding: "UTF8" }),
      "collation is C.UTF-8, the app needs C; ctype is C.UTF-8, the app needs C",
    );
    assert.strictEqual(
      databaseSpecMismatch(spec, { collate: "C", ctype: "C", encoding: "SQL_ASCII" }),
      "encoding is SQL_ASCII, the app needs UTF8",
    );
    assert.strictEqual(databaseSpecMismatch(spec, { collate: "C", ctype: "C", encoding: "UTF8" }), undefined);
    assert.strictEqual(
      databaseSpecMismatch({ collate: "C.UTF-8" }, { collate: "C.utf8", ctype: "x", encoding: "y" }),
      undefined,
      "codeset spellings are the same locale",
    );
  });

  it("an empty spec fits every database", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.string(),
        (collate, ctype, encoding) => databaseSpecMismatch({}, { collate, ctype, encoding }) === undefined,
      ),
    );
  });
});
