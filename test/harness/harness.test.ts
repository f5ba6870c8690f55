import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCommand } from "./commands";
import { waitUntilHealthy } from "./health";
import { startPostgres } from "./postgres";
import { startPowerDns } from "./powerdns";
import { isPortFree } from "./ports";
import { isAlive, sleep } from "./processes";
import { repoRoot } from "./repo";
import { spawnDetached } from "./spawn";
import { startSshd } from "./sshd";
import { useService } from "./use-service";
import { liveLeases, startZfs, zpoolNames } from "./zfs";
import type { RunningService } from "./types";

/**
 * Whether the port becomes free within a few seconds: a client's pooled keep-alive connection to
 * the dead server holds the server side in FIN_WAIT until the client notices the close.
 */
async function portFreed(port: number, udp = false): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (!(await isPortFree(port, udp))) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

async function whoHolds(port: number): Promise<string> {
  const { stdout } = await runCommand("ss", ["-tuanp", `sport = :${port}`]).catch(() => ({
    stdout: "(ss failed)",
  }));
  return stdout;
}

/** After stop(): every pid gone, every port free, the working dir removed. */
async function assertStopped(service: RunningService, ports: number[], udp = false): Promise<void> {
  await service.stop();
  for (const pid of service.pids)
    assert.ok(!isAlive(pid), `pid ${pid} of ${service.name} still runs after stop()`);
  for (const port of ports) {
    assert.ok(await portFreed(port, udp), `port ${port} still taken after stop():\n${await whoHolds(port)}`);
  }
  assert.ok(!fs.existsSync(service.dir), `${service.dir} still exists after stop()`);
}

/** A node script that starts `sleep 300` as a harness service (`child`), then runs `rest`. */
function sleeperScript(dir: string, ...rest: string[]): string {
  return [
    `const { spawnDetached } = require(${JSON.stringify(path.join(__dirname, "spawn.js"))});`,
    `const child = spawnDetached({ command: "sleep", args: ["300"], cwd: ${JSON.stringify(dir)},`,
    `  logFile: ${JSON.stringify(path.join(dir, "log"))} });`,
    ...rest,
  ].join("\n");
}

