import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { EngineEnv, makeEngineEnv, pulumiCommand } from "./engine";
import { repoRoot } from "./repo";

/**
 * A stack of an inline program on the real engine with a private local backend. Its work dir lies
 * inside the repo so that the engine's dynamic-provider plugin finds node_modules/@pulumi/pulumi.
 */
export interface TestStack {
  readonly stack: Stack;
  readonly engine: EngineEnv;
  readonly workDir: string;
  /** Destroys whatever is left, removes the stack, its backend and work dir. */
  dispose(): Promise<void>;
}

/**
 * Inline programs run in this process, one engine after another. Each engine listens on a fresh
 * port, and ports get reused; grpc-js's process-wide subchannel pool then hands a new run the old
 * run's subchannel for that address, still backing off from the dead server, and the run fails at
 * once with "14 UNAVAILABLE: No connection established". A per-channel pool avoids that.
 */
function isolateEngineConnections(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as {
    grpcClientOptions: Record<string, unknown>;
  };
  settings.grpcClientOptions["grpc.use_local_subchannel_pool"] = 1;
}

export async function createTestStack(projectName: string, program: PulumiFn): Promise<TestStack> {
  isolateEngineConnections();
  const engine = makeEngineEnv(projectName);
  const scratch = path.join(repoRoot(), ".state", "workspaces");
  fs.mkdirSync(scratch, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(scratch, `${projectName}-`));
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", projectName, program },
    {
      workDir,
      envVars: engine.env,
      pulumiCommand: await pulumiCommand(engine),
      projectSettings: { name: projectName, runtime: "nodejs" },
    },
  );
  return {
    stack,
    engine,
    workDir,
    dispose: async () => {
      try {
        await stack.destroy({ color: "never" });
        await stack.workspace.removeStack("test");
      } finally {
        engine.cleanup();
        fs.rmSync(workDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The stack's state with secrets DECRYPTED (the Automation API exports with --show-secrets): use
 * stateFiles.ts to check what a user finds on disk.
 */
export async function decryptedState(stack: Stack): Promise<string> {
  return JSON.stringify((await stack.exportStack()).deployment);
}
