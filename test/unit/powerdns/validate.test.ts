import * as assert from "assert";
import fc from "fast-check";
import {
  checkRecordSetInputs,
  checkZoneInputs,
  diffRecordSet,
  diffZone,
  recordSetNeedsWrite,
  UNKNOWN,
} from "../../../providers/powerdns/validate";

const endpoint = { apiUrl: "http://127.0.0.1:8081", owner: "proj/stack/res" };
const rrset = (over: Record<string, unknown> = {}) =>
  checkRecordSetInputs({
    ...endpoint,
    zone: "example.org.",
    name: "www.example.org.",
    type: "A",
    records: ["192.0.2.1"],
    ...over,
  });

describe("powerdns validate: record sets", () => {
  it("fills defaults and normalises", () => {
    const r = rrset({
      zone: "Example.ORG",
      name: "WWW.example.org",
      type: "a",
      records: ["192.0.2.2", "192.0.2.1"],
    });
    assert.deepStrictEqual(r.failures, []);
    assert.deepStrictEqual(r.inputs, {
      apiUrl: "http://127.0.0.1:8081",
      serverId: "localhost",
      apiKeyConfig: "sovereign:powerdnsApiKey",
      owner: "proj/stack/res",
      zone: "example.org.",
      name: "www.example.org.",
      type: "A",
      ttl: 3600,
      records: ["192.0.2.1", "192.0.2.2"],
      disabled: false,
      adopt: false,
    });
    assert.strictEqual(
      rrset({ apiUrl: "http://127.0.0.1:8081/api/v1/" }).inputs.apiUrl,
      "http://127.0.0.1:8081",
    );
  });

  it("reports each problem on the field it concerns", () => {
    const props = (over: Record<string, unknown>) => rrset(over).failures.map((f) => f.property);
    assert.deepStrictEqual(props({ records: ["1.2.3"] }), ["records"]);
    assert.deepStrictEqual(props({ ttl: -5 }), ["ttl"]);
    assert.deepStrictEqual(props({ type: "B@D" }), ["type"]);
    assert.deepStrictEqual(
      props({ type: "HINFO", records: ['"PC" "Linux"'] }),
      [],
      "any type the server knows",
    );
    assert.deepStrictEqual(
      props({ type: "SSHFP", records: ["4 2 abcd"] }),
      ["records"],
      "SHA-256 needs 64 digits",
    );
    assert.deepStrictEqual(props({ owner: "x" }), ["owner"]);
    assert.deepStrictEqual(props({ name: "www.other.org." }), ["name"]);
    assert.deepStrictEqual(props({ apiUrl: "ftp://x" }), ["apiUrl"]);
    assert.deepStrictEqual(props({ apiKey: "k" }), ["apiKey"], "the key belongs in the stack config");
    assert.deepStrictEqual(props({ apiKeyConfig: "nocolon" }), ["apiKeyConfig"]);
    assert.deepStrictEqual(props({ disabled: "yes" }), ["disabled"]);
    assert.deepStrictEqual(props({ type: "CNAME", records: ["a.example.org.", "b.example.org."] }), [
      "records",
    ]);
    assert.deepStrictEqual(props({ type: "CNAME", name: "example.org.", records: ["a.example.org."] }), [
      "name",
    ]);
  });

  it("does not judge values the engine does not know yet (preview)", () => {
    const r = rrset({ zone: UNKNOWN, records: [UNKNOWN, "192.0.2.1"], apiUrl: UNKNOWN });
    assert.deepStrictEqual(r.failures, []);
    assert.deepStrictEqual(r.inputs.records, [UNKNOWN, "192.0.2.1"]);
    assert.deepStrictEqual(rrset({ records: UNKNOWN }).failures, []);
  });

  it("never puts the API key into a failure message (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), fc.anything(), fc.anything(), (key, ttl, records) => {
        const failuresWith = (apiKey: string) =>
          checkRecordSetInputs({
            ...endpoint,
            apiKey,
            zone: "example.org.",
            name: "x.example.org.",
            type: "TXT",
            ttl,
            records,
          }).failures;
        // The messages do not depend on the key: another key gives the same words, so nothing of
        // the key is in them (a plain substring test fails on keys like "rguments").
        assert.deepStrictEqual(failuresWith(key), failuresWith("\u2022".repeat(key.length)));
      }),
    );
  });
});

