import * as assert from "assert";
import * as fc from "fast-check";
import { appDefinition, appIds } from "../../../sdk/apps/catalog";
import type { PortSpec } from "../../../sdk/apps/types";
import { inventoryServices, RANGE_LIMIT } from "../../../sdk/site/inventoryServices";

const port = (p: number, protocol: "tcp" | "udp" = "tcp", to?: number): PortSpec => ({
  port: p,
  to,
  protocol,
  purpose: "test",
  public: true,
});

describe("NetBox services of an app", () => {
  it("records the catalog's ports, not a fixed 443: mail listens on SMTP, submission and IMAPS", () => {
    const mail = inventoryServices("mail", appDefinition("mail").ports);
    assert.deepStrictEqual(
      mail.map((s) => s.name),
      ["mail"],
    );
    for (const p of [25, 587, 993]) assert.ok(mail[0].ports.includes(p), `mail's service lists port ${p}`);
    assert.deepStrictEqual(inventoryServices("db", appDefinition("postgresql").ports)[0].ports, [5432]);
  });

  it("one service per protocol, tcp first; a long range is kept by its ends and named", () => {
    const svcs = inventoryServices("meet", [port(443), port(40000, "udp", 40249), port(3478, "udp")]);
    assert.deepStrictEqual(svcs, [
      { name: "meet", protocol: "tcp", ports: [443], collapsedRanges: [] },
      { name: "meet-udp", protocol: "udp", ports: [3478, 40000, 40249], collapsedRanges: ["40000-40249"] },
    ]);
    assert.deepStrictEqual(inventoryServices("x", [port(5000, "tcp", 5002)])[0].ports, [5000, 5001, 5002]);
  });

  it("every catalog app gets services covering each of its ports, sorted and without repeats (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...appIds), (id) => {
        const ports = appDefinition(id).ports;
        const svcs = inventoryServices(id, ports);
        assert.strictEqual(new Set(svcs.map((s) => s.name)).size, svcs.length);
        for (const svc of svcs) {
          assert.deepStrictEqual(
            svc.ports,
            [...new Set(svc.ports)].sort((a, b) => a - b),
          );
          assert.ok(svc.ports.length <= ports.length * RANGE_LIMIT);
        }
        for (const spec of ports) {
          const svc = svcs.find((s) => s.protocol === spec.protocol);
          assert.ok(
            svc?.ports.includes(spec.port) && svc.ports.includes(spec.to ?? spec.port),
            `${id}: ${spec.port}`,
          );
        }
      }),
    );
  });
});
