import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { EngineEnv } from "./engine";
import { repoRoot } from "./repo";

/** The passphrase whose salt the committed stacks/Pulumi.local.yaml carries. */
export const LOCAL_STACK_PASSPHRASE = "sovereign-local-demo";

/**
 * What scripts/demo.sh does before each `pulumi up` of the local stack: a copy of
 * stacks/Pulumi.local.yaml in `dir` with the local PowerDNS's API key set as the secret
 * `sovereign:powerdnsApiKey`. Returns the copy's path (pass it as `configFile`).
 */
export function writeLocalStackConfig(engine: EngineEnv, dir: string, apiKey: string): string {
  const configFile = path.join(dir, "Pulumi.local.yaml");
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
      input: apiKey,
      env: { ...process.env, ...engine.env, PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE },
    },
  );
  return configFile;
}
