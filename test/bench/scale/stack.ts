/**
 * A stack of the scale benchmark's program (program.ts) on the real engine, run as a program of its
 * own, and one measured engine operation on it: wall time, requests per service (from the provider
 * processes' request logs), peak RSS of the program and of the dynamic-provider process.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigMap, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { makeEngineEnv, pulumiCommand, type EngineEnv } from "../../harness/engine";
import { repoRoot } from "../../harness/repo";
import { requestsByMethod } from "../requestLog";
import { PeakRss, sampleRss } from "./rss";
import { stateFile, stateStats, StateStats } from "./stateStats";

export const SERVICE_LOGS = {
  powerdns: "SOVEREIGN_PDNS_REQUEST_LOG",
  garage: "SOVEREIGN_GARAGE_REQUEST_LOG",
  netbox: "SOVEREIGN_NETBOX_REQUEST_LOG",
} as const;
export type LoggedService = keyof typeof SERVICE_LOGS;

export interface Measured {
  wallMs: number;
  /** Requests per service, and per method within it. */
  requests: Record<LoggedService, { requests: number; byMethod: Record<string, number> }>;
  rss: PeakRss;
}

export interface ProgramStack {
  readonly stack: Stack;
  readonly project: string;
  measure(op: "preview" | "up", parallel?: number): Promise<Measured>;
  state(): StateStats;
  /** Removes the backend and work dir; what the stack made stays on the (throw-away) services. */
  dispose(): void;
}

export async function programStack(project: string, config: ConfigMap): Promise<ProgramStack> {
  const engine: EngineEnv = makeEngineEnv(project);
  const scratch = path.join(repoRoot(), ".state", "workspaces");
  fs.mkdirSync(scratch, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(scratch, `${project}-`));
  fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), `name: ${project}\nruntime: nodejs\nmain: index.js\n`);
  const program = path.join(repoRoot(), "bin", "test", "bench", "scale", "program.js");
  fs.writeFileSync(path.join(workDir, "index.js"), `require(${JSON.stringify(program)}).main();\n`);
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "bench", workDir },
    { envVars: engine.env, pulumiCommand: await pulumiCommand(engine) },
  );
  await stack.setAllConfig(config);
  const env = (stack.workspace as LocalWorkspace).envVars;
  env.PULUMI_SKIP_CHECKPOINTS = "true";
  return {
    stack,
    project,
    measure: async (op, parallel) => {
      const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "scale-bench-"));
      const logs = Object.fromEntries(
        Object.entries(SERVICE_LOGS).map(([service, variable]) => {
          const file = path.join(logDir, `${service}.log`);
          fs.writeFileSync(file, "");
          env[variable] = file;
          return [service, file];
        }),
      ) as Record<LoggedService, string>;
      const stop = sampleRss();
      const started = process.hrtime.bigint();
      try {
        if (op === "up") await stack.up({ color: "never", parallel });
        else await stack.preview({ color: "never", parallel });
      } finally {
        for (const variable of Object.values(SERVICE_LOGS)) delete env[variable];
      }
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = stop();
      const requests = Object.fromEntries(
        Object.entries(logs).map(([service, file]) => [service, requestsByMethod(file)]),
      ) as Measured["requests"];
      fs.rmSync(logDir, { recursive: true, force: true });
      return { wallMs, requests, rss };
    },
    state: () => stateStats(stateFile(engine.backendDir, project, "bench")),
    dispose: () => {
      engine.cleanup();
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}
