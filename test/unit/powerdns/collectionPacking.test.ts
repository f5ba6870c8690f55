import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { isPlainRRSet, packRRSets, unpackRRSets } from "../../../providers/powerdns/collectionPacking";
import { checkCollectionInputs } from "../../../providers/powerdns/collection";

const www = { name: "www.z.test.", type: "A", records: ["192.0.2.1"] };
const txt = { name: "z.test.", type: "TXT", ttl: 60, records: ['"a b"'], disabled: true };

describe("PowerDNS record collection: the program's packed list", () => {
  it("sends a list of plain record sets as one text, and the check reads it like the list", () => {
    const packed = packRRSets([www, txt]);
    assert.strictEqual(typeof packed, "string");
    assert.deepStrictEqual(unpackRRSets(packed), [www, txt]);
    const conn = { apiUrl: "http://127.0.0.1:8081", owner: "p/s/records", zone: "z.test." };
    assert.deepStrictEqual(
      checkCollectionInputs({ ...conn, rrsets: packed }),
      checkCollectionInputs({ ...conn, rrsets: [www, txt] }),
    );
  });

  it("keeps a record set holding an output or a promise as an object (unknowns and secrets as usual), and names a bad entry by position", () => {
    const withOutput = { ...www, records: [pulumi.output("192.0.2.2")] };
    assert.ok(!isPlainRRSet(withOutput) && !isPlainRRSet({ ...www, ttl: Promise.resolve(60) }));
    const packed = packRRSets<unknown>([txt, withOutput]);
    assert.ok(Array.isArray(packed));
    assert.deepStrictEqual(packed, [JSON.stringify(txt), withOutput]);
    const { failures } = checkCollectionInputs({
      apiUrl: "http://127.0.0.1:8081",
      owner: "p/s/records",
      zone: "z.test.",
      rrsets: [JSON.stringify(www), "not json", JSON.stringify({ ...www, name: "api.z.test.", records: [] })],
    });
    assert.deepStrictEqual(
      failures.map((f) => f.property),
      ["rrsets[1]", "rrsets[2].records"],
    );
    assert.strictEqual(unpackRRSets("{"), undefined);
  });
});
