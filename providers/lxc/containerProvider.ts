/**
 * LxcContainer: a container on a plain LXC host (Debian's lxc tools), driven over SSH. The
 * container records its owner in /var/lib/lxc/NAME/sovereign-owner; create continues only this
 * stack's own interrupted work, takes over others' containers only with `adopt`, and delete removes
 * only a container the same owner still holds.
 */
import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "crypto";
import { keyMaterial, SshTarget, sshTargetProblems } from "../../sdk/hosts/ssh";
import { parseCidr } from "../../sdk/hosts/hostSpec";
import { SshExecutor } from "../../sdk/replication/executor";
import { runScript, toolErrorLines, withRemote, writeFiles } from "../hosts/remote";
import { lxcConfig } from "./config";
import { CREATE, DESTROY, OWNER_OF, STATE, UPDATE_KEYS } from "./scripts";

export interface LxcContainerInputs {
  readonly lxcHost: SshTarget;
  readonly privateKey?: string;
  /** The container name on the LXC host. */
  readonly name: string;
  readonly template: string;
  readonly release: string;
  readonly bridge: string;
  readonly address: string;
  readonly gateway?: string;
  readonly memoryMiB: number;
  readonly startOnBoot: boolean;
  readonly authorizedKeys: readonly string[];
  readonly owner: string;
  readonly adopt?: boolean;
}

export interface LxcContainerOutputs extends LxcContainerInputs {
  readonly hostKey: string;
  readonly state: string;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

async function stage(ex: SshExecutor, files: Record<string, string>): Promise<Record<string, string>> {
  const dir = `/var/tmp/sovereign-lxc-${randomBytes(6).toString("hex")}`;
  await writeFiles(ex, dir, files);
  return Object.fromEntries(Object.keys(files).map((f) => [f, `${dir}/${f}`]));
}

async function ownerOf(ex: SshExecutor, name: string): Promise<string> {
  return (await runScript(ex, OWNER_OF, [name])).stdout.trim();
}

function keysFile(keys: readonly string[]): string {
  return keys.map((k) => `${k.trim()}\n`).join("");
}

export const provider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: LxcContainerInputs) {
    const failures = sshTargetProblems(news.lxcHost, "lxcHost").map(([property, reason]) => ({
      property,
      reason,
    }));
    if (!NAME.test(news.name))
      failures.push({
        property: "name",
        reason: `"${news.name}" must be lowercase letters, digits and "-", starting with a letter`,
      });
    if (!parseCidr(news.address, 4) || !news.address.includes("/"))
      failures.push({
        property: "address",
        reason: `"${news.address}" must be an IPv4 address with prefix, e.g. "10.213.7.10/24"`,
      });
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(news.bridge))
      failures.push({
        property: "bridge",
        reason: `"${news.bridge}" is not an interface name (1-15 of letters, digits, "_", ".", "-")`,
      });
    if (!/^[a-z0-9-]+$/.test(news.template) || !/^[a-z0-9.-]+$/.test(news.release))
      failures.push({
        property: "template",
        reason: "template and release must be simple names such as debian / bookworm",
      });
    if (news.authorizedKeys.length === 0)
      failures.push({
        property: "authorizedKeys",
        reason: "needs at least one SSH public key, or nobody can log in",
      });
    return { inputs: news, failures };
  },

  async diff(_id, olds: LxcContainerOutputs, news: LxcContainerInputs) {
    const replaceKeys = [
      "name",
      "template",
      "release",
      "bridge",
      "address",
      "gateway",
      "memoryMiB",
      "startOnBoot",
    ] as const;
    const replaces: string[] = replaceKeys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    if (olds.lxcHost.host !== news.lxcHost.host || (olds.lxcHost.port ?? 22) !== (news.lxcHost.port ?? 22))
      replaces.push("lxcHost");
    const changes =
      replaces.length > 0 ||
      JSON.stringify(olds.authorizedKeys) !== JSON.stringify(news.authorizedKeys) ||
      JSON.stringify(olds.lxcHost) !== JSON.stringify(news.lxcHost);
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(i: LxcContainerInputs) {
    return withRemote({ target: i.lxcHost, privateKey: i.privateKey }, "lxcHost", async (ex) => {
      const owner = await ownerOf(ex, i.name);
      if (owner !== "absent" && owner !== `owner:${i.owner}` && !i.adopt) {
        const who = owner.startsWith("owner:") ? owner.slice(6) : "no one (no sovereign-owner marker)";
        throw new Error(
          `LXC container "${i.name}" already exists on ${ex.description} and belongs to ${who}; set adopt: true to take it over`,
        );
      }
      const staged = await stage(ex, {
        config: lxcConfig(
          { bridge: i.bridge, address: i.address, gateway: i.gateway },
          i.memoryMiB,
          i.startOnBoot,
        ),
        keys: keysFile(i.authorizedKeys),
      });
      const r = await runScript(
        ex,
        CREATE,
        [i.name, i.template, i.release, staged.config, staged.keys, i.owner],
        true,
      );
      if (r.code !== 0)
        throw new Error(
          `creating LXC container "${i.name}" on ${ex.description} failed (exit ${r.code}):\n${toolErrorLines(r)}`,
        );
      const hostKey = keyMaterial(r.stdout.trim().split("\n").pop() ?? "");
      return { id: `${i.lxcHost.host}/${i.name}`, outs: { ...i, hostKey, state: "RUNNING" } };
    });
  },

  async read(id, props: LxcContainerOutputs) {
    return withRemote({ target: props.lxcHost, privateKey: props.privateKey }, "lxcHost", async (ex) => {
      const [state, key] = (await runScript(ex, STATE, [props.name])).stdout.trim().split("\n");
      if (state === "absent") return { id: "", props: {} };
      return { id, props: { ...props, state, hostKey: key ? keyMaterial(key) : props.hostKey } };
    });
  },

  async update(_id, olds: LxcContainerOutputs, news: LxcContainerInputs) {
    return withRemote({ target: news.lxcHost, privateKey: news.privateKey }, "lxcHost", async (ex) => {
      const staged = await stage(ex, { keys: keysFile(news.authorizedKeys) });
      await runScript(ex, UPDATE_KEYS, [news.name, staged.keys]);
      return { outs: { ...news, hostKey: olds.hostKey, state: olds.state } };
    });
  },

  async delete(_id, props: LxcContainerOutputs) {
    await withRemote({ target: props.lxcHost, privateKey: props.privateKey }, "lxcHost", async (ex) => {
      const owner = await ownerOf(ex, props.name);
      if (owner === "absent") return;
      if (owner !== `owner:${props.owner}`) {
        await pulumi.log.warn(
          `LXC container "${props.name}" on ${ex.description} now belongs to ${owner}; not destroying it`,
        );
        return;
      }
      const r = await runScript(ex, DESTROY, [props.name], true);
      if (r.code !== 0)
        throw new Error(`destroying LXC container "${props.name}" failed:\n${toolErrorLines(r)}`);
    });
  },
};

// The module shape providers/shared/moduleLocation.ts loads (credentials arrive through configure).
export { configure } from "../shared/credentials";
export const { check, diff, create, read, update } = provider as Required<pulumi.dynamic.ResourceProvider>;
const remove = (provider as Required<pulumi.dynamic.ResourceProvider>).delete;
export { remove as delete };
