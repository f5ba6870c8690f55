import * as assert from "assert";
import fc from "fast-check";
import {
  duplicateClientIdProblems,
  realmNameProblems,
  redirectUriProblem,
  userProblems,
} from "../../../providers/keycloak/validate";
import { ownerFromAttributes, withOwnerAttribute } from "../../../providers/keycloak/ownership";

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const publicHost = fc.tuple(label, label).map(([a, b]) => `${a}.${b}.example`);
const path = fc.stringMatching(/^(\/[a-z0-9._-]{1,10}){0,4}$/);

describe("keycloak input checks", () => {
  it("accepts every https redirect URI and http only on loopback (property)", () => {
    fc.assert(
      fc.property(publicHost, path, (host, p) => {
        assert.strictEqual(redirectUriProblem(`https://${host}${p}`), undefined);
        const problem = redirectUriProblem(`http://${host}${p}`);
        assert.ok(problem?.includes("must use https"), `http://${host}${p} refused`);
        assert.ok(problem?.includes(`"https://${host}${p}"`), "the message gives the https spelling to use");
      }),
    );
    for (const loopback of [
      "http://127.0.0.1:8080/cb",
      "http://localhost/cb",
      "http://[::1]:3000/cb",
      "http://127.1.2.3/x",
    ]) {
      assert.strictEqual(redirectUriProblem(loopback), undefined, loopback);
    }
    assert.match(redirectUriProblem("/relative/cb") ?? "", /not an absolute URL/);
    assert.match(redirectUriProblem("https://a.example/cb#frag") ?? "", /fragment/);
    assert.match(redirectUriProblem("ftp://a.example/cb") ?? "", /must use https/);
  });

  it("accepts realm names of the URL-safe set only, naming the field", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,62}$/),
        (name) => realmNameProblems(name).length === 0,
      ),
    );
    const [problem] = realmNameProblems("Bad Realm!", "realm");
    assert.strictEqual(problem.property, "realm");
    assert.match(problem.reason, /"Bad Realm!" is not allowed: use 1-63 lower-case letters/);
    for (const bad of ["", "UPPER", "with space", "a/b", "-leading", "x".repeat(64), "ümlaut"]) {
      assert.strictEqual(realmNameProblems(bad).length, 1, bad);
    }
  });

  it("names each client id used twice and where it was first used", () => {
    assert.deepStrictEqual(duplicateClientIdProblems(["a", "b", "a", "a"], "apps"), [
      {
        property: "apps[2].clientId",
        reason: 'client id "a" is already used by apps[0]: give each app its own client id',
      },
      {
        property: "apps[3].clientId",
        reason: 'client id "a" is already used by apps[0]: give each app its own client id',
      },
    ]);
    fc.assert(fc.property(fc.uniqueArray(label), (ids) => duplicateClientIdProblems(ids).length === 0));
  });

  it("requires an email where the realm requires one, and known required actions", () => {
    assert.deepStrictEqual(userProblems({ username: "alice", emailRequired: true }), [
      {
        property: "email",
        reason: 'user "alice" has no email, but its realm requires one: add email (e.g. "alice@example.org")',
      },
    ]);
    assert.deepStrictEqual(userProblems({ username: "alice", emailRequired: false }), []);
    assert.match(
      userProblems({ username: "bob", email: "bob@", requiredActions: ["FLY"] })
        .map((p) => `${p.property}: ${p.reason}`)
        .join("\n"),
      /email: "bob@" is not an email address[\s\S]*requiredActions\[0\]: "FLY" is not a Keycloak required action/,
    );
  });

  it("keeps the shared owner marker in an attribute, as a string or a list, and reads it back (property)", () => {
    const owner = fc.tuple(
      label,
      label,
      fc.string({ minLength: 1, maxLength: 30 }).filter((n) => n.trim() !== ""),
    );
    fc.assert(
      fc.property(owner, ([project, stack, name]) => {
        const id = `${project}/${stack}/${name.trim()}`;
        const asString = withOwnerAttribute({ other: "kept" }, id, false);
        assert.strictEqual(asString["sovereign.owner"], `sovereign-owner:${id}`);
        assert.strictEqual(asString.other, "kept");
        assert.strictEqual(ownerFromAttributes(asString), id);
        assert.strictEqual(ownerFromAttributes(withOwnerAttribute(undefined, id, true)), id);
      }),
    );
    // The bare id the first provider wrote is still someone's (named in refusals, never ours).
    assert.strictEqual(ownerFromAttributes({ "sovereign.owner": ["p/s/t/n"] }), "p/s/t/n");
    assert.strictEqual(ownerFromAttributes({}), undefined);
    assert.strictEqual(ownerFromAttributes({ "sovereign.owner": "" }), undefined);
  });
});
