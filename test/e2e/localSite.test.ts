import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { makeEngineEnv, EngineEnv, pulumiCommand } from "../harness/engine";
import { LOCAL_STACK_PASSPHRASE, writeLocalStackConfig } from "../harness/localStackConfig";
import { repoRoot } from "../harness/repo";

const run = promisify(execFile);

/**
 * The local site as a newcomer meets it, through the same pieces `npm run demo` uses: the
 * services' CLI (scripts/env.sh runs it), the site program on the real engine, and
 * scripts/reset-local.sh (`npm run demo -- --reset`). Everything lives in a temp state dir, so
 * the developer's own `.state` is untouched.
 */
describe("the local site across `env down` / `env up` and `demo --reset`", function () {
  this.timeout(1_800_000);
  let engine: EngineEnv;
  let stack: Stack;
  let stateDir: string;
  let env: Record<string, string>;
  /** The stack file with the local PowerDNS's key, as scripts/demo.sh writes it. */
  let configFile: string;
  const stackFile = path.join(repoRoot(), "stacks", "Pulumi.local.yaml");
  const stackFileText = fs.readFileSync(stackFile, "utf8");

  const servicesCli = (...args: string[]) =>
    run(process.execPath, [path.join(repoRoot(), "bin/test/harness/cli.js"), ...args], { env });
  const recordedPowerDns = () =>
    (
      JSON.parse(fs.readFileSync(path.join(stateDir, "env.json"), "utf8")) as {
        services: { powerdns: { endpoints: { apiUrl: string }; credentials: { apiKey: string } } };
      }
    ).services.powerdns;

  /** The local services the demo site uses (its zone on PowerDNS, its inventory on NetBox). */
  const upServices = () => servicesCli("up", "powerdns", "netbox");
  /** What scripts/demo.sh does after `env up`: the services' credentials into the stack file copy. */
  const writeConfig = () => {
    const services = (
      JSON.parse(fs.readFileSync(path.join(stateDir, "env.json"), "utf8")) as {
        services: {
          powerdns: { credentials: { apiKey: string } };
          netbox: { credentials: { token: string } };
        };
      }
    ).services;
    configFile = writeLocalStackConfig(engine, stateDir, services.powerdns.credentials.apiKey, {
      "sovereign:netboxToken": services.netbox.credentials.token,
    });
  };

  before(async () => {
    engine = makeEngineEnv("local-site");
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-local-site-"));
    // Like a checkout's .state: traversable, so services that run as their own OS user (NetBox's
    // PostgreSQL) reach their homes below it.
    fs.chmodSync(stateDir, 0o755);
    env = {
      ...(process.env as Record<string, string>),
      ...engine.env,
      PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE,
      SOVEREIGN_ENV_STATE: path.join(stateDir, "env.json"),
    };
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "local", workDir: repoRoot() },
      { pulumiCommand: await pulumiCommand(engine), envVars: env },
    );
  });

  after(async () => {
    await servicesCli("wipe").catch(() => undefined);
    engine?.cleanup();
    fs.rmSync(stateDir, { recursive: true, force: true });
    // `stack rm --preserve-config` must have kept it; restore it in any case.
    fs.writeFileSync(stackFile, stackFileText);
  });

  it("demo, env down, demo: the services come back with their data and ports, and nothing changes", async () => {
    await upServices();
    const first = recordedPowerDns();
    writeConfig();
    const up = await stack.up({ color: "never", configFile });
    assert.strictEqual(up.summary.result, "succeeded");
    assert.ok((up.summary.resourceChanges?.create ?? 0) > 5);

    await servicesCli("down");
    assert.ok(!fs.existsSync(path.join(stateDir, "env.json")), "down removes the running record");
    assert.ok(
      fs.existsSync(path.join(stateDir, "services", "powerdns", "pdns.sqlite3")),
      "down keeps the data",
    );

    // While it is down, the stack says which service, where, and how to bring it back.
    await assert.rejects(stack.preview({ color: "never", configFile }), (error: Error) => {
      const expected = first.endpoints.apiUrl.replace(/[.]/g, "\\.");
      assert.match(error.message, new RegExp(`the local PowerDNS is not running \\(expected at ${expected}`));
      assert.match(error.message, /npm run env -- up powerdns/);
      return true;
    });

    await upServices();
    writeConfig();
    const second = recordedPowerDns();
    assert.strictEqual(second.endpoints.apiUrl, first.endpoints.apiUrl, "the same port, chosen once");
    assert.strictEqual(second.credentials.apiKey, first.credentials.apiKey, "the same key");

    // What `npm run demo` does the second time: up with a refresh, then nothing is left to change.
    const again = await stack.up({ color: "never", refresh: true, configFile });
    assert.deepStrictEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"]);
    const preview = await stack.preview({ color: "never", configFile });
    assert.deepStrictEqual(Object.keys(preview.changeSummary), ["same"]);
  });

  it("a stopped PowerDNS that is still recorded as running is named with its URL", async () => {
    const recorded = recordedPowerDns();
    const pdnsPid = (
      JSON.parse(fs.readFileSync(path.join(stateDir, "env.json"), "utf8")) as {
        services: { powerdns: { pids: number[] } };
      }
    ).services.powerdns.pids[0];
    process.kill(pdnsPid, "SIGTERM");
    for (let i = 0; i < 100 && fs.existsSync(`/proc/${pdnsPid}`); i++)
      await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(stack.preview({ color: "never", configFile }), (error: Error) => {
      assert.match(
        error.message,
        /the local PowerDNS does not answer at http:\/\/127\.0\.0\.1:\d+ .*ECONNREFUSED/,
      );
      assert.ok(error.message.includes(recorded.endpoints.apiUrl));
      assert.match(error.message, /start it again with `npm run env -- up powerdns`/);
      return true;
    });
    await servicesCli("up", "powerdns");
  });

  it("--reset forgets the stack and wipes the services' data together; the site config stays", async () => {
    await run("bash", [path.join(repoRoot(), "scripts/reset-local.sh"), "local"], { env, cwd: repoRoot() });
    const stacks = await stack.workspace.listStacks();
    assert.ok(!stacks.some((s) => s.name === "local"), "the stack is forgotten");
    assert.ok(!fs.existsSync(path.join(stateDir, "services", "powerdns")), "the services' data is gone");
    assert.strictEqual(fs.readFileSync(stackFile, "utf8"), stackFileText, "the site's config is kept");

    // And the local site starts from scratch: a new stack creates everything on fresh services.
    await upServices();
    const fresh = await LocalWorkspace.createOrSelectStack(
      { stackName: "local", workDir: repoRoot() },
      { pulumiCommand: await pulumiCommand(engine), envVars: env },
    );
    writeConfig();
    const up = await fresh.up({ color: "never", configFile });
    assert.strictEqual(up.summary.result, "succeeded");
    assert.ok((up.summary.resourceChanges?.create ?? 0) > 5);
    await fresh.destroy({ color: "never", configFile });
  });
});
