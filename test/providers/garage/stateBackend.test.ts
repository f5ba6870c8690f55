/**
 * Pulumi state on a real Garage: the state bucket made by bootstrapStateBackend (as `npm run state
 * -- bootstrap` does), then a stack whose preview/up/refresh keep their state there, across a
 * Garage restart.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { startGarage, useService } from "../../harness";
import { makeEngineEnv, pulumiCommand } from "../../harness/engine";
import { repoRoot } from "../../harness/repo";
import { GarageAccessKey } from "../../../providers/garage";
import { bootstrapStateBackend, stateLoginUrl } from "../../../sdk/storage/stateBackend";
import { listObjects, s3Client } from "../../../sdk/storage/s3Sync";
import { location, restartGarage, stopGarage } from "./helpers";

const quiet = { color: "never" as const };

describe("stack state on Garage", function () {
  this.timeout(600_000);
  const garage = useService(() => startGarage());
  const cleanups: (() => void)[] = [];
  after(() => cleanups.forEach((c) => c()));

  it("builds the login URL Pulumi's S3 backend wants", () => {
    assert.strictEqual(
      stateLoginUrl("pulumi-state", "http://127.0.0.1:3900", "garage"),
      "s3://pulumi-state?endpoint=127.0.0.1%3A3900&s3ForcePathStyle=true&region=garage&disableSSL=true",
    );
    assert.strictEqual(
      stateLoginUrl("st", "https://s3.coop.example", "eu"),
      "s3://st?endpoint=s3.coop.example&s3ForcePathStyle=true&region=eu",
    );
  });

  it("a stack runs preview, up and refresh with its state on Garage, and survives a Garage restart", async () => {
    const g = garage();
    const engine = makeEngineEnv("state-bootstrap");
    const scratch = path.join(repoRoot(), ".state", "workspaces");
    fs.mkdirSync(scratch, { recursive: true });
    const bootDir = fs.mkdtempSync(path.join(scratch, "state-bootstrap-"));
    const siteDir = fs.mkdtempSync(path.join(scratch, "state-on-garage-"));
    cleanups.push(engine.cleanup, () => fs.rmSync(bootDir, { recursive: true, force: true }), () => fs.rmSync(siteDir, { recursive: true, force: true }));
    const command = await pulumiCommand(engine);

    const backend = await bootstrapStateBackend(
      { adminUrl: g.adminUrl, adminToken: g.adminToken, s3Endpoint: g.s3Endpoint, region: g.region },
      { workDir: bootDir, envVars: engine.env, pulumiCommand: command },
    );
    assert.match(backend.loginUrl, /^s3:\/\/pulumi-state\?endpoint=127\.0\.0\.1%3A\d+&s3ForcePathStyle=true&region=garage/);

    let keyName = "site-app";
    const env = {
      ...engine.env,
      PULUMI_BACKEND_URL: backend.loginUrl,
      AWS_ACCESS_KEY_ID: backend.accessKeyId,
      AWS_SECRET_ACCESS_KEY: backend.secretAccessKey,
    };
    const stack = await LocalWorkspace.createOrSelectStack(
      {
        projectName: "state-on-garage",
        stackName: "site",
        program: async () => {
          const key = new GarageAccessKey("app", { adminUrl: g.adminUrl, adminToken: pulumi.secret(g.adminToken), name: keyName });
          return { keyId: key.keyId };
        },
      },
      { workDir: siteDir, envVars: env, pulumiCommand: command, projectSettings: { name: "state-on-garage", runtime: "nodejs" } },
    );
    const up = await stack.up(quiet);
    assert.strictEqual(up.summary.resourceChanges?.create, 2);
    const s3 = s3Client(location(g, backend.bucket, backend));
    const stateKeys = (await listObjects(s3, backend.bucket)).map((o) => o.key);
    s3.destroy();
    assert.ok(stateKeys.some((k) => /^\.pulumi\/stacks\/state-on-garage\/site\.json$/.test(k)), stateKeys.join("\n"));
    assert.deepStrictEqual((await stack.preview(quiet)).changeSummary, { same: 2 });
    assert.deepStrictEqual((await stack.refresh(quiet)).summary.resourceChanges, { same: 2 });

    await stopGarage(g);
    await assert.rejects(stack.preview(quiet), "with Garage down the state cannot be read");
    await restartGarage(g);
    assert.deepStrictEqual((await stack.preview(quiet)).changeSummary, { same: 2 }, "the state survived the restart");
    keyName = "site-app-renamed";
    const renamed = await stack.up(quiet);
    assert.deepStrictEqual(renamed.summary.resourceChanges, { same: 1, update: 1 });
    assert.strictEqual(renamed.outputs.keyId.value, up.outputs.keyId.value);
    await stack.destroy(quiet);
    await stack.workspace.removeStack("site");
  });
});
