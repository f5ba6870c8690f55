/**
 * The command lines the deployers run, as pure functions: NixOps (create, modify, deploy, info,
 * export, import, destroy, delete — the documented CLI of NixOps 1.7/2.0) and
 * `nixos-rebuild --target-host`. Every argv is an array; nothing is spliced into a shell string.
 */
import * as nix from "../../sdk/nix";
import { keyMaterial, SshTarget } from "../../sdk/hosts/ssh";

export interface Machine {
  /** Machine name in the network (the host name). */
  readonly name: string;
  readonly target: SshTarget;
  /** The rendered configuration files (configuration.nix is the entry). */
  readonly files: Readonly<Record<string, string>>;
}

export interface NixOpsLayout {
  /** The NixOps CLI, as an argv prefix (["nixops"], or a wrapper). */
  readonly command: readonly string[];
  /** The state file on the deploy host (`-s`). */
  readonly stateFile: string;
  readonly deployment: string;
  /** Where the network expression and machine files are written on the deploy host. */
  readonly workDir: string;
}

export function machineDir(layout: { workDir: string }, machine: string): string {
  return `${layout.workDir}/machines/${machine}`;
}

export function networkFile(layout: { workDir: string }): string {
  return `${layout.workDir}/network.nix`;
}

/**
 * The NixOps network: each machine imports its rendered configuration and says how to reach it
 * (deployment.targetHost/targetPort/targetUser are NixOps' own options).
 */
export function networkExpression(description: string, machines: readonly Machine[]): string {
  const attrs: Record<string, nix.NixValue> = { network: { description } };
  for (const m of machines) {
    attrs[m.name] = nix.fn(["config", "lib", "pkgs"], {
      deployment: {
        targetHost: m.target.host,
        targetPort: m.target.port ?? 22,
        targetUser: m.target.user ?? "root",
      },
      imports: [nix.path(`./machines/${m.name}/configuration.nix`)],
    });
  }
  return nix.render(nix.comment("NixOps network written by sovereign; edit the site config instead.", attrs));
}

const base = (l: NixOpsLayout) => [...l.command];
const state = (l: NixOpsLayout) => ["-s", l.stateFile];
const dep = (l: NixOpsLayout) => ["-d", l.deployment];

export const nixops = {
  create: (l: NixOpsLayout) => [...base(l), "create", ...state(l), ...dep(l), networkFile(l)],
  modify: (l: NixOpsLayout) => [...base(l), "modify", ...state(l), ...dep(l), networkFile(l)],
  deploy: (l: NixOpsLayout) => [...base(l), "deploy", ...state(l), ...dep(l)],
  info: (l: NixOpsLayout) => [...base(l), "info", ...state(l), ...dep(l), "--plain"],
  export: (l: NixOpsLayout) => [...base(l), "export", ...state(l), ...dep(l)],
  import: (l: NixOpsLayout) => [...base(l), "import", ...state(l), "--include-keys"],
  destroy: (l: NixOpsLayout) => [...base(l), "destroy", ...state(l), ...dep(l), "--confirm"],
  delete: (l: NixOpsLayout) => [...base(l), "delete", ...state(l), ...dep(l), "--confirm"],
};

export interface MachineInfo {
  readonly name: string;
  readonly status: string;
  readonly type: string;
  readonly ip: string;
}

/** `nixops info --plain`: one machine a line, tab-separated: name, status, type, resource id, ip. */
export function parseInfoPlain(stdout: string): MachineInfo[] {
  return stdout
    .split("\n")
    .filter((l) => l.includes("\t"))
    .map((l) => {
      const [name, status, type, , ip] = l.split("\t");
      return { name, status, type, ip: ip ?? "" };
    });
}

/** "created deployment ‘UUID’" (NixOps prints typographic quotes; accept plain ones too). */
export function parseCreatedUuid(output: string): string | undefined {
  return /created deployment [‘'"`]?([0-9a-f-]{36})/.exec(output)?.[1];
}

export interface RebuildLayout {
  readonly command: readonly string[];
  readonly workDir: string;
  readonly action: "switch" | "boot" | "test" | "dry-activate";
}

/** NIX_SSHOPTS for the target: its pinned key in a known_hosts file, strict checking, its port. */
export function nixSshOpts(target: SshTarget, knownHostsFile: string, identityFile?: string): string {
  const opts = [
    "-o",
    `UserKnownHostsFile=${knownHostsFile}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-p",
    String(target.port ?? 22),
  ];
  if (identityFile) opts.push("-i", identityFile, "-o", "IdentitiesOnly=yes");
  // NIX_SSHOPTS is split on spaces by nixos-rebuild: refuse paths that contain any.
  for (const o of opts)
    if (/\s/.test(o))
      throw new Error(`NIX_SSHOPTS value "${o}" contains whitespace; use a work dir without spaces`);
  return opts.join(" ");
}

export function knownHostsLine(target: SshTarget): string {
  const pattern = (target.port ?? 22) === 22 ? target.host : `[${target.host}]:${target.port}`;
  return `${pattern} ${keyMaterial(target.hostKey ?? "")}\n`;
}

export function rebuildArgv(l: RebuildLayout, target: SshTarget): string[] {
  return [
    ...l.command,
    l.action,
    "-I",
    `nixos-config=${l.workDir}/configuration.nix`,
    "--target-host",
    `${target.user ?? "root"}@${target.host}`,
  ];
}