describe("powerdns validate: zones", () => {
  it("fills defaults and checks kind, nameservers and masters", () => {
    const z = checkZoneInputs({
      ...endpoint,
      name: "example.org",
      nameservers: ["ns2.example.net", "ns1.example.net."],
    });
    assert.deepStrictEqual(z.failures, []);
    assert.strictEqual(
      z.inputs.kind,
      undefined,
      "not given: a new zone gets the default, an adopted one keeps its own",
    );
    assert.deepStrictEqual(z.inputs.nameservers, ["ns1.example.net.", "ns2.example.net."]);
    assert.strictEqual("soaEditApi" in z.inputs, false);
    const props = (over: Record<string, unknown>) =>
      checkZoneInputs({
        ...endpoint,
        name: "example.org.",
        nameservers: ["ns1.example.net."],
        ...over,
      }).failures.map((f) => f.property);
    assert.deepStrictEqual(props({ kind: "Primary" }), ["kind"]);
    assert.deepStrictEqual(props({ nameservers: [] }), ["nameservers"]);
    assert.deepStrictEqual(props({ kind: "Slave" }), ["masters"]);
    assert.deepStrictEqual(props({ kind: "Slave", masters: ["192.0.2.53"] }), []);
    assert.deepStrictEqual(props({ kind: "Slave", masters: ["192.0.2.53:5300", "[2001:db8::53]:53"] }), []);
    assert.deepStrictEqual(props({ kind: "Slave", masters: ["1.1.1.1:111111"] }), ["masters"]);
    assert.deepStrictEqual(props({ kind: "Slave", masters: ["1.1.1.1:0"] }), ["masters"]);
    assert.deepStrictEqual(props({ nameservers: undefined }), ["nameservers"], "a new zone needs them");
    assert.deepStrictEqual(
      props({ nameservers: undefined, adopt: true }),
      [],
      "an adopted zone keeps its own",
    );
    assert.deepStrictEqual(props({ masters: ["192.0.2.53"] }), ["masters"]);
    assert.deepStrictEqual(props({ soaEditApi: "X" }), ["soaEditApi"]);
    assert.deepStrictEqual(props({ name: "bad name." }), ["name"]);
  });
});

describe("powerdns validate: diff", () => {
  const base = rrset().inputs as unknown as Record<string, unknown>;
  it("replaces a record set when its identity changes, updates otherwise", () => {
    for (const key of ["name", "type", "zone"]) {
      const d = diffRecordSet(base, { ...base, [key]: "changed" });
      assert.deepStrictEqual(d.replaces, [key]);
      assert.ok(d.changes);
    }
    for (const [key, value] of [
      ["ttl", 60],
      ["records", ["192.0.2.9"]],
      ["disabled", true],
    ] as const) {
      const d = diffRecordSet(base, { ...base, [key]: value });
      assert.deepStrictEqual(d.replaces, []);
      assert.ok(d.changes);
      assert.ok(recordSetNeedsWrite(base, { ...base, [key]: value }));
    }
    for (const key of ["apiUrl", "serverId", "owner", "apiKeyConfig"]) {
      const d = diffRecordSet(base, { ...base, [key]: "changed" });
      assert.deepStrictEqual([d.changes, d.replaces], [true, []], `${key} is an update`);
    }
    assert.ok(
      recordSetNeedsWrite(base, { ...base, owner: "proj/stack/renamed" }),
      "a new owner rewrites the marker",
    );
    assert.ok(!recordSetNeedsWrite(base, { ...base, apiKeyConfig: "sovereign:other" }));
    assert.strictEqual(
      diffRecordSet(base, { ...base, type: "CNAME" }).deleteBeforeReplace,
      true,
      "A -> CNAME at one name",
    );
    assert.strictEqual(diffRecordSet(base, { ...base, type: "AAAA" }).deleteBeforeReplace, false);
  });

  it("sees no change when only the order of records differs (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.ipV4(), { minLength: 1, maxLength: 8 }), (ips) => {
        const a = { ...base, records: ips };
        const b = { ...base, records: [...ips].reverse() };
        assert.deepStrictEqual(diffRecordSet(a, b), {
          changes: false,
          replaces: [],
          deleteBeforeReplace: false,
        });
      }),
    );
  });

  it("replaces a zone only on a new name; kind, endpoint spelling and settings update in place", () => {
    const z = checkZoneInputs({ ...endpoint, name: "example.org.", nameservers: ["ns1.example.net."] })
      .inputs as unknown as Record<string, unknown>;
    assert.deepStrictEqual(diffZone(z, { ...z, kind: "Master" }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepStrictEqual(diffZone(z, { ...z, apiUrl: "http://localhost:8081" }).replaces, []);
    const { dnssec: _dnssec, ...notGiven } = { ...z, dnssec: undefined };
    assert.strictEqual(
      diffZone({ ...z, dnssec: true }, notGiven).changes,
      false,
      "not given keeps the server's",
    );
    assert.deepStrictEqual(diffZone(z, { ...z, name: "example.net." }), {
      changes: true,
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
    assert.deepStrictEqual(diffZone(z, { ...z, dnssec: true }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepStrictEqual(diffZone(z, { ...z, nameservers: ["ns2.example.net."] }).replaces, []);
    assert.deepStrictEqual(diffZone(z, { ...z }), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
});
