/**
 * The SDK as another project uses it: `npm pack`, then a fresh Pulumi TypeScript project installs
 * the tarball (`npm ci --offline`: from the npm cache this checkout's `npm ci` filled), declares a
 * small site in its own program, and runs preview, up, a config change and destroy through the
 * real engine against a real PowerDNS. The providers are loaded as `sovereign/providers/...` from
 * that project's node_modules, so its state holds no path of this checkout.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { useService } from "../harness";
import { EngineEnv, makeEngineEnv, pulumiCommand } from "../harness/engine";
import { repoRoot } from "../harness/repo";
import { cliStackExport } from "../harness/stateFiles";
import { clientFor } from "../providers/powerdns/helpers";
import { consumerLock, type Lockfile } from "./consumerLock";

/** The consumer's own program: what an engineer writes with the SDK installed. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { parseSiteConfig, Site, secrets } from "sovereign";
import type { HostConfig } from "sovereign/config";

const site = parseSiteConfig(new pulumi.Config("sovereign").requireObject<unknown>("site"));
if (site.dns.endpoint === "local") throw new Error("set site.dns.endpoint to the PowerDNS API URL");
const deployed = new Site(site.name, {
  config: site,
  dns: { apiUrl: site.dns.endpoint.apiUrl, serverId: site.dns.serverId },
  secrets: secrets.builtinSecrets(),
});
const hostNames: string[] = site.hosts.map((h: HostConfig) => h.name);
export const zone = deployed.zoneName;
export const hosts = hostNames;
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: "ES2022",
    module: "node16",
    moduleResolution: "node16",
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
  },
  include: ["index.ts"],
};

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A fresh project dir with the packed SDK installed offline; returns the unpacked package's dir. */
function installPackedSdk(project: string): string {
  const tarball = run("npm", ["pack", "--silent", "--pack-destination", project], repoRoot()).trim();
  const sdkLock = JSON.parse(fs.readFileSync(path.join(repoRoot(), "package-lock.json"), "utf8")) as Lockfile;
  const sdkPackage = JSON.parse(fs.readFileSync(path.join(repoRoot(), "package.json"), "utf8")) as {
    version: string;
    license: string;
    dependencies: Record<string, string>;
  };
  const registry = run("npm", ["config", "get", "registry"], project).trim();
  const lock = consumerLock(sdkLock, sdkPackage, {
    name: "coop-site",
    tarball,
    extra: ["typescript", "ts-node", "@types/node"],
    registry,
  });
  const write = (file: string, text: string) => fs.writeFileSync(path.join(project, file), text);
  write(
    "package.json",
    JSON.stringify({
      name: "coop-site",
      version: "1.0.0",
      private: true,
      dependencies: lock.packages[""].dependencies,
    }),
  );
  write("package-lock.json", JSON.stringify(lock));
  run("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], project);
  write("Pulumi.yaml", stringify({ name: "coop-site", runtime: "nodejs", main: "index.ts" }));
  write("tsconfig.json", JSON.stringify(TSCONFIG));
  write("index.ts", PROGRAM);
  return path.join(project, "node_modules", "sovereign");
}

function siteConfig(apiUrl: string, hosts: { name: string; address: string }[]) {
  return {
    name: "coop",
    domain: "consumer.test",
    datacenter: "dc-a",
    protect: false,
    secrets: "builtin",
    dns: { endpoint: apiUrl, ttl: 300, nameservers: ["ns1.consumer.test."] },
    hosts: hosts.map((h) => ({ ...h, kind: "existing" })),
    apps: [],
  };
}

describe("the SDK installed from its npm package in another Pulumi project", function () {
  this.timeout(600_000);
  const pdns = useService("powerdns");
  let project: string;
  let installed: string;
  let engine: EngineEnv;
  let stack: Stack;

  before(async () => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-consumer-"));
    engine = makeEngineEnv("consumer");
    installed = installPackedSdk(project);
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "site", workDir: project },
      { envVars: engine.env, pulumiCommand: await pulumiCommand(engine) },
    );
  });

  after(() => {
    engine?.cleanup();
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  it("the package holds the library with type declarations and no tests or scripts", () => {
    const files = run("find", [".", "-type", "f"], installed).split("\n").filter(Boolean);
    assert.ok(files.length > 100, `the package has the compiled library (${files.length} files)`);
    const stray = files.filter((f) =>
      /^\.\/(test|scripts|stacks|examples)\/|\.test\.|\.ts$(?<!\.d\.ts)/.test(f),
    );
    assert.deepStrictEqual(stray, [], "no tests, scripts, stacks, examples or TypeScript sources");
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as {
      exports: Record<string, string | { types: string; default: string }>;
    };
    for (const [entry, target] of Object.entries(manifest.exports)) {
      if (typeof target === "string" || entry.includes("*")) continue;
      assert.ok(fs.existsSync(path.join(installed, target.types)), `${entry}: ${target.types} exists`);
      assert.ok(fs.existsSync(path.join(installed, target.default)), `${entry}: ${target.default} exists`);
    }
    // The consumer's program type-checks against the package's declarations (through "exports").
    run(path.join(project, "node_modules", ".bin", "tsc"), ["-p", "."], project);
  });

  it("preview, up, a config change and destroy of the consumer's own site program", async () => {
    const s = pdns();
    const dns = clientFor(s);
    const setSite = (hosts: { name: string; address: string }[]) =>
      stack.setConfig("sovereign:site", { value: JSON.stringify(siteConfig(s.apiUrl, hosts)) });
    await stack.setConfig("sovereign:powerdnsApiKey", { value: s.apiKey, secret: true });
    await setSite([{ name: "web1", address: "192.0.2.41" }]);

    const preview = await stack.preview({ color: "never" });
    assert.ok((preview.changeSummary.create ?? 0) >= 3, JSON.stringify(preview.changeSummary));
    assert.strictEqual(await dns.getZone("consumer.test."), undefined, "preview changes nothing");

    const up = await stack.up({ color: "never" });
    assert.strictEqual(up.outputs.zone.value, "consumer.test.");
    const records = async () =>
      ((await dns.getZone("consumer.test."))?.rrsets ?? [])
        .filter((r) => r.type === "A")
        .map((r) => `${r.name} ${r.records.map((x) => x.content).join(",")}`)
        .sort();
    assert.deepStrictEqual(await records(), ["web1.consumer.test. 192.0.2.41"]);

    const state = cliStackExport(engine.env, project, "site");
    assert.ok(state.includes("sovereign/providers/powerdns/"), "providers are named by package specifier");
    assert.ok(!state.includes(repoRoot()), "the state holds no path of the SDK's checkout");
    assert.ok(!state.includes(s.apiKey), "the API key is not in the state in plain text");

    await setSite([
      { name: "web1", address: "192.0.2.41" },
      { name: "web2", address: "192.0.2.42" },
    ]);
    const change = await stack.preview({ color: "never" });
    // The zone's record collection gains the new host's record set: one update, nothing replaced.
    assert.deepStrictEqual(
      { update: change.changeSummary.update, create: change.changeSummary.create },
      { update: 1, create: undefined },
      JSON.stringify(change.changeSummary),
    );
    await stack.up({ color: "never" });
    assert.deepStrictEqual(await records(), [
      "web1.consumer.test. 192.0.2.41",
      "web2.consumer.test. 192.0.2.42",
    ]);
    assert.deepStrictEqual((await stack.outputs()).hosts.value, ["web1", "web2"]);

    await stack.destroy({ color: "never" });
    assert.strictEqual(await dns.getZone("consumer.test."), undefined);
  });
});
