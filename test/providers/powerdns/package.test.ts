/**
 * The SDK installed as a package in another Pulumi project (`npm pack`, unpacked into that
 * project's node_modules/sovereign): its dynamic resources run through the real engine and are
 * destroyed again, the providers loaded as `sovereign/providers/...` from that project.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { startPowerDns, useService } from "../../harness";
import { makeEngineEnv, pulumiCommand } from "../../harness/engine";
import { repoRoot } from "../../harness/repo";
import { clientFor, cliStackExport } from "./helpers";

type Resources = typeof import("../../../providers/powerdns/resources");

describe("the SDK installed as a package in another project", function () {
  this.timeout(600_000);
  const pdns = useService(() => startPowerDns());

  it("npm pack, unpacked into a project's node_modules: up and destroy through the engine from there", async () => {
    const s = pdns();
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-consumer-"));
    const engine = makeEngineEnv("consumer");
    try {
      const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", project], {
        cwd: repoRoot(),
        encoding: "utf8",
      }).trim();
      const installed = path.join(project, "node_modules", "sovereign");
      fs.mkdirSync(installed, { recursive: true });
      execFileSync("tar", ["-xzf", path.join(project, tarball), "-C", installed, "--strip-components=1"]);
      // The package's dependencies, as an install would place them beside it (from this checkout).
      for (const dep of fs.readdirSync(path.join(repoRoot(), "node_modules"))) {
        if (dep.startsWith(".") || dep === "sovereign") continue;
        fs.symlinkSync(path.join(repoRoot(), "node_modules", dep), path.join(project, "node_modules", dep));
      }
      assert.ok(!fs.existsSync(path.join(installed, "test")), "the package holds the library only");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sdk = require(path.join(installed, "bin/providers/powerdns/resources.js")) as Resources;
      const stack = await LocalWorkspace.createOrSelectStack(
        {
          stackName: "test",
          projectName: "consumer",
          program: async () => {
            const z = new sdk.PowerDnsZone("zone", {
              apiUrl: s.apiUrl,
              name: "consumer.test.",
              nameservers: ["ns1.consumer.test."],
            });
            new sdk.PowerDnsRecordSet("www", {
              apiUrl: s.apiUrl,
              zone: z.name,
              name: "www.consumer.test.",
              type: "A",
              records: ["192.0.2.44"],
            });
          },
        },
        {
          workDir: project,
          envVars: engine.env,
          pulumiCommand: await pulumiCommand(engine),
          projectSettings: { name: "consumer", runtime: "nodejs" },
        },
      );
      await stack.setConfig("sovereign:powerdnsApiKey", { value: s.apiKey, secret: true });
      await stack.up({ color: "never" });
      assert.ok(await clientFor(s).getZone("consumer.test.", { rrsets: false }));
      const state = cliStackExport(engine.env, project);
      assert.ok(
        state.includes("sovereign/providers/powerdns/rrsetProvider"),
        "the provider is named by package specifier",
      );
      assert.deepStrictEqual((await stack.refresh({ color: "never" })).summary.resourceChanges, { same: 3 });
      await stack.destroy({ color: "never" });
      assert.strictEqual(await clientFor(s).getZone("consumer.test."), undefined);
    } finally {
      engine.cleanup();
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
