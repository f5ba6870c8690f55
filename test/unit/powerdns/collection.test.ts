import * as assert from "assert";
import fc from "fast-check";
import {
  checkCollectionInputs,
  CollectionInputs,
  CollectionRRSet,
  decodeRRSet,
  diffCollection,
  encodeRRSet,
  fromWire,
  planCollectionDelete,
  planCollectionWrite,
  ServerView,
  toWire,
} from "../../../providers/powerdns/collection";
import { encodeOwner } from "../../../providers/shared/ownership";
import type { PdnsRRSet } from "../../../providers/powerdns/client";

const conn = { apiUrl: "http://127.0.0.1:8081", owner: "p/s/records" };
const ME = "p/s/records";
const OTHER = "p/other/records";

function inputs(rrsets: Record<string, CollectionRRSet>, adopt = false): CollectionInputs {
  return {
    apiUrl: conn.apiUrl,
    serverId: "localhost",
    apiKeyConfig: "sovereign:powerdnsApiKey",
    owner: ME,
    zone: "z.test.",
    rrsets,
    adopt,
  };
}
const a = (ip: string): CollectionRRSet => ({ ttl: 3600, records: [ip], disabled: false });

function served(
  key: string,
  r: CollectionRRSet,
  owner?: string,
): [string, { owner?: string; rrset: PdnsRRSet }] {
  const [name, type] = key.split(" ");
  return [
    key,
    {
      owner,
      rrset: {
        name,
        type,
        ttl: r.ttl,
        records: r.records.map((content) => ({ content, disabled: r.disabled })),
        comments: owner ? [{ content: encodeOwner(owner) }] : [],
      },
    },
  ];
}

describe("PowerDNS record collection: check", () => {
  it("normalises a list into a map keyed by name and type", () => {
    const { inputs: i, failures } = checkCollectionInputs({
      ...conn,
      zone: "Z.test",
      rrsets: [
        { name: "www.z.test", type: "a", records: ["192.0.2.1"] },
        { name: "txt.z.test.", type: "TXT", records: ["hello world"], ttl: 60 },
      ],
    });
    assert.deepStrictEqual(failures, []);
    assert.deepStrictEqual(Object.keys(i.rrsets).sort(), ["txt.z.test. TXT", "www.z.test. A"]);
    assert.strictEqual(i.rrsets["txt.z.test. TXT"].ttl, 60);
    assert.deepStrictEqual(i.rrsets["txt.z.test. TXT"].records, ['"hello world"']);
  });

  it("names the failing entry and field, and refuses a name and type listed twice", () => {
    const { failures } = checkCollectionInputs({
      ...conn,
      zone: "z.test.",
      rrsets: [
        { name: "www.z.test.", type: "A", records: ["192.0.2.1"] },
        { name: "www.z.test.", type: "A", records: ["192.0.2.2"] },
        { name: "mail.z.test.", type: "A", records: ["300.1.1.1"] },
        { name: "www.elsewhere.test.", type: "A", records: ["192.0.2.1"] },
      ],
    });
    const props = failures.map((f) => f.property);
    assert.deepStrictEqual(props, ["rrsets[1]", "rrsets[2].records", "rrsets[3].name"]);
    assert.match(failures[0].reason, /listed twice \(rrsets\[0\] and rrsets\[1\]\)/);
  });

  it("refuses a bad zone once, not once per record set", () => {
    const { failures } = checkCollectionInputs({
      ...conn,
      zone: "bad zone",
      rrsets: [
        { name: "a.z.test.", type: "A", records: ["192.0.2.1"] },
        { name: "b.z.test.", type: "A", records: ["192.0.2.1"] },
      ],
    });
    assert.strictEqual(failures.filter((f) => f.property === "zone").length, 1);
  });

  it("keeps a formerOwnerPrefix of this stack and refuses one of another stack, naming the field", () => {
    const rrsets = [{ name: "a.z.test.", type: "A", records: ["192.0.2.1"] }];
    const ok = checkCollectionInputs({ ...conn, zone: "z.test.", rrsets, formerOwnerPrefix: "p/s/site-" });
    assert.deepStrictEqual([ok.failures, ok.inputs.formerOwnerPrefix], [[], "p/s/site-"]);
    const bad = checkCollectionInputs({
      ...conn,
      zone: "z.test.",
      rrsets,
      formerOwnerPrefix: "p/other/site-",
    });
    assert.deepStrictEqual(
      bad.failures.map((f) => f.property),
      ["formerOwnerPrefix"],
    );
    assert.match(bad.failures[0].reason, /must be "<project>\/<stack>\/<zone resource>-" of this stack/);
  });
});

