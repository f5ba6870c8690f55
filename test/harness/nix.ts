/**
 * The real Nix evaluator (Debian's nix-bin, no daemon, no nixpkgs) as a checker: does a rendered
 * expression parse, and what does pure data evaluate to. Missing nix-instantiate is an error with
 * the fix, never a skip.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const NIX_INSTANTIATE = process.env.SOVEREIGN_NIX_INSTANTIATE ?? "nix-instantiate";

function requireNix(): void {
  const probe = spawnSync(NIX_INSTANTIATE, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${NIX_INSTANTIATE} is not runnable (${probe.error?.message ?? probe.stderr}); install Debian's nix-bin (scripts/services.sh does)`,
    );
  }
}

let checked = false;
let workDir: string | undefined;

/** A scratch dir for expression files, so relative paths resolve somewhere known. */
export function nixWorkDir(): string {
  if (!checked) {
    requireNix();
    checked = true;
  }
  if (!workDir) {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-nix-"));
    process.once("exit", () => fs.rmSync(workDir as string, { recursive: true, force: true }));
  }
  return workDir;
}

export interface NixResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

let counter = 0;
function runOnFile(args: string[], source: string): NixResult {
  const file = path.join(nixWorkDir(), `expr-${process.pid}-${counter++}.nix`);
  fs.writeFileSync(file, source);
  const r = spawnSync(NIX_INSTANTIATE, [...args, file], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NIX_PATH: "" },
  });
  fs.rmSync(file, { force: true });
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

/** `nix-instantiate --parse FILE`: whether the source parses (with Nix's own error if not). */
export function nixParse(source: string): NixResult {
  return runOnFile(["--parse"], source);
}

/**
 * `nix-instantiate --eval --strict --json FILE`, parsed; throws with Nix's error on failure. The
 * search path is empty except for `searchPath` entries (`-I name=dir`, what `<name/...>` finds).
 */
export function nixEvalJson(source: string, searchPath: readonly string[] = []): unknown {
  const r = runOnFile(["--eval", "--strict", "--json", ...searchPath.flatMap((e) => ["-I", e])], source);
  if (!r.ok) throw new Error(`nix-instantiate --eval failed: ${r.stderr.trim()}\n--- source ---\n${source}`);
  return JSON.parse(r.stdout) as unknown;
}

export function nixVersion(): string {
  return execFileSync(NIX_INSTANTIATE, ["--version"], { encoding: "utf8" }).trim();
}
