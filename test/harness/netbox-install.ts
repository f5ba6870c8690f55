import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runCommand } from "./commands";
import { withFileLock } from "./lock";
import { repoRoot } from "./repo";

/**
 * The cached NetBox install that scripts/netbox.sh makes: a Debian trixie tree with NetBox in a
 * venv at /opt/venv (NetBox 4.7 needs Python >= 3.12). Processes run in it with chroot; the tree
 * shares the host's network, so they reach PostgreSQL and Redis on loopback.
 */
export interface NetboxInstall {
  /** The cache dir, e.g. ~/.cache/sovereign/netbox-4.7.3 */
  readonly dir: string;
  /** The tree (chroot) inside it. */
  readonly root: string;
  readonly version: string;
}

/** chroot(8) by absolute path: commands run with the tree's environment, whose PATH has no sbin. */
export const CHROOT =
  ["/usr/sbin/chroot", "/sbin/chroot", "/usr/bin/chroot"].find((p) => fs.existsSync(p)) ?? "chroot";

/** Where instance roots (NETBOX_ROOT) live inside the tree. */
export const INSTANCES_IN_TREE = "/srv/sovereign";

/** Finds the install, making it first if needed (minutes, once; progress lines go to stderr). */
export function netboxInstall(): NetboxInstall {
  if (process.getuid?.() !== 0) throw new Error("the NetBox harness runs NetBox with chroot: run it as root");
  const script = path.join(repoRoot(), "scripts", "netbox.sh");
  const result = spawnSync("bash", [script, "--print-dir"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (result.status !== 0) throw new Error(`${script} --print-dir failed (exit ${result.status})`);
  const dir = result.stdout.trim();
  const version = /netbox-([0-9.]+)$/.exec(dir)?.[1];
  if (!version) throw new Error(`${script} printed an unexpected dir: ${dir}`);
  return { dir, root: path.join(dir, "root"), version };
}

/** Environment of a command run in the tree for the instance whose root (in the tree) is given. */
export function treeEnv(instanceInTree: string): NodeJS.ProcessEnv {
  return {
    PATH: "/opt/venv/bin:/usr/local/bin:/usr/bin:/bin",
    HOME: "/root",
    LANG: "C.UTF-8",
    PYTHONUNBUFFERED: "1",
    NETBOX_ROOT: instanceInTree,
  };
}

async function isMountpoint(dir: string): Promise<boolean> {
  return runCommand("mountpoint", ["-q", dir]).then(
    () => true,
    () => false,
  );
}

function liveInstances(install: NetboxInstall): string[] {
  const dir = path.join(install.root, INSTANCES_IN_TREE);
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/**
 * Registers an instance dir in the tree and mounts /proc there if it is not mounted yet. Instance
 * dirs whose host service dir is gone (a run that died) are removed first.
 */
export async function claimTree(
  install: NetboxInstall,
  instanceName: string,
  hostDir: string,
): Promise<string> {
  return withFileLock(path.join(install.dir, "tree.lock"), async () => {
    for (const name of liveInstances(install)) {
      if (!fs.existsSync(path.join(path.dirname(hostDir), name)))
        fs.rmSync(path.join(install.root, INSTANCES_IN_TREE, name), { recursive: true, force: true });
    }
    const instanceDir = path.join(install.root, INSTANCES_IN_TREE, instanceName);
    fs.mkdirSync(path.join(instanceDir, "conf"), { recursive: true, mode: 0o700 });
    const proc = path.join(install.root, "proc");
    if (!(await isMountpoint(proc))) await runCommand("mount", ["-t", "proc", "proc", proc]);
    return instanceDir;
  });
}

/** Removes the instance dir; unmounts /proc from the tree when no instance is left. */
export async function releaseTree(install: NetboxInstall, instanceDir: string): Promise<void> {
  await withFileLock(path.join(install.dir, "tree.lock"), async () => {
    fs.rmSync(instanceDir, { recursive: true, force: true });
    const proc = path.join(install.root, "proc");
    if (liveInstances(install).length === 0 && (await isMountpoint(proc))) await runCommand("umount", [proc]);
  });
}
