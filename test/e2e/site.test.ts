import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { makeEngineEnv, EngineEnv, pulumiCommand } from "../harness/engine";
import { useService } from "../harness";
import { writeLocalStackConfig } from "../harness/localStackConfig";
import { readSiteInventory } from "../../providers/netbox/inventory";
import { repoRoot } from "../harness/repo";
import { dig } from "../harness/dig";
import { backendFilesText } from "../harness/stateFiles";

/**
 * The demo site's own program (stacks/index.ts on stacks/Pulumi.local.yaml) through the real
 * engine against a real PowerDNS: what `npm run demo` does, checked from the outside.
 */
describe("the local site stack on the real engine and PowerDNS", function () {
  this.timeout(600_000);
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
  // The demo site registers its hosts and apps in the local NetBox (site.inventory).
  const netbox = useService("netbox", { timeoutMs: 30 * 60_000 });
  // The demo site runs a real Matrix Synapse with its own database on this PostgreSQL.
  const pg = useService("postgres");

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
        netbox: { endpoints: { url: netbox().url }, credentials: { token: netbox().token } },
        postgres: {
          endpoints: { host: pg().host, port: pg().port, binDir: pg().binDir },
          credentials: { user: pg().user, password: pg().password },
        },
      },
    };
    const synapseVenv = execFileSync("bash", [path.join(repoRoot(), "scripts", "synapse.sh")], {
      encoding: "utf8",
    }).trim();
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
          SOVEREIGN_SYNAPSE_VENV: synapseVenv,
        },
      },
    );
    configFile = writeLocalStackConfig(engine, path.dirname(envFile), service.apiKey, {
      // What scripts/demo.sh does: the local NetBox's token into the stack config, as a secret.
      "sovereign:netboxToken": netbox().token,
    });
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
    assert.deepStrictEqual(await dig(pdns(), "_matrix._tcp.demo.coop.test", "SRV"), [
      "10 0 8448 matrix.demo.coop.test.",
    ]);
    const matrixUrl = String((up.outputs.matrixHomeservers.value as Record<string, string>).matrix);
    assert.strictEqual(matrixUrl, "http://127.0.0.11:8008");
    const versions = await fetch(`${matrixUrl}/_matrix/client/versions`);
    assert.strictEqual(versions.status, 200);
  });

  it("the site's hosts and apps appear in NetBox", async () => {
    const inventory = await readSiteInventory({ url: netbox().url, token: netbox().token }, "local");
    assert.ok(inventory, "NetBox has the site");
    assert.strictEqual(inventory.site.description, "datacenter: local");
    assert.deepStrictEqual(
      inventory.vms.map((vm) => [vm.name, vm.cluster, vm.interfaces.map((i) => [i.name, i.addresses])]),
      [
        ["media1.demo.coop.test", "local-local", [["eth0", ["127.0.0.11/24", "fd00::11/128"]]]],
        ["web1.demo.coop.test", "local-local", [["eth0", ["127.0.0.10/24"]]]],
      ],
    );
    assert.deepStrictEqual(
      inventory.services.map((svc) => [svc.name, svc.vm, svc.tags]),
      [
        ["forgejo", "web1.demo.coop.test", ["app-forgejo"]],
        ["garage", "media1.demo.coop.test", ["app-garage"]],
        ["hedgedoc", "web1.demo.coop.test", ["app-hedgedoc"]],
        ["mail", "web1.demo.coop.test", ["app-mail"]],
        ["mastodon", "media1.demo.coop.test", ["app-mastodon"]],
        ["matrix", "media1.demo.coop.test", ["app-matrix"]],
        ["nextcloud", "web1.demo.coop.test", ["app-nextcloud"]],
        ["peertube", "media1.demo.coop.test", ["app-peertube"]],
        ["postgresql", "web1.demo.coop.test", ["app-postgresql"]],
      ],
    );
    // Each service lists the ports its app listens on, from the catalog.
    const ports = Object.fromEntries(inventory.services.map((svc) => [svc.name, svc.ports]));
    assert.deepStrictEqual(ports.postgresql, [5432]);
    assert.deepStrictEqual(ports.matrix, [443, 8008, 8448]);
    for (const p of [25, 587, 993]) assert.ok(ports.mail.includes(p), `mail's NetBox service lists ${p}`);
  });

  it("a second preview changes nothing", async () => {
    const preview = await stack.preview({ color: "never", configFile });
    assert.deepStrictEqual(Object.keys(preview.changeSummary), ["same"]);
  });

  it("keeps the PowerDNS API key out of the state in plain text", async () => {
    const state = backendFilesText(engine.backendDir);
    assert.ok(state.includes("demo.coop.test."), "the state should hold the zone");
    assert.ok(!state.includes(pdns().apiKey), "the API key must only appear encrypted");
    assert.ok(!state.includes(netbox().token.split(".")[1]), "the NetBox token must only appear encrypted");
  });
});
