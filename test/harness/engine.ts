import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { repoRoot } from "./repo";

/**
 * Environment for driving the real Pulumi engine from tests: the engine found or built by
 * scripts/engine.sh first on PATH, a fresh local file backend, passphrase secrets, no cloud.
 */
export interface EngineEnv {
  readonly env: Record<string, string>;
  readonly backendDir: string;
  readonly pulumiBinDir: string;
  /** Removes the backend dir (state files) made for this env. */
  cleanup(): void;
}

/** Where slow builds are cached, outside the clone (same rule as scripts/lib/common.sh). */
export function toolsDir(): string {
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache");
  return process.env.SOVEREIGN_TOOLS_DIR ?? path.join(cache, "sovereign");
}

let cachedBinDir: string | undefined;

export function pulumiBinDir(): string {
  if (!cachedBinDir) {
    cachedBinDir = execFileSync("bash", [path.join(repoRoot(), "scripts/engine.sh"), "--print-bin-dir"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
  }
  return cachedBinDir;
}

export function makeEngineEnv(label = "test"): EngineEnv {
  const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), `sovereign-${label}-backend-`));
  const binDir = pulumiBinDir();
  const env: Record<string, string> = {
    PATH: `${binDir}:${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: "sovereign-test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "1",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "1",
    PULUMI_HOME: path.join(toolsDir(), "pulumi-home"),
  };
  return {
    env,
    backendDir,
    pulumiBinDir: binDir,
    cleanup: () => fs.rmSync(backendDir, { recursive: true, force: true }),
  };
}

/** The CLI of this env, for the Automation API's `pulumiCommand` option (it ignores envVars' PATH). */
export function pulumiCommand(engine: EngineEnv): Promise<PulumiCommand> {
  return PulumiCommand.get({ root: path.dirname(engine.pulumiBinDir), skipVersionCheck: true });
}