describe("harness: process plumbing", () => {
  it("terminates services a process started and left running when it exits", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-exit-"));
    try {
      const script = sleeperScript(dir, "console.log(child.pid);", "process.exit(0);");
      const { stdout } = await runCommand("node", ["-e", script]);
      const pid = Number(stdout.trim());
      assert.ok(pid > 0, stdout);
      await waitUntilHealthy({
        what: `sleep ${pid} gone`,
        logFile: path.join(dir, "log"),
        check: async () => !isAlive(pid),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("terminates them too when the process is killed with SIGTERM (CI's time limit, kill)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-sigterm-"));
    try {
      const script = sleeperScript(
        dir,
        `require("fs").writeFileSync(${JSON.stringify(path.join(dir, "pid"))}, String(child.pid));`,
        "setInterval(() => undefined, 1000);",
      );
      const parent = spawnDetached({
        command: "node",
        args: ["-e", script],
        cwd: dir,
        logFile: path.join(dir, "parent.log"),
      });
      await waitUntilHealthy({
        what: "the child's pid file",
        logFile: path.join(dir, "parent.log"),
        check: async () => fs.existsSync(path.join(dir, "pid")),
      });
      const pid = Number(fs.readFileSync(path.join(dir, "pid"), "utf8"));
      assert.ok(isAlive(pid));
      process.kill(parent.pid, "SIGTERM");
      await waitUntilHealthy({
        what: `sleep ${pid} gone after its parent's SIGTERM`,
        logFile: path.join(dir, "log"),
        timeoutMs: 10_000,
        check: async () => !isAlive(pid),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails fast when the process exits, with the tail of its log", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-health-"));
    const logFile = path.join(dir, "log");
    try {
      const failing = spawnDetached({
        command: "sh",
        args: ["-c", "echo marker-in-log; exit 3"],
        cwd: dir,
        logFile,
      });
      const started = Date.now();
      await assert.rejects(
        waitUntilHealthy({
          what: "failing",
          logFile,
          exited: failing.exitDescription,
          check: async () => false,
        }),
        (error: Error) => /exit code 3/.test(error.message) && /marker-in-log/.test(error.message),
      );
      assert.ok(Date.now() - started < 10_000, "did not fail fast");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("harness: useService", () => {
  it("fails (never skips) the tests of a service that cannot start, with its error", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-use-service-"));
    try {
      const spec = path.join(dir, "broken.spec.js");
      fs.writeFileSync(
        spec,
        [
          `const { useService } = require(${JSON.stringify(path.join(__dirname, "use-service.js"))});`,
          "describe('needs a service', () => {",
          "  const service = useService(() => Promise.reject(new Error('no such server binary')));",
          "  it('uses it', () => service());",
          "});",
        ].join("\n"),
      );
      const mocha = path.join(repoRoot(), "node_modules", ".bin", "mocha");
      const run = runCommand(mocha, ["--no-config", "--reporter", "dot", spec], { cwd: dir });
      await assert.rejects(run, (error: Error) => {
        assert.match(error.message, /failed to start: no such server binary/);
        assert.match(error.message, /1 failing/);
        assert.doesNotMatch(error.message, /pending/);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("harness: PowerDNS", () => {
  const pdns = useService(() => startPowerDns());
  const zone = "harness-test.example.";

  async function api(method: string, route: string, body?: unknown): Promise<Response> {
    return fetch(`${pdns().apiUrl}/api/v1/servers/localhost${route}`, {
      method,
      headers: { "X-API-Key": pdns().apiKey, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  it("answers the API with its key only", async () => {
    const ok = await api("GET", "");
    assert.strictEqual(ok.status, 200);
    assert.strictEqual(((await ok.json()) as { id: string }).id, "localhost");
    const denied = await fetch(`${pdns().apiUrl}/api/v1/servers/localhost`, {
      headers: { "X-API-Key": "wrong" },
    });
    assert.strictEqual(denied.status, 401);
  });

  it("serves over DNS a zone created through the API", async () => {
    const created = await api("POST", "/zones", { name: zone, kind: "Native", nameservers: [`ns1.${zone}`] });
    assert.strictEqual(created.status, 201, await created.text());
    const patched = await api("PATCH", `/zones/${zone}`, {
      rrsets: [
        {
          name: `www.${zone}`,
          type: "A",
          ttl: 60,
          changetype: "REPLACE",
          records: [{ content: "192.0.2.10", disabled: false }],
        },
      ],
    });
    assert.strictEqual(patched.status, 204, await patched.text());
    const dig = await runCommand("dig", [
      "@127.0.0.1",
      "-p",
      String(pdns().dnsPort),
      `www.${zone}`,
      "A",
      "+short",
    ]);
    assert.strictEqual(dig.stdout.trim(), "192.0.2.10");
  });

  it("stop() ends the server and frees its ports", async () => {
    const { apiUrl, dnsPort } = pdns();
    await assertStopped(pdns(), [Number(new URL(apiUrl).port)]);
    assert.ok(await portFreed(dnsPort, true), `DNS port ${dnsPort} still taken:\n${await whoHolds(dnsPort)}`);
  });
});

describe("harness: ZFS", () => {
  const zfs = useService(() => startZfs());

  it("makes file-backed pools with unique names on which datasets hold files", async () => {
    const [a, b] = [await zfs().createPool("harness"), await zfs().createPool("harness", 64)];
    assert.notStrictEqual(a.name, b.name);
    assert.ok(a.name.startsWith("harness"));
    await runCommand("zfs", ["create", `${a.name}/data`]);
    const file = path.join(a.mountpoint, "data", "hello.txt");
    fs.writeFileSync(file, "hello zfs");
    assert.strictEqual(fs.readFileSync(file, "utf8"), "hello zfs");
    const { stdout } = await runCommand("zfs", ["list", "-H", "-o", "name", "-r", a.name]);
    assert.deepStrictEqual(stdout.trim().split("\n"), [a.name, `${a.name}/data`]);
    assert.deepStrictEqual(
      zfs().pools.map((pool) => pool.name),
      [a.name, b.name],
    );
  });

  it("stop() destroys its pools and stops the daemon only if it started it and nobody else uses it", async () => {
    const names = zfs().pools.map((pool) => pool.name);
    await zfs().stop();
    const remaining = await zpoolNames().catch((): string[] => []);
    for (const name of names) assert.ok(!remaining.includes(name), `pool ${name} still exists`);
    assert.ok(!fs.existsSync(zfs().dir));
    for (const pid of zfs().pids) {
      if (isAlive(pid)) {
        assert.ok(remaining.length > 0 || liveLeases().length > 0, `daemon ${pid} runs on with no user`);
      }
    }
  });
});

describe("harness: PostgreSQL", () => {
  const pg = useService(() => startPostgres());

  async function psql(connectionString: string, sql: string): Promise<string> {
    const { stdout } = await runCommand("psql", [connectionString, "-X", "-tAc", sql]);
    return stdout.trim();
  }

  it("answers a query with the random password, over TCP", async () => {
    const answer = await psql(
      pg().connectionString,
      "select current_user || ' ' || current_database() || ' ' || 6*7",
    );
    assert.strictEqual(answer, `${pg().user} ${pg().database} 42`);
  });

  it("refuses a wrong password", async () => {
    const wrong = pg().connectionString.replace(`:${pg().password}@`, ":not-the-password@");
    await assert.rejects(psql(wrong, "select 1"), /password authentication failed/);
  });

  it("stop() ends the server and frees its port", async () => {
    await assertStopped(pg(), [pg().port]);
  });
});

describe("harness: sshd", () => {
  const first = useService(() => startSshd());
  const second = useService(() => startSshd());

  it("lets root in with the generated key, checking the recorded host key", async () => {
    const { stdout } = await runCommand("ssh", [
      ...first().sshArgs,
      "--",
      "root@127.0.0.1",
      "echo",
      "hello",
      "$USER",
    ]);
    assert.strictEqual(stdout.trim(), "hello root");
  });

  it("gives two independent hosts: one's key does not open the other", async () => {
    assert.notStrictEqual(first().port, second().port);
    const crossed = second().sshArgs.map((arg) =>
      arg === second().privateKeyPath ? first().privateKeyPath : arg,
    );
    await assert.rejects(
      runCommand("ssh", [...crossed, "--", "root@127.0.0.1", "true"]),
      /Permission denied/,
    );
  });

  it("stop() ends the servers and frees their ports", async () => {
    await assertStopped(first(), [first().port]);
    await assertStopped(second(), [second().port]);
  });
});

describe("harness: env CLI (up, status, down)", () => {
  const cli = path.join(repoRoot(), "bin", "test", "harness", "cli.js");
  let stateDir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-env-state-"));
    env = { ...process.env, SOVEREIGN_ENV_STATE: path.join(stateDir, "env.json") };
  });
  after(async () => {
    await runCommand("node", [cli, "down"], { env }).catch(() => undefined);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("starts services that outlive the CLI, records them, and stops them", async () => {
    const up = await runCommand("node", [cli, "up", "powerdns", "sshd"], { env, timeoutMs: 120_000 });
    assert.match(up.stdout, /powerdns .*apiUrl=http:\/\/127\.0\.0\.1:\d+/);
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, "env.json"), "utf8")) as {
      services: Record<string, { pids: number[]; endpoints: Record<string, string | number> }>;
    };
    const pids = Object.values(state.services).flatMap((service) => service.pids);
    assert.strictEqual(pids.length, 2);
    for (const pid of pids) assert.ok(isAlive(pid), `pid ${pid} did not outlive the CLI`);
    const response = await fetch(`${state.services.powerdns.endpoints.apiUrl}/api/v1/servers/localhost`);
    assert.strictEqual(response.status, 401, "the API should answer (and want its key)");

    const status = await runCommand("node", [cli, "status"], { env });
    assert.strictEqual(status.stdout.match(/\[running\]/g)?.length, 2, status.stdout);

    await runCommand("node", [cli, "down"], { env });
    for (const pid of pids) assert.ok(!isAlive(pid), `pid ${pid} still runs after down`);
    assert.ok(!fs.existsSync(path.join(stateDir, "env.json")), "state file left after down");
  });

  it("rejects an unknown service name with the usage", async () => {
    await assert.rejects(
      runCommand("node", [cli, "up", "nosuch"], { env }),
      /unknown service.*nosuch[\s\S]*usage/,
    );
  });
});
