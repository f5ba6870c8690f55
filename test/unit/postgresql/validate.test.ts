import * as assert from "assert";
import fc from "fast-check";
import {
  connectionProblems,
  identifierProblem,
  localeProblem,
  passwordProblem,
} from "../../../providers/postgresql/validate";

describe("PostgreSQL input checks", () => {
  it("accepts lower-case identifiers and refuses the rest, and PostgreSQL's own names", () => {
    assert.strictEqual(identifierProblem("name", "synapse"), undefined);
    assert.strictEqual(identifierProblem("name", "_app_2"), undefined);
    for (const bad of [
      "Synapse",
      "my-app",
      "1app",
      "",
      "a".repeat(64),
      "app; DROP",
      "template1",
      "pg_x",
      "postgres",
    ])
      assert.ok(identifierProblem("name", bad), bad);
  });

  it("every accepted identifier needs no quoting: no character outside [a-z0-9_]", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        if (identifierProblem("name", s) === undefined) assert.match(s, /^[a-z_][a-z0-9_]*$/);
      }),
    );
  });

  it("names the field of a bad admin connection", () => {
    const fields = connectionProblems({
      host: "a b",
      port: 70000,
      adminUser: "-x",
      passwordConfig: "nokey",
    }).map((f) => f.property);
    assert.deepStrictEqual(fields, ["host", "port", "adminUser", "passwordConfig"]);
    assert.deepStrictEqual(connectionProblems({ host: "127.0.0.1", port: 5432, adminUser: "postgres" }), []);
  });

  it("a short password is refused without echoing it; locales are names", () => {
    const p = passwordProblem("hunter2");
    assert.ok(p && !p.reason.includes("hunter2"));
    assert.strictEqual(passwordProblem("x".repeat(16)), undefined);
    assert.strictEqual(localeProblem("lcCollate", "C"), undefined);
    assert.strictEqual(localeProblem("lcCollate", "en_US.UTF-8"), undefined);
    assert.ok(localeProblem("lcCollate", "C'; DROP"));
  });
});
