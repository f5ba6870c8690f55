import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { isPortFree, startPostgres, startPowerDns } from ".";
import { runCommand } from "./commands";

describe("harness: a persistent service home", function () {
  this.timeout(120_000);
  const home = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-home-")), "powerdns");
  // PostgreSQL runs as its own OS user: it must be able to reach its home, as under .state.
  fs.chmodSync(path.dirname(home), 0o755);
  after(() => fs.rmSync(path.dirname(home), { recursive: true, force: true }));

  it("keeps data, ports and key across stop/start, and names a recorded port someone else took", async () => {
    const first = await startPowerDns({ home });
    const zone = { name: "kept.test.", kind: "Native", nameservers: ["ns1.kept.test."] };
    const created = await fetch(`${first.apiUrl}/api/v1/servers/localhost/zones`, {
      method: "POST",
      headers: { "X-API-Key": first.apiKey, "Content-Type": "application/json" },
      body: JSON.stringify(zone),
    });
    assert.strictEqual(created.status, 201, await created.text());
    await first.stop();
    assert.ok(fs.existsSync(path.join(home, "pdns.sqlite3")), "stop() keeps a home's data");

    const second = await startPowerDns({ home });
    try {
      assert.strictEqual(second.apiUrl, first.apiUrl);
      assert.strictEqual(second.apiKey, first.apiKey);
      const read = await fetch(`${second.apiUrl}/api/v1/servers/localhost/zones/kept.test.`, {
        headers: { "X-API-Key": second.apiKey },
      });
      assert.strictEqual(read.status, 200, "the zone is still there");
    } finally {
      await second.stop();
    }

    const squatter = net.createServer();
    const port = Number(new URL(first.apiUrl).port);
    // The stopped server's connections may hold the port for a moment (FIN_WAIT2): wait for it.
    for (let i = 0; i < 60 && !(await isPortFree(port)); i++) await new Promise((r) => setTimeout(r, 250));
    await new Promise<void>((resolve) => squatter.listen({ host: "127.0.0.1", port }, resolve));
    try {
      await assert.rejects(
        startPowerDns({ home }),
        new RegExp(
          `must listen on 127\\.0\\.0\\.1:${port} \\(webPort, recorded in .*settings\\.json\\).*npm run demo -- --reset`,
        ),
      );
      assert.ok(fs.existsSync(path.join(home, "pdns.sqlite3")), "a failed start keeps the data too");
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it("PostgreSQL in a home keeps its cluster, port and password across stop/start", async () => {
    const pgHome = path.join(path.dirname(home), "postgres");
    const psql = async (pg: Awaited<ReturnType<typeof startPostgres>>, sql: string) =>
      (await runCommand(path.join(pg.binDir, "psql"), ["-At", "-c", sql, pg.connectionString])).stdout.trim();
    const first = await startPostgres({ home: pgHome });
    await psql(first, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await first.stop();
    const second = await startPostgres({ home: pgHome });
    try {
      assert.strictEqual(second.connectionString, first.connectionString);
      assert.strictEqual(await psql(second, "SELECT v FROM kept"), "still here");
    } finally {
      await second.stop();
    }
  });
});