describe("PowerDNS record collection: the engine's form of record sets", () => {
  it("keeps one string per record set that reads back to the same record set (property)", () => {
    const rrset = fc.record({
      ttl: fc.integer({ min: 0, max: 2147483647 }),
      disabled: fc.boolean(),
      records: fc.array(fc.string({ unit: "binary" }), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(rrset, (r) => {
        const wire = encodeRRSet(r);
        assert.strictEqual(typeof wire, "string");
        assert.deepStrictEqual(decodeRRSet("k", wire), { ...r });
      }),
    );
    assert.strictEqual(encodeRRSet(a("192.0.2.1")), '3600 ["192.0.2.1"]');
  });

  it("reads the object form of states written before it, and names a value it cannot read", () => {
    const i = inputs({ "a.z.test. A": a("192.0.2.1") });
    assert.deepStrictEqual(fromWire({ ...toWire(i) }), i);
    assert.deepStrictEqual(fromWire({ ...i }), i);
    assert.throws(() => decodeRRSet("a.z.test. A", "oops"), /record set a\.z\.test\. A: cannot read "oops"/);
  });

  it("diffs the engine's form like the objects", () => {
    const olds = toWire(inputs({ "a.z.test. A": a("192.0.2.1"), "b.z.test. A": a("192.0.2.2") }));
    const news = toWire(inputs({ "a.z.test. A": a("192.0.2.9"), "b.z.test. A": a("192.0.2.2") }));
    assert.deepStrictEqual(diffCollection({ ...olds }, { ...news }).changed, ["a.z.test. A"]);
    // An older state's objects against the wire form: only real changes count.
    const older = inputs({ "a.z.test. A": a("192.0.2.9"), "b.z.test. A": a("192.0.2.2") });
    assert.strictEqual(diffCollection({ ...older }, { ...news }).changes, false);
  });
});

describe("PowerDNS record collection: diff", () => {
  it("lists added, changed and removed record sets; a new zone replaces", () => {
    const olds = inputs({ "a.z.test. A": a("192.0.2.1"), "b.z.test. A": a("192.0.2.2") });
    const news = inputs({ "a.z.test. A": a("192.0.2.9"), "c.z.test. A": a("192.0.2.3") });
    const d = diffCollection({ ...olds }, { ...news });
    assert.deepStrictEqual(
      [d.added, d.changed, d.removed, d.replaces],
      [["c.z.test. A"], ["a.z.test. A"], ["b.z.test. A"], []],
    );
    assert.strictEqual(diffCollection({ ...olds }, { ...olds }).changes, false);
    assert.deepStrictEqual(diffCollection({ ...olds }, { ...olds, zone: "y.test." }).replaces, ["zone"]);
    // Another spelling of the server is an update, never a replacement.
    const moved = diffCollection({ ...olds }, { ...olds, apiUrl: "http://localhost:8081" });
    assert.deepStrictEqual([moved.changes, moved.replaces], [true, []]);
  });
});

describe("PowerDNS record collection: write plan (ownership per record set)", () => {
  it("refuses record sets of others or of no one, naming the owner, and then sends nothing", () => {
    const news = inputs({
      "a.z.test. A": a("192.0.2.1"),
      "b.z.test. A": a("192.0.2.2"),
      "c.z.test. A": a("192.0.2.3"),
    });
    const server: ServerView = new Map([
      served("b.z.test. A", a("192.0.2.7"), OTHER),
      served("c.z.test. A", a("192.0.2.8")),
    ]);
    const plan = planCollectionWrite(undefined, news, server);
    assert.strictEqual(plan.refusals.length, 2);
    assert.match(plan.refusals[0], /b\.z\.test\. A: .*belongs to "p\/other\/records"/);
    assert.match(plan.refusals[1], /c\.z\.test\. A: .*belongs to no one/);
    const adopted = planCollectionWrite(undefined, { ...news, adopt: true }, server);
    assert.deepStrictEqual([adopted.refusals, adopted.changes.length], [[], 3]);
  });

  it("takes over, without adopt, exactly the record sets DnsZone's former per-record-set resources of this stack marked", () => {
    const news = {
      ...inputs({
        "www.z.test. A": a("192.0.2.1"),
        "z.test. MX": a("10 mx.z.test."),
        "b.z.test. A": a("192.0.2.2"),
      }),
      formerOwnerPrefix: "p/s/site-",
    };
    const server: ServerView = new Map([
      served("www.z.test. A", a("192.0.2.1"), "p/s/site-www-A"),
      served("z.test. MX", a("10 mx.z.test."), "p/s/site-@-MX"),
      // Marked by a resource of this stack that is not the record set's former one: refused.
      served("b.z.test. A", a("192.0.2.2"), "p/s/site-b-AAAA"),
    ]);
    const plan = planCollectionWrite(undefined, news, server);
    assert.deepStrictEqual(plan.refusals.length, 1);
    assert.match(plan.refusals[0], /b\.z\.test\. A: .*belongs to "p\/s\/site-b-AAAA"/);
    const without = planCollectionWrite(undefined, { ...news, formerOwnerPrefix: undefined }, server);
    assert.strictEqual(without.refusals.length, 3);
    const fixed = planCollectionWrite(undefined, news, new Map([...server].slice(0, 2)));
    // The same values, but the marker is rewritten to the collection's.
    assert.deepStrictEqual(
      fixed.changes.map((c) => [c.name, c.type, "comments" in c ? c.comments?.[0].content : undefined]),
      [
        ["www.z.test.", "A", encodeOwner(ME)],
        ["z.test.", "MX", encodeOwner(ME)],
        ["b.z.test.", "A", encodeOwner(ME)],
      ],
    );
  });

  it("deletes only what still carries our marker; warns about what another owner took over", () => {
    const olds = inputs({ "a.z.test. A": a("192.0.2.1"), "b.z.test. A": a("192.0.2.2") });
    const server: ServerView = new Map([
      served("a.z.test. A", a("192.0.2.1"), ME),
      served("b.z.test. A", a("192.0.2.2"), OTHER),
    ]);
    const plan = planCollectionDelete(olds, server);
    assert.deepStrictEqual(plan.changes, [{ name: "a.z.test.", type: "A", changetype: "DELETE" }]);
    assert.strictEqual(plan.warnings.length, 1);
    assert.match(plan.warnings[0], /b\.z\.test\. A: left in place/);
  });

  it("property: applying the plan to the server gives exactly the new record sets of ours, and never touches another owner's", () => {
    const key = fc.constantFrom("a.z.test. A", "b.z.test. A", "c.z.test. A", "d.z.test. A");
    const rrset = fc.constantFrom("192.0.2.1", "192.0.2.2").map(a);
    const owner = fc.constantFrom<string | undefined>(ME, OTHER, undefined);
    fc.assert(
      fc.property(
        fc.dictionary(key, rrset),
        fc.dictionary(key, rrset),
        fc.dictionary(key, fc.tuple(rrset, owner)),
        fc.boolean(),
        (oldSets, newSets, held, adopt) => {
          const server: ServerView = new Map(Object.entries(held).map(([k, [r, o]]) => served(k, r, o)));
          const olds = inputs(oldSets);
          const plan = planCollectionWrite(olds, inputs(newSets, adopt), server);
          const touched = new Set(plan.changes.map((c) => `${c.name} ${c.type}`));
          for (const [k, [, o]] of Object.entries(held)) {
            // Another owner's record set is written only with adopt, and only when the collection lists it.
            if (o === OTHER && touched.has(k)) assert.ok(adopt && k in newSets, k);
          }
          if (plan.refusals.length === 0) {
            for (const k of Object.keys(newSets)) {
              const now = server.get(k);
              const same =
                now &&
                now.owner === ME &&
                JSON.stringify(now.rrset.records.map((r) => r.content)) ===
                  JSON.stringify(newSets[k].records);
              assert.ok(same || touched.has(k), `${k} must be written`);
            }
          }
        },
      ),
    );
  });
});
