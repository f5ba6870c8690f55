import * as assert from "assert";
import fc from "fast-check";
import {
  bodyFor,
  changedFields,
  formatAddress,
  KINDS,
  netboxErrorText,
  networkText,
  observedInputs,
  parseCidr,
  prefixContains,
  validateAllocation,
  validateInputs,
} from "../../../providers/netbox";

const conn = { url: "http://127.0.0.1:8000", owner: "proj/stack/res" };
const reasons = (failures: { property: string; reason: string }[]) =>
  failures.map((f) => `${f.property}: ${f.reason}`).join("\n");

describe("netbox cidr", () => {
  it("parses IPv4 and IPv6 prefixes and finds host bits", () => {
    assert.strictEqual(networkText(parseCidr("10.0.0.5/24")!), "10.0.0.0/24");
    assert.strictEqual(networkText(parseCidr("2001:db8::1/64")!), "2001:db8::/64");
    for (const bad of [
      "10.0.0.0",
      "10.0.0.0/33",
      "10.0.0/24",
      "300.0.0.0/8",
      "x/8",
      "10.0.0.0/24/1",
      "2001:db8::/129",
    ])
      assert.strictEqual(parseCidr(bad), undefined, bad);
  });

  it("an address is inside exactly the prefixes that share its leading bits (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (net, len, addr) => {
          const prefix = parseCidr(`${formatAddress(4, BigInt(net))}/${len}`)!;
          const address = parseCidr(`${formatAddress(4, BigInt(addr))}/32`)!;
          const shift = BigInt(32 - len);
          const same = BigInt(net) >> shift === BigInt(addr) >> shift;
          return prefixContains(prefix, address) === same;
        },
      ),
    );
  });

  it("IPv6 text round-trips through numbers (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        (n) => parseCidr(`${formatAddress(6, n)}/128`)!.address === n,
      ),
    );
  });
});

describe("netbox validate", () => {
  it("accepts a good site and names every bad field with its fix", () => {
    assert.deepStrictEqual(validateInputs("site", { ...conn, name: "Local", slug: "local" }), []);
    const bad = reasons(validateInputs("site", { ...conn, name: "", slug: "Local Site!", status: "open" }));
    assert.match(bad, /name: name must be 1 to 64 characters/);
    assert.match(
      bad,
      /slug: slug "Local Site!" may contain only letters, digits, "-" and "_" \(e.g. "local-site"\)/,
    );
    assert.match(bad, /status: status "open" must be one of planned, staging, active/);
  });

  it("refuses a bad CIDR, host bits, an address outside its prefix, a VM with no cluster", () => {
    assert.match(
      reasons(validateInputs("prefix", { ...conn, prefix: "10.0.0.0/33" })),
      /prefix: prefix "10.0.0.0\/33" is not a CIDR prefix/,
    );
    assert.match(
      reasons(validateInputs("prefix", { ...conn, prefix: "10.0.0.7/24" })),
      /has host bits set: write 10.0.0.0\/24/,
    );
    assert.match(
      reasons(validateInputs("ipAddress", { ...conn, address: "10.0.1.5/24", withinPrefix: "10.0.0.0/24" })),
      /address: address 10.0.1.5\/24 is outside its prefix 10.0.0.0\/24/,
    );
    assert.match(
      reasons(validateInputs("virtualMachine", { ...conn, name: "vm1" })),
      /cluster: cluster is required: a virtual machine must belong to a cluster/,
    );
    assert.match(
      reasons(validateAllocation({ ...conn, prefix: "bad" })),
      /prefix: prefix "bad" is not a CIDR prefix/,
    );
  });

  it("checks the connection inputs and skips values the engine does not know yet", () => {
    const bad = reasons(
      validateInputs("tag", { url: "ftp://x", owner: "x", tokenConfig: "nocolon", name: "a", slug: "a" }),
    );
    assert.match(bad, /url: url "ftp:\/\/x" must be NetBox's base URL/);
    assert.match(bad, /tokenConfig: /);
    assert.match(bad, /owner: /);
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    assert.deepStrictEqual(
      validateInputs("vmInterface", { ...conn, virtualMachine: unknown, name: "eth0" }),
      [],
    );
  });
});

describe("netbox kinds", () => {
  const cluster = KINDS.cluster;
  it("builds bodies with references as ids and generic foreign keys with their type", () => {
    const body = bodyFor(
      cluster,
      { name: "c1", type: "kvm", site: 7, status: "active", tags: ["a"] },
      { type: 3, site: 7 },
    );
    assert.deepStrictEqual(body, {
      name: "c1",
      type: 3,
      scope_type: "dcim.site",
      scope_id: 7,
      status: "active",
      tags: [{ slug: "a" }],
    });
  });

  it("reads back what NetBox holds; a reference changed in NetBox becomes its new id", () => {
    const obj = {
      name: "c2",
      type: { id: 4 },
      scope_type: "dcim.site",
      scope_id: 7,
      status: { value: "offline" },
      tags: [],
    };
    const observed = observedInputs(
      cluster,
      obj,
      { name: "c1", type: "kvm", site: 7, status: "active" },
      { type: 3, site: 7 },
    );
    assert.deepStrictEqual(observed, { name: "c2", type: 4, site: 7, status: "offline" });
    assert.deepStrictEqual(
      changedFields(cluster, observed, { name: "c1", type: "kvm", site: 7, status: "active" }),
      ["name", "type", "status"],
    );
  });

  it("fields the user did not give are not managed", () => {
    assert.deepStrictEqual(
      changedFields(KINDS.site, { name: "a", slug: "a", status: "planned" }, { name: "a", slug: "a" }),
      [],
    );
  });
});

describe("netbox error text", () => {
  it("names the fields of NetBox's validation errors", () => {
    assert.strictEqual(
      netboxErrorText('{"slug": ["site with this slug already exists."], "name": ["x"]}', "Bad Request"),
      "slug: site with this slug already exists.; name: x",
    );
    assert.strictEqual(netboxErrorText('{"detail": "Invalid v2 token"}', "Forbidden"), "Invalid v2 token");
    assert.strictEqual(netboxErrorText("<html>", "Bad Gateway"), "<html>");
  });
});
