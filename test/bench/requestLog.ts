import * as fs from "fs";

/** Requests a provider process logged ("METHOD path" lines), counted per method and in all. */
export function requestsByMethod(logFile: string): { byMethod: Record<string, number>; requests: number } {
  const byMethod: Record<string, number> = {};
  for (const line of fs.readFileSync(logFile, "utf8").split("\n").filter(Boolean)) {
    const method = line.split(" ")[0];
    byMethod[method] = (byMethod[method] ?? 0) + 1;
  }
  return { byMethod, requests: Object.values(byMethod).reduce((a, b) => a + b, 0) };
}
