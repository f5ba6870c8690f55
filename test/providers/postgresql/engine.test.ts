/**
 * The PostgreSQL providers through the real Pulumi engine against a real PostgreSQL: a role that
 * logs in with its generated password, a database it owns, owner markers in the comments, adoption,
 * refusals naming the owner, delete leaving what another owner took over, refresh seeing drift,
 * bad input refused at preview, and no password in the state.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import { Client } from "pg";
import { PostgresDatabase, PostgresRole } from "../../../providers/postgresql";
import { useService } from "../../harness";
import { backendFilesText } from "../../harness/stateFiles";
import { createTestStack, TestStack } from "../../harness/workspace";
import { fails } from "../../support/failure";

const quiet = { color: "never" as const };

interface Spec {
  name: string;
  password: string;
  adopt?: boolean;
  lcCollate?: string;
}

describe("PostgreSQL roles and databases through the real engine", function () {
  this.timeout(600_000);
  const pg = useService("postgres");
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks) await t.dispose().catch(() => undefined);
  });

  const admin = async <T>(
    fn: (c: Client) => Promise<T>,
    as?: { user: string; password: string; database: string },
  ) => {
    const c = new Client({
      host: pg().host,
      port: pg().port,
      user: as?.user ?? pg().user,
      password: as?.password ?? pg().password,
      database: as?.database ?? "postgres",
    });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const one = (sql: string, values: unknown[] = []) =>
    admin(async (c) => (await c.query(sql, values)).rows[0] as Record<string, unknown> | undefined);
  const dbInfo = (name: string) =>
    one(
      "SELECT pg_get_userbyid(datdba) AS owner, datcollate, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
      [name],
    );

  async function stackFor(project: string, spec: () => Spec): Promise<TestStack> {
    const t = await createTestStack(project, async () => {
      const s = spec();
      const connection = { host: pg().host, port: pg().port, adminUser: pg().user };
      const role = new PostgresRole("role", {
        connection,
        name: s.name,
        password: s.password,
        adopt: s.adopt,
      });
      const db = new PostgresDatabase(
        "db",
        {
          connection,
          name: s.name,
          ownerRole: role.name,
          adopt: s.adopt,
          ...(s.lcCollate ? { lcCollate: s.lcCollate, lcCtype: s.lcCollate } : {}),
        },
        { protect: false },
      );
      return { role: role.name, db: db.name, owner: db.actualOwnerRole, adopted: db.adopted };
    });
    await t.stack.setConfig("sovereign:postgresAdminPassword", { value: pg().password, secret: true });
    stacks.push(t);
    return t;
  }

  const fresh = (): Spec => ({
    name: `app_${crypto.randomBytes(4).toString("hex")}`,
    password: crypto.randomBytes(24).toString("hex"),
  });

  it("makes a login role and its database (C collation), marked with their owners; a second up changes nothing; no password in the state", async () => {
    const spec = fresh();
    const t = await stackFor("pg-basic", () => ({ ...spec, lcCollate: "C" }));
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.summary.result, "succeeded");
    // The role logs in to its database with the password the stack gave it.
    const who = await admin(async (c) => (await c.query("SELECT current_user, current_database()")).rows[0], {
      user: spec.name,
      password: spec.password,
      database: spec.name,
    });
    assert.deepStrictEqual(who, { current_user: spec.name, current_database: spec.name });
    assert.deepStrictEqual(await dbInfo(spec.name), {
      owner: spec.name,
      datcollate: "C",
      comment: "sovereign-owner:pg-basic/test/db",
    });
    const role = await one(
      "SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1",
      [spec.name],
    );
    assert.strictEqual(role?.comment, "sovereign-owner:pg-basic/test/role");
    const again = await t.stack.up(quiet);
    assert.deepStrictEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"]);
    assert.ok(
      !backendFilesText(t.engine.backendDir).includes(spec.password),
      "the role's password is in the state",
    );
    assert.ok(
      !backendFilesText(t.engine.backendDir).includes(pg().password),
      "the admin password is in the state",
    );
  });

  it("a new password is set on the role in place", async () => {
    let spec = fresh();
    const t = await stackFor("pg-rotate", () => spec);
    await t.stack.up(quiet);
    spec = { ...spec, password: crypto.randomBytes(24).toString("hex") };
    const up = await t.stack.up(quiet);
    assert.deepStrictEqual(up.summary.resourceChanges, { same: up.summary.resourceChanges?.same, update: 1 });
    const ok = await admin(async (c) => (await c.query("SELECT 1 AS ok")).rows[0], {
      user: spec.name,
      password: spec.password,
      database: spec.name,
    });
    assert.deepStrictEqual(ok, { ok: 1 });
  });

  it("refuses a database that no one's stack made, naming the owner; adopt takes it over and keeps its data", async () => {
    const spec = fresh();
    await admin(async (c) => {
      await c.query(`CREATE ROLE ${spec.name} LOGIN`);
      await c.query(`CREATE DATABASE ${spec.name} OWNER ${spec.name}`);
    });
    await admin((c) => c.query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('data')"), {
      user: pg().user,
      password: pg().password,
      database: spec.name,
    });
    let adopt = false;
    const t = await stackFor("pg-adopt", () => ({ ...spec, adopt }));
    const message = await fails(t.stack.up(quiet));
    assert.match(message, new RegExp(`role "${spec.name}".*belongs to no one.*adopt: true`, "s"));
    adopt = true;
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.outputs.adopted.value, true);
    assert.strictEqual((await dbInfo(spec.name))?.comment, "sovereign-owner:pg-adopt/test/db");
    // The role now logs in with the stack's password, and the data is still there.
    await admin((c) => c.query("SELECT 1"), {
      user: spec.name,
      password: spec.password,
      database: spec.name,
    });
    const kept = await admin(async (c) => (await c.query("SELECT v FROM kept")).rows, {
      user: pg().user,
      password: pg().password,
      database: spec.name,
    });
    assert.deepStrictEqual(kept, [{ v: "data" }]);
  });

  it("refuses another stack's database naming that stack; delete leaves what someone else took over", async () => {
    const spec = fresh();
    const first = await stackFor("pg-first", () => spec);
    await first.stack.up(quiet);
    const second = await stackFor("pg-second", () => spec);
    const message = await fails(second.stack.up(quiet));
    assert.match(message, /belongs to "pg-first\/test\/role"/);
    // Someone takes the database over (their marker); the first stack's destroy must leave it.
    await admin((c) => c.query(`COMMENT ON DATABASE ${spec.name} IS 'sovereign-owner:other/prod/db'`));
    await first.stack.destroy(quiet).catch((e: Error) => e);
    assert.strictEqual((await dbInfo(spec.name))?.comment, "sovereign-owner:other/prod/db");
  });

  it("refresh sees a database whose owner role was changed by hand, and up puts it back", async () => {
    const spec = fresh();
    const t = await stackFor("pg-drift", () => spec);
    await t.stack.up(quiet);
    await admin((c) => c.query(`ALTER DATABASE ${spec.name} OWNER TO ${pg().user}`));
    await t.stack.refresh(quiet);
    const preview = await t.stack.preview(quiet);
    assert.strictEqual(preview.changeSummary.update, 1, JSON.stringify(preview.changeSummary));
    await t.stack.up(quiet);
    assert.strictEqual((await dbInfo(spec.name))?.owner, spec.name);
  });

  it("refuses bad names and a short password at preview, naming the field", async () => {
    const t = await stackFor("pg-bad", () => ({ name: "Bad-Name", password: "Xq7-tiny" }));
    const message = await fails(t.stack.preview(quiet));
    assert.match(message, /name.*must be a lower-case identifier/);
    assert.match(message, /password: must be at least 16 characters/);
    assert.ok(!message.includes("Xq7-tiny"), "the password's text is not in the message");
  });
});
