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
 * `sovereign:powerdnsApiKey` (and any `otherSecrets`, e.g. `sovereign:netboxToken`). Returns the
 * copy's path (pass it as `configFile`).
 */
export function writeLocalStackConfig(
  engine: EngineEnv,
  dir: string,
  apiKey: string,
  otherSecrets: Record<string, string> = {},
): string {
  const configFile = path.join(dir, "Pulumi.local.yaml");
  fs.copyFileSync(path.join(repoRoot(), "stacks", "Pulumi.local.yaml"), configFile);
  for (const [key, value] of Object.entries({ "sovereign:powerdnsApiKey": apiKey, ...otherSecrets })) {
    execFileSync(
      path.join(engine.pulumiBinDir, "pulumi"),
      ["config", "set", "--secret", key, "--stack", "local", "--config-file", configFile],
      {
        cwd: repoRoot(),
        input: value,
        env: { ...process.env, ...engine.env, PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE },
      },
    );
  }
  return configFile;
}
