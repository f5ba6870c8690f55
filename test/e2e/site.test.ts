import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { makeEngineEnv, EngineEnv, pulumiCommand } from "../harness/engine";
import { useService } from "../harness";
import { repoRoot } from "../harness/repo";
import { dig } from "../harness/dig";
import { backendFilesText } from "../harness/stateFiles";

/**
 * The demo site's own program (stacks/index.ts on stacks/Pulumi.local.yaml) through the real
 * engine against a real PowerDNS: what `npm run demo` does, checked from the outside.
 */
describe("the local site stack on the real engine and PowerDNS", function () {
  this.timeout(300_000);
  let engine: EngineEnv;
  let stack: Stack;
  let envFile: string;
  /** A copy of stacks/Pulumi.local.yaml with the API key secret, as scripts/demo.sh makes it. */
  let configFile: string;

  // The run's shared PowerDNS outlives this suite, so the stack is destroyed while it still runs.
  after(async () => {
    await stack?.destroy({ color: "never", configFile });
    engine?.cleanup();
    if (envFile) fs.rmSync(path.dirname(envFile), { recursive: true, force: true });
  });

  const pdns = useService("powerdns");

  before(async () => {
    engine = makeEngineEnv("site");
    envFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-site-")), "env.json");
    const service = pdns();
    const record = {
      services: {
        powerdns: {
          endpoints: { apiUrl: service.apiUrl, serverId: service.serverId },
          credentials: { apiKey: service.apiKey },
        },
      },
    };
    fs.writeFileSync(envFile, JSON.stringify(record), { mode: 0o600 });
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "local", workDir: repoRoot() },
      {
        pulumiCommand: await pulumiCommand(engine),
        // The committed stack file's salt belongs to the demo passphrase.
        envVars: {
          ...engine.env,
          PULUMI_CONFIG_PASSPHRASE: "sovereign-local-demo",
          SOVEREIGN_ENV_STATE: envFile,
        },
      },
    );
    configFile = path.join(path.dirname(envFile), "Pulumi.local.yaml");
    fs.copyFileSync(path.join(repoRoot(), "stacks", "Pulumi.local.yaml"), configFile);
    execFileSync(
      path.join(engine.pulumiBinDir, "pulumi"),
      [
        "config",
        "set",
        "--secret",
        "sovereign:powerdnsApiKey",
        "--stack",
        "local",
        "--config-file",
        configFile,
      ],
      {
        cwd: repoRoot(),
        input: service.apiKey,
        env: { ...process.env, ...engine.env, PULUMI_CONFIG_PASSPHRASE: "sovereign-local-demo" },
      },
    );
  });

  it("up publishes the zone, a record per host and a CNAME per app, and returns the app URLs", async () => {
    const up = await stack.up({ color: "never", configFile });
    assert.strictEqual(up.summary.result, "succeeded");
    assert.strictEqual(up.outputs.zone.value, "demo.coop.test.");
    assert.strictEqual(up.outputs.apps.value.forgejo, "https://git.demo.coop.test/");
    assert.deepStrictEqual(await dig(pdns(), "web1.demo.coop.test", "A"), ["127.0.0.10"]);
    assert.deepStrictEqual(await dig(pdns(), "media1.demo.coop.test", "AAAA"), ["fd00::11"]);
    const cname = await dig(pdns(), "git.demo.coop.test", "CNAME");
    assert.deepStrictEqual(cname, ["web1.demo.coop.test."]);
  });

  it("a second preview changes nothing", async () => {
    const preview = await stack.preview({ color: "never", configFile });
    assert.deepStrictEqual(Object.keys(preview.changeSummary), ["same"]);
  });

  it("keeps the PowerDNS API key out of the state in plain text", async () => {
    const state = backendFilesText(engine.backendDir);
    assert.ok(state.includes("demo.coop.test."), "the state should hold the zone");
    assert.ok(!state.includes(pdns().apiKey), "the API key must only appear encrypted");
  });
});
