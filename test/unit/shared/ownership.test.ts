import * as assert from "assert";
import fc from "fast-check";
import {
  decideClaim,
  decideDelete,
  decideWrite,
  encodeOwner,
  LEGACY_MARKER,
  LEGACY_OWNER,
  ownerAmong,
  ownerId,
  ownerProblem,
  ownedByStack,
  ownIds,
  parseOwner,
} from "../../../providers/shared/ownership";

const part = fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/);
const resourceName = fc.stringMatching(/^[A-Za-z0-9_./ -]{1,30}$/).filter((s) => s.trim() !== "");
const owner = fc.tuple(part, part, resourceName).map(([p, s, r]) => ownerId(p, s, r));
const found = fc.record({ exists: fc.boolean(), owner: fc.option(owner, { nil: undefined }) });

describe("shared ownership: markers", () => {
  it("encodes and parses an owner; other texts are no marker; the legacy marker is recognised", () => {
    const o = ownerId("sovereign", "local", "site-www-A");
    assert.strictEqual(o, "sovereign/local/site-www-A");
    assert.strictEqual(encodeOwner(o), "sovereign-owner:sovereign/local/site-www-A");
    assert.strictEqual(parseOwner(encodeOwner(o)), o);
    assert.strictEqual(parseOwner("set by hand"), undefined);
    assert.strictEqual(parseOwner(undefined), undefined);
    assert.strictEqual(parseOwner(LEGACY_MARKER), LEGACY_OWNER);
    assert.strictEqual(ownerAmong(["note", undefined, encodeOwner(o)]), o);
  });

  it("round-trips every owner id (property)", () => {
    fc.assert(fc.property(owner, (o) => assert.strictEqual(parseOwner(encodeOwner(o)), o)));
  });

  it("refuses parts that would make the id ambiguous, and says how to fix an owner input", () => {
    assert.throws(() => ownerId("a/b", "s", "r"), /owner project "a\/b" may not contain "\/"/);
    assert.throws(() => ownerId("p", "", "r"), /owner stack "" must be non-empty/);
    assert.throws(() => ownerId("p", "s", "x\ny"), /resource name/);
    assert.strictEqual(ownerProblem("p/s/r"), undefined);
    assert.match(
      ownerProblem("nope") ?? "",
      /must look like "<project>\/<stack>\/<resource>"; leave it unset/,
    );
  });
});

describe("shared ownership: decisions", () => {
  const me = "proj/b/www";
  const other = "proj/a/www";

  it("create: makes what is missing, continues its own work, refuses others naming both owners", () => {
    assert.deepStrictEqual(decideClaim({ exists: false }, me, false), { action: "create" });
    assert.deepStrictEqual(decideClaim({ exists: true, owner: me }, me, false), { action: "continue" });
    const refused = decideClaim({ exists: true, owner: other }, me, false);
    assert.strictEqual(refused.action, "refuse");
    assert.match(
      refused.action === "refuse" ? refused.reason : "",
      /belongs to "proj\/a\/www", not to "proj\/b\/www"\. Set "adopt: true"/,
    );
    const unowned = decideClaim({ exists: true }, me, false);
    assert.match(unowned.action === "refuse" ? unowned.reason : "", /belongs to no one/);
    assert.deepStrictEqual(decideClaim({ exists: true, owner: other }, me, true), {
      action: "adopt",
      from: other,
    });
  });

  it("delete: removes only what the same owner holds; warns when taken over or unmarked", () => {
    assert.deepStrictEqual(decideDelete({ exists: true, owner: me }, [me]), { action: "delete" });
    assert.deepStrictEqual(decideDelete({ exists: false }, [me]), { action: "gone" });
    const left = decideDelete({ exists: true, owner: other }, [me]);
    assert.strictEqual(left.action, "leave");
    assert.match(left.action === "leave" ? left.warning : "", /now belongs to "proj\/a\/www"/);
    assert.strictEqual(decideDelete({ exists: true }, [me]).action, "leave");
  });

  it("a rename keeps ownership: the old id in the state still counts as ours", () => {
    const renamed = "proj/b/www-renamed";
    assert.deepStrictEqual(ownIds(renamed, me), [renamed, me]);
    assert.deepStrictEqual(ownIds(me, me), [me]);
    assert.strictEqual(decideDelete({ exists: true, owner: me }, ownIds(renamed, me)).action, "delete");
    assert.strictEqual(decideWrite({ exists: true, owner: me }, ownIds(renamed, me)).action, "write");
    assert.strictEqual(decideWrite({ exists: true, owner: other }, ownIds(renamed, me)).action, "refuse");
  });

  it("a state written before owners were recorded may delete what carries the legacy marker", () => {
    assert.strictEqual(
      decideDelete({ exists: true, owner: LEGACY_OWNER }, ownIds(me, undefined)).action,
      "delete",
    );
    assert.strictEqual(
      decideDelete({ exists: true, owner: LEGACY_OWNER }, ownIds(undefined)).action,
      "delete",
    );
    assert.strictEqual(decideDelete({ exists: true, owner: LEGACY_OWNER }, ownIds(me, me)).action, "leave");
  });

  it("tells this stack's other resources from other stacks'", () => {
    assert.ok(ownedByStack("proj/b/other", me));
    assert.ok(!ownedByStack("proj/a/www", me));
    assert.ok(!ownedByStack(undefined, me));
  });

  it("never deletes or silently claims what another owner holds (property)", () => {
    fc.assert(
      fc.property(found, owner, fc.boolean(), (f, me, adopt) => {
        const claim = decideClaim(f, me, adopt);
        if (f.exists && f.owner !== me) assert.ok(claim.action === (adopt ? "adopt" : "refuse"));
        if (!f.exists) assert.strictEqual(claim.action, "create");
        const del = decideDelete(f, [me]);
        if (del.action === "delete") assert.ok(f.exists && f.owner === me);
        if (f.exists && f.owner === me) assert.strictEqual(del.action, "delete");
        const write = decideWrite(f, [me]);
        if (f.exists && f.owner !== undefined && f.owner !== me) assert.strictEqual(write.action, "refuse");
      }),
    );
  });
});
