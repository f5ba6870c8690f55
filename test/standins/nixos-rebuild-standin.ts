/**
 * STAND-IN for `nixos-rebuild` (NixOS cannot be built here: no nixpkgs offline). It implements the
 * documented surface the SDK uses — ACTION, `-I nixos-config=PATH`, `--target-host USER@HOST` and
 * the NIX_SSHOPTS environment variable — checks every .nix file beside the configuration with the
 * real `nix-instantiate --parse`, evaluates host-facts.nix with the real `--eval --strict --json`,
 * and connects to the target with `ssh $NIX_SSHOPTS` (so a wrong host key fails here as it would in
 * the real tool). It builds and activates nothing. Invocations are logged to
 * $SOVEREIGN_STANDIN_LOG (default: <config dir>/nixos-rebuild-standin.log).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { evalJson, fail, parseAllNix, record } from "./check";

const argv = process.argv.slice(2);
const action = argv[0];
if (!["switch", "boot", "test", "build", "dry-activate", "dry-build"].includes(action ?? ""))
  fail(`unknown action ‘${action ?? ""}’`, 2);
let config: string | undefined;
let target: string | undefined;
for (let i = 1; i < argv.length; i++) {
  if (argv[i] === "-I") {
    const v = argv[++i] ?? "";
    if (v.startsWith("nixos-config=")) config = v.slice("nixos-config=".length);
  } else if (argv[i] === "--target-host") target = argv[++i];
  else fail(`stand-in nixos-rebuild: unsupported argument ‘${argv[i]}’`, 2);
}
if (!config || !fs.existsSync(config)) fail(`nixos-config ${config ?? "(not given)"} does not exist`);
const dir = path.dirname(config);
const log = process.env.SOVEREIGN_STANDIN_LOG ?? path.join(dir, "nixos-rebuild-standin.log");
const sshOpts = (process.env.NIX_SSHOPTS ?? "").split(" ").filter(Boolean);
record(log, { tool: "nixos-rebuild", argv, NIX_SSHOPTS: process.env.NIX_SSHOPTS ?? "" });

const parsed = parseAllNix(dir);
const factsFile = path.join(dir, "host-facts.nix");
const facts = fs.existsSync(factsFile) ? evalJson(`import ${JSON.stringify(factsFile)}`) : undefined;
process.stderr.write(
  `building the system configuration... (stand-in: ${parsed.length} file(s) parsed, nothing built)\n`,
);

if (target) {
  if (target.startsWith("-")) fail(`--target-host ‘${target}’ may not start with "-"`, 2);
  const r = spawnSync("ssh", [...sshOpts, "--", target, "true"], { encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) fail(`cannot reach ${target} over SSH:\n${r.stderr.trim()}`);
  process.stderr.write(
    `copying the system to ${target}... (stand-in: connection verified, nothing copied)\n`,
  );
}
record(log, {
  tool: "nixos-rebuild",
  result: "ok",
  target: target ?? null,
  files: parsed.map((f) => path.relative(dir, f)).sort(),
  facts,
});
process.stderr.write(`activating the configuration... (stand-in: nothing activated)\n`);
