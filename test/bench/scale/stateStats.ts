/**
 * What a stack's state file costs: its size, and the serialized dynamic-provider text each
 * dynamic resource carries (`__provider` input), which the engine stores and sends for every
 * resource on every run.
 */
import * as fs from "fs";
import * as path from "path";

export interface StateStats {
  stateBytes: number;
  resources: number;
  dynamicResources: number;
  providerTextAvgBytes: number;
  providerTextMaxBytes: number;
}

/** The stack's checkpoint file in a local file backend (`<backend>/.pulumi/stacks/<project>/<stack>.json`). */
export function stateFile(backendDir: string, project: string, stack: string): string {
  const candidates = [
    path.join(backendDir, ".pulumi", "stacks", project, `${stack}.json`),
    path.join(backendDir, ".pulumi", "stacks", `${stack}.json`),
  ];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new Error(`no state file for ${project}/${stack} under ${backendDir}`);
  return found;
}

interface StateResource {
  type: string;
  inputs?: { __provider?: unknown };
}

export function stateStats(file: string): StateStats {
  const text = fs.readFileSync(file, "utf8");
  const parsed = JSON.parse(text) as { checkpoint?: { latest?: { resources?: StateResource[] } } };
  const resources = parsed.checkpoint?.latest?.resources ?? [];
  const sizes = resources
    .map((r) => r.inputs?.__provider)
    .filter((p): p is string => typeof p === "string")
    .map((p) => Buffer.byteLength(p));
  return {
    stateBytes: Buffer.byteLength(text),
    resources: resources.length,
    dynamicResources: sizes.length,
    providerTextAvgBytes: sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 0,
    providerTextMaxBytes: sizes.length ? Math.max(...sizes) : 0,
  };
}
