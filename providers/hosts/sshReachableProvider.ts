/**
 * "This host answers over SSH with the expected key": `check` (preview) compares the key the host
 * shows (ssh-keyscan, which logs into nothing) with the pinned one and refuses on a mismatch;
 * `create` waits, bounded, until `ssh true` succeeds.
 */
import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "child_process";
import { keyMaterial, sshTargetProblems, SshTarget } from "../../sdk/hosts/ssh";
import { withRemote } from "./remote";

export interface SshReachableInputs {
  readonly hostName: string;
  readonly target: SshTarget;
  readonly privateKey?: string;
  readonly timeoutSeconds: number;
  /** Compare the pinned key with the host's at preview (for machines that exist before `up`). */
  readonly verifyAtPreview: boolean;
  /** Changes (e.g. a new configuration hash) that should make the check run again. */
  readonly trigger?: string;
}

/** The keys a host presents, via ssh-keyscan (no login, no state). */
export function scanHostKeys(host: string, port: number, timeoutSeconds = 5): string[] {
  const r = spawnSync("ssh-keyscan", ["-T", String(timeoutSeconds), "-p", String(port), "--", host], {
    encoding: "utf8",
    timeout: (timeoutSeconds + 5) * 1000,
  });
  return r.stdout
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => keyMaterial(l.split(/\s+/).slice(1).join(" ")));
}

export function hostKeyMismatch(
  hostName: string,
  target: SshTarget,
  presented: readonly string[],
): string | undefined {
  if (!target.hostKey || presented.length === 0) return undefined;
  const pinned = keyMaterial(target.hostKey);
  if (presented.includes(pinned)) return undefined;
  return `host "${hostName}" (${target.host}:${target.port ?? 22}) presents host key(s) ${presented
    .map((k) => k.slice(0, 40) + "...")
    .join(
      ", ",
    )} but the pinned key is ${pinned.slice(0, 40)}...; refusing to connect. If the machine was reinstalled, verify the new key out of band and update hostKey`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const provider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: SshReachableInputs) {
    const failures = sshTargetProblems(news.target, "ssh").map(([property, reason]) => ({
      property,
      reason,
    }));
    if (!Number.isInteger(news.timeoutSeconds) || news.timeoutSeconds < 1) {
      failures.push({
        property: "timeoutSeconds",
        reason: `${news.timeoutSeconds} must be a whole number of seconds >= 1`,
      });
    }
    if (failures.length === 0 && news.verifyAtPreview) {
      const mismatch = hostKeyMismatch(
        news.hostName,
        news.target,
        scanHostKeys(news.target.host, news.target.port ?? 22),
      );
      if (mismatch) failures.push({ property: "target.hostKey", reason: mismatch });
    }
    return { inputs: news, failures };
  },

  async diff(_id, olds: SshReachableInputs, news: SshReachableInputs) {
    // Only what decides the check counts (not the key used to log in, not the key found).
    const keys = ["hostName", "target", "timeoutSeconds", "verifyAtPreview", "trigger"] as const;
    const changed = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    const replaces = changed.filter((k) => k === "hostName" || k === "target");
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: SshReachableInputs) {
    const deadline = Date.now() + inputs.timeoutSeconds * 1000;
    let last = "";
    for (;;) {
      try {
        const r = await withRemote(inputs, "ssh", (ex) => ex.run(["true"], { allowFailure: true }));
        if (r.code === 0) break;
        last = r.stderr.trim();
      } catch (e) {
        last = (e as Error).message;
      }
      if (/host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(last)) {
        throw new Error(
          `host "${inputs.hostName}" (${inputs.target.host}): its host key does not match the pinned key; refusing to connect (${last})`,
        );
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `host "${inputs.hostName}" was not reachable over SSH at ${inputs.target.user ?? "root"}@${inputs.target.host}:${inputs.target.port ?? 22} within ${inputs.timeoutSeconds} s; last error: ${last || "(none)"}`,
        );
      }
      await sleep(1000);
    }
    const presented = scanHostKeys(inputs.target.host, inputs.target.port ?? 22);
    const hostKey = inputs.target.hostKey
      ? keyMaterial(inputs.target.hostKey)
      : (presented.find((k) => k.startsWith("ssh-ed25519")) ?? presented[0] ?? "");
    return {
      id: `${inputs.hostName}@${inputs.target.host}:${inputs.target.port ?? 22}`,
      outs: { ...inputs, hostKey },
    };
  },

  async update(_id, _olds, news: SshReachableInputs) {
    // A new timeout or trigger: check again.
    return { outs: (await provider.create!(news)).outs };
  },

  async read(id, props: SshReachableInputs & { hostKey: string }) {
    // Reachability is a check made at create; refresh keeps what it found.
    return { id, props };
  },

  async delete() {
    // Nothing was created: reachability is a check.
  },
};

// The module shape providers/shared/moduleLocation.ts loads (credentials arrive through configure).
export { configure } from "../shared/credentials";
export const { check, diff, create, read, update } = provider as Required<pulumi.dynamic.ResourceProvider>;
const remove = (provider as Required<pulumi.dynamic.ResourceProvider>).delete;
export { remove as delete };
