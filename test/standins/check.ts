/**
 * What both stand-ins share: they check their Nix inputs with the real `nix-instantiate --parse`
 * and record each invocation (argv, environment that matters) as a JSON line in a log file.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export function fail(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

/** Every .nix file under `dir`, parsed by real Nix; exits with Nix's own error lines on the first failure. */
export function parseAllNix(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".nix")) files.push(p);
    }
  };
  walk(dir);
  // One nix-instantiate for all files; its error names the file that does not parse.
  const r = spawnSync("nix-instantiate", ["--parse", ...files], { encoding: "utf8" });
  if (r.status !== 0) fail(`a Nix file under ${dir} does not parse:\n${r.stderr.trim()}`);
  return files;
}

export function evalJson(expr: string): unknown {
  const r = spawnSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr], { encoding: "utf8" });
  if (r.status !== 0) fail(`evaluating ${expr}:\n${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as unknown;
}

export function record(logFile: string, entry: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.appendFileSync(logFile, `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`);
}
