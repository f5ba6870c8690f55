import * as assert from "assert";
import fc from "fast-check";
import {
  tableEntry,
  tableIncrement,
  tableSources,
  type BackedUpTable,
  type TableLink,
} from "../../../sdk/backup/tableIncrement";

/** Table name -> checksum, from a few names and checksums so that they often coincide. */
const sumsArb = fc.dictionary(
  fc.constantFrom("posts", "users", "media", "tags", "Odd name"),
  fc.constantFrom("1 a", "2 b", "0 -"),
);

/** An archive's tables as a backup with `before` as base records them. */
function backedUp(
  now: Record<string, string>,
  before: Readonly<Record<string, BackedUpTable>> | undefined,
  dir: string,
): Record<string, BackedUpTable> {
  const carry = new Set(tableIncrement(now, before).carry);
  return Object.fromEntries(
    Object.entries(now).map(([t, checksum]) => [
      t,
      { checksum, ...(carry.has(t) ? { entry: tableEntry(dir, t) } : {}) },
    ]),
  );
}

describe("incremental database backups: which tables an archive carries", () => {
  it("carries every table without a base, and only new or changed ones with one", () => {
    const before = {
      posts: { checksum: "500 aa", entry: "e" },
      users: { checksum: "3 bb" },
      old: { checksum: "1 cc" },
    };
    assert.deepStrictEqual(tableIncrement({ posts: "501 ab", users: "3 bb", tags: "0 -" }, before), {
      carry: ["posts", "tags"],
      unchanged: ["users"],
      added: ["tags"],
      dropped: ["old"],
    });
    assert.deepStrictEqual(tableIncrement({ b: "1", a: "2" }, undefined), {
      carry: ["a", "b"],
      unchanged: [],
      added: [],
      dropped: [],
    });
  });

  it("property: carry and unchanged split the tables now; carried = no base table or another checksum", () => {
    fc.assert(
      fc.property(sumsArb, sumsArb, fc.boolean(), (now, was, full) => {
        const before = full
          ? undefined
          : Object.fromEntries(Object.entries(was).map(([t, checksum]) => [t, { checksum }]));
        const inc = tableIncrement(now, before);
        assert.deepStrictEqual([...inc.carry, ...inc.unchanged].sort(), Object.keys(now).sort());
        for (const t of Object.keys(now))
          assert.strictEqual(inc.carry.includes(t), before?.[t]?.checksum !== now[t], t);
        assert.deepStrictEqual(
          inc.dropped,
          before
            ? Object.keys(was)
                .filter((t) => !(t in now))
                .sort()
            : [],
        );
        assert.ok(
          inc.added.every((t) => inc.carry.includes(t)),
          "an added table is carried",
        );
        assert.deepStrictEqual(tableIncrement(now, backedUp(now, before, "d")).carry, [], "nothing twice");
      }),
    );
  });

  it("names a table's entry injectively, inside the item's directory", () => {
    assert.strictEqual(tableEntry("data/db", "posts_2"), "data/db/tables/posts_2.copy");
    assert.strictEqual(
      tableEntry("data/db", "Odd name/../x"),
      "data/db/tables/%4Fdd%20name%2F%2E%2E%2Fx.copy",
    );
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        (a, b) => {
          const [ea, eb] = [tableEntry("d", a), tableEntry("d", b)];
          assert.strictEqual(ea === eb, a === b);
          assert.match(ea, /^d\/tables\/[a-z0-9_%A-F]+\.copy$/);
        },
      ),
    );
  });

  it("property: a restore finds every table of the newest archive, with its newest checksum, along the chain", () => {
    fc.assert(
      fc.property(fc.array(sumsArb, { minLength: 1, maxLength: 5 }), (states) => {
        const chain: TableLink[] = [];
        let before: Record<string, BackedUpTable> | undefined;
        for (const [i, now] of states.entries()) {
          before = backedUp(now, before, `a${i}`);
          chain.push({ file: `a${i}.tar`, tables: before });
        }
        const newest = states[states.length - 1];
        const sources = tableSources(chain);
        assert.deepStrictEqual([...sources.keys()].sort(), Object.keys(newest).sort());
        for (const [t, i] of sources) {
          const held = chain[i].tables?.[t];
          assert.ok(held?.entry, `${t} has rows in ${chain[i].file}`);
          assert.strictEqual(held.checksum, newest[t]);
          for (let j = i + 1; j < chain.length; j++)
            assert.ok(!chain[j].tables?.[t]?.entry, `no newer archive carries ${t}`);
        }
        const last = chain[chain.length - 1];
        if (Object.values(last.tables ?? {}).some((t) => !t.entry))
          assert.throws(() => tableSources([last]), /needs the rows of/, "without its base, refused");
      }),
    );
  });

  it("refuses a chain whose base does not hold a table's rows, naming the archives and the table", () => {
    const full: TableLink = { file: "full.tar", tables: { posts: { checksum: "1 a", entry: "p" } } };
    const incr: TableLink = {
      file: "incr.tar",
      tables: { posts: { checksum: "1 a" }, tags: { checksum: "0 -", entry: "t" } },
    };
    assert.deepStrictEqual(
      [...tableSources([full, incr])],
      [
        ["posts", 0],
        ["tags", 1],
      ],
    );
    assert.deepStrictEqual(
      [...tableSources([full, { file: "x.tar" }])],
      [["posts", 0]],
      "an archive without the database",
    );
    const other: TableLink = { file: "other.tar", tables: { posts: { checksum: "9 z", entry: "p" } } };
    assert.throws(
      () => tableSources([other, incr]),
      /incr\.tar needs the rows of posts \(1 a\) from its base, and no archive of the chain \(other\.tar, incr\.tar\) holds them/,
    );
    assert.throws(() => tableSources([{ file: "a.tar" }]), /no archive of the chain holds the database/);
  });
});
