import * as assert from "assert";
import fc from "fast-check";
import { applyChanges, planPatches, rrsetKey } from "../../../providers/powerdns/batch";
import type { PdnsRRSetChange, PdnsZone } from "../../../providers/powerdns/client";

const change = fc.record({
  name: fc.constantFrom("a.", "b.", "c.", "d.", "e."),
  type: fc.constantFrom("A", "TXT"),
});

describe("powerdns batch: PATCH planning", () => {
  it("puts everything in one PATCH when no rrset repeats", () => {
    const changes = Array.from({ length: 1000 }, (_, i) => ({ name: `h${i}.`, type: "A" }));
    assert.deepStrictEqual(planPatches(changes, 1000).length, 1);
    assert.deepStrictEqual(
      planPatches(changes, 300).map((b) => b.length),
      [300, 300, 300, 100],
    );
  });

  it("never names an rrset twice in one PATCH, keeps each rrset's order, respects the size limit (property)", () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 60 }), fc.integer({ min: 1, max: 70 }), (changes, max) => {
        const batches = planPatches(changes, max);
        const seen = batches.flat().sort((a, b) => a - b);
        assert.deepStrictEqual(
          seen,
          changes.map((_, i) => i),
          "every change exactly once",
        );
        const batchOf = new Map<number, number>();
        batches.forEach((b, bi) => {
          assert.ok(b.length > 0 && b.length <= max);
          const keys = b.map((i) => rrsetKey(changes[i]));
          assert.strictEqual(new Set(keys).size, keys.length, "an rrset twice in one PATCH");
          b.forEach((i) => batchOf.set(i, bi));
        });
        changes.forEach((c, i) =>
          changes.slice(i + 1).forEach((d, j) => {
            if (rrsetKey(c) === rrsetKey(d))
              assert.ok(batchOf.get(i)! < batchOf.get(i + 1 + j)!, "order kept");
          }),
        );
        if (max >= changes.length) {
          const counts = new Map<string, number>();
          changes.forEach((c) => counts.set(rrsetKey(c), (counts.get(rrsetKey(c)) ?? 0) + 1));
          assert.strictEqual(
            batches.length,
            Math.max(0, ...counts.values()),
            "as few PATCHes as the API allows",
          );
        }
      }),
    );
  });
});

describe("powerdns batch: shared zone snapshot", () => {
  it("applies our own changes to the snapshot", () => {
    const zone: PdnsZone = {
      id: "example.org.",
      name: "example.org.",
      kind: "Native",
      rrsets: [{ name: "a.example.org.", type: "A", ttl: 60, records: [{ content: "192.0.2.1" }] }],
    };
    const changes: PdnsRRSetChange[] = [
      { name: "a.example.org.", type: "A", changetype: "DELETE" },
      {
        name: "b.example.org.",
        type: "A",
        ttl: 60,
        changetype: "REPLACE",
        records: [{ content: "192.0.2.2" }],
      },
    ];
    assert.deepStrictEqual(applyChanges(zone, changes).rrsets, [
      { name: "b.example.org.", type: "A", ttl: 60, records: [{ content: "192.0.2.2" }] },
    ]);
  });
});
