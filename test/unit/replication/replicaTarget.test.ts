import * as assert from "assert";
import fc from "fast-check";
import { replicaTargetAction } from "../../../sdk/replication/replicaTarget";

describe("replicaTargetAction: a replica starts from an empty database without destroying another's", () => {
  const found = (marker: string | null | undefined, objects: number) => ({
    database: "site_chat_synapse",
    where: "127.0.20.1:5432",
    marker,
    objects,
  });
  const me = "proj/test/site-location";

  it("makes an absent database; empties the owner's own in place; uses an empty one as it is", () => {
    assert.deepStrictEqual(replicaTargetAction(found(undefined, 0), me), { action: "create" });
    assert.deepStrictEqual(replicaTargetAction(found(me, 12), me), { action: "empty" });
    assert.deepStrictEqual(replicaTargetAction(found(me, 0), me), { action: "use" });
    assert.deepStrictEqual(replicaTargetAction(found(null, 0), me), { action: "use" });
    assert.deepStrictEqual(replicaTargetAction(found(null, 0)), { action: "use" });
  });

  it("refuses a database holding objects that is not marked as the owner's, naming it and its owner", () => {
    const other = replicaTargetAction(found("proj/other/site-location", 3), me);
    assert.strictEqual(other.action, "refuse");
    assert.match(
      (other as { reason: string }).reason,
      /database site_chat_synapse at 127\.0\.20\.1:5432 holds 3 objects and belongs to "proj\/other\/site-location", not to "proj\/test\/site-location"/,
    );
    const unmarked = replicaTargetAction(found(null, 1), me);
    assert.match(
      (unmarked as { reason: string }).reason,
      /belongs to no one \(it carries no sovereign owner marker\)/,
    );
    const ownerless = replicaTargetAction(found(me, 4));
    assert.match((ownerless as { reason: string }).reason, /not to this resource \(it marks nothing\)/);
  });

  it("never empties a database holding objects unless it carries exactly the owner's marker", () => {
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom(me, "proj/x/y", "proj/test/other"), { nil: undefined }),
        fc.option(fc.constantFrom(me, "proj/x/y"), { nil: undefined }),
        fc.nat(50),
        (owner, marker, objects) => {
          const action = replicaTargetAction(found(marker, objects), owner).action;
          if (action === "empty") return owner !== undefined && marker === owner && objects > 0;
          return true;
        },
      ),
    );
  });
});
