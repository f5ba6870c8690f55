/**
 * NixosRebuild: `nixos-rebuild <action> --target-host USER@HOST` run on a deploy host over SSH. The
 * rendered files are copied to a work dir there; the target's pinned key goes into a known_hosts
 * file that NIX_SSHOPTS points at, so nixos-rebuild's own SSH connections verify it too.
 */
import * as pulumi from "@pulumi/pulumi";
import { SshTarget, sshTargetProblems } from "../../sdk/hosts/ssh";
import { hashFiles } from "../../sdk/nix/nixos";
import { toolErrorLines, withRemote, writeFiles } from "../hosts/remote";
import { knownHostsLine, nixSshOpts, rebuildArgv, RebuildLayout } from "./cli";

export interface NixosRebuildInputs extends RebuildLayout {
  readonly hostName: string;
  readonly deployHost: SshTarget;
  readonly privateKey?: string;
  /** The target (the NixOS machine); its hostKey is required. */
  readonly target: SshTarget;
  /** The key the deploy host uses to reach the target (a secret), if the deploy host has none of its own. */
  readonly targetPrivateKey?: string;
  readonly files: Readonly<Record<string, string>>;
}

export interface NixosRebuildOutputs extends NixosRebuildInputs {
  readonly configurationHash: string;
  readonly commandLine: readonly string[];
  readonly output: string;
}

async function rebuild(i: NixosRebuildInputs): Promise<NixosRebuildOutputs> {
  return withRemote({ target: i.deployHost, privateKey: i.privateKey }, "deployHost", async (ex) => {
    const knownHosts = `${i.workDir}/.ssh/known_hosts`;
    const identity = i.targetPrivateKey ? `${i.workDir}/.ssh/id` : undefined;
    const sshFiles: Record<string, string> = { ".ssh/known_hosts": knownHostsLine(i.target) };
    if (i.targetPrivateKey)
      sshFiles[".ssh/id"] = i.targetPrivateKey.endsWith("\n")
        ? i.targetPrivateKey
        : `${i.targetPrivateKey}\n`;
    await writeFiles(ex, i.workDir, { ...i.files, ...sshFiles });
    const argv = rebuildArgv(i, i.target);
    const opts = nixSshOpts(i.target, knownHosts, identity);
    try {
      const r = await ex.run(["env", `NIX_SSHOPTS=${opts}`, ...argv], { allowFailure: true });
      if (r.code !== 0) {
        throw new Error(
          `nixos-rebuild ${i.action} of host "${i.hostName}" failed on ${ex.description} (exit ${r.code}): ${argv.join(" ")}\n${toolErrorLines(r)}`,
        );
      }
      return {
        ...i,
        configurationHash: hashFiles(i.files),
        commandLine: argv,
        output: toolErrorLines(r, 20),
      };
    } finally {
      if (identity) await ex.run(["rm", "-f", "--", identity], { allowFailure: true });
    }
  });
}

export const provider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: NixosRebuildInputs) {
    const failures = [
      ...sshTargetProblems(news.deployHost, "deployHost"),
      ...sshTargetProblems(news.target, "target"),
    ].map(([property, reason]) => ({ property, reason }));
    if (!news.target.hostKey)
      failures.push({
        property: "target.hostKey",
        reason:
          "nixos-rebuild needs the target's pinned host key (it is written to a known_hosts file for NIX_SSHOPTS)",
      });
    if (!news.workDir.startsWith("/") || /\s/.test(news.workDir))
      failures.push({
        property: "workDir",
        reason: `"${news.workDir}" must be an absolute path without spaces`,
      });
    if (!["switch", "boot", "test", "dry-activate"].includes(news.action))
      failures.push({
        property: "action",
        reason: `"${news.action}" must be switch, boot, test or dry-activate`,
      });
    if (!news.files["configuration.nix"])
      failures.push({ property: "files", reason: "must contain configuration.nix" });
    return { inputs: news, failures };
  },
  async diff(_id, olds: NixosRebuildOutputs, news: NixosRebuildInputs) {
    const keys = ["files", "target", "action", "command", "workDir", "deployHost"] as const;
    return { changes: keys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k])), replaces: [] };
  },
  async create(i: NixosRebuildInputs) {
    const outs = await rebuild(i);
    return { id: `${i.hostName}-${outs.configurationHash.slice(0, 12)}`, outs };
  },
  async read(id, props: NixosRebuildOutputs) {
    // What was activated cannot be read back without NixOS tooling on the target; keep the record.
    return { id, props };
  },
  async update(_id, _olds, news: NixosRebuildInputs) {
    return { outs: await rebuild(news) };
  },
  async delete(_id, props: NixosRebuildOutputs) {
    // A deployed system cannot be un-deployed; remove only the work dir this resource wrote.
    await withRemote({ target: props.deployHost, privateKey: props.privateKey }, "deployHost", (ex) =>
      ex.run(["rm", "-rf", "--", props.workDir], { allowFailure: true }),
    );
  },
};

// The module shape providers/shared/moduleLocation.ts loads (credentials arrive through configure).
export { configure } from "../shared/credentials";
export const { check, diff, create, read, update } = provider as Required<pulumi.dynamic.ResourceProvider>;
const remove = (provider as Required<pulumi.dynamic.ResourceProvider>).delete;
export { remove as delete };
