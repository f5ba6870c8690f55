import * as assert from "assert";
import * as net from "net";
import { datacenterRange } from "./datacenter";
import { useService } from "./use-service";

const connects = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => (socket.destroy(), resolve(false)));
  });

describe("harness: datacenters on their own loopback ranges", function () {
  const dc = useService("datacenter", { instance: "dc-a", timeoutMs: 300_000 });

  it("gives dc-<letter> the range of its position times ten and refuses other names", () => {
    assert.deepStrictEqual(datacenterRange("dc-a"), { range: "127.0.10.0/24", address: "127.0.10.1" });
    assert.deepStrictEqual(datacenterRange("dc-b"), { range: "127.0.20.0/24", address: "127.0.20.1" });
    assert.throws(() => datacenterRange("hetzner"), /unknown datacenter "hetzner": the harness makes dc-a/);
  });

  it("runs sshd, PostgreSQL and Garage on the datacenter's address only, with its own pool", async () => {
    const d = dc();
    const ports = {
      sshd: d.sshd.port,
      postgres: d.postgres.port,
      garage: Number(new URL(d.garage.s3Endpoint).port),
    };
    for (const [what, port] of Object.entries(ports)) {
      assert.ok(await connects(d.address, port), `${what} answers on ${d.address}:${port}`);
      assert.ok(!(await connects("127.0.0.1", port)), `${what} must not listen on 127.0.0.1:${port}`);
    }
    assert.match(d.pool.name, /^dca/);
    assert.strictEqual(new URL(d.garage.adminUrl).hostname, d.address);
  });
});
