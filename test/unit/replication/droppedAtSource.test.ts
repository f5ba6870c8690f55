import * as assert from "assert";
import fc from "fast-check";
import { droppedAtSource } from "../../../sdk/replication/logicalReplica";

describe("droppedAtSource (tables the target must drop at the final sync)", () => {
  it("names the streamed tables the source no longer has, and only those", () => {
    assert.deepStrictEqual(
      droppedAtSource(
        ["posts", "_temp_populate_user_directory_rooms", "events"],
        ["events", "posts", "rooms"],
      ),
      ["_temp_populate_user_directory_rooms"],
    );
    assert.deepStrictEqual(droppedAtSource([], ["posts"]), []);
  });

  it("never drops a table the source still has, and drops every streamed one it lacks", () => {
    const name = fc.stringMatching(/^[a-z_]{1,8}$/);
    fc.assert(
      fc.property(fc.array(name), fc.array(name), (streamed, atSource) => {
        const gone = droppedAtSource(streamed, atSource);
        for (const t of gone) assert.ok(!atSource.includes(t) && streamed.includes(t));
        for (const t of streamed) if (!atSource.includes(t)) assert.ok(gone.includes(t));
        assert.strictEqual(new Set(gone).size, gone.length);
      }),
    );
  });
});
