/**
 * NixOpsDeployment: a NixOps deployment driven over SSH on a deploy host. create writes the network
 * and machine files and runs `nixops create` (or `nixops import` from an export file: "backups are
 * deployments to a file"), then `nixops deploy`; update runs `modify` + `deploy`; delete runs
 * `destroy` + `delete`, only for the deployment this stack owns. A failed command shows the
 * tool's own error lines.
 */
import * as pulumi from "@pulumi/pulumi";
import { SshExecutor } from "../../sdk/replication/executor";
import { SshTarget, sshTargetProblems } from "../../sdk/hosts/ssh";
import { hashFiles } from "../../sdk/nix/nixos";
import { toolErrorLines, withRemote, writeFiles } from "../hosts/remote";
import { Machine, networkExpression, nixops, NixOpsLayout, parseCreatedUuid, parseInfoPlain } from "./cli";

export interface NixOpsDeploymentInputs extends NixOpsLayout {
  readonly deployHost: SshTarget;
  readonly privateKey?: string;
  readonly owner: string;
  readonly machines: readonly Machine[];
  /** After each deploy, `nixops export` into this file on the deploy host. */
  readonly exportTo?: string;
  /** Create by `nixops import` of this export file instead of `nixops create`. */
  readonly restoreFrom?: string;
  readonly adopt?: boolean;
}

export interface NixOpsDeploymentOutputs extends NixOpsDeploymentInputs {
  readonly uuid: string;
  readonly configurationHash: string;
  readonly machineStatus: { name: string; status: string }[];
  readonly deployLog: string;
}

function ownerDescription(owner: string): string {
  return `sovereign owner: ${owner}`;
}

async function step(ex: SshExecutor, what: string, argv: string[], input?: string) {
  const r = await ex.run(argv, { allowFailure: true, input });
  if (r.code !== 0) {
    throw new Error(
      `nixops ${what} failed on ${ex.description} (exit ${r.code}): ${argv.join(" ")}\n${toolErrorLines(r)}`,
    );
  }
  return r;
}

async function writeNetwork(ex: SshExecutor, i: NixOpsDeploymentInputs): Promise<void> {
  const files: Record<string, string> = {
    "network.nix": networkExpression(ownerDescription(i.owner), i.machines),
  };
  for (const m of i.machines) {
    for (const [name, content] of Object.entries(m.files)) files[`machines/${m.name}/${name}`] = content;
  }
  await writeFiles(ex, i.workDir, files);
}

/** The owner recorded in the deployment's exported description, or undefined when it does not exist. */
async function existingOwner(ex: SshExecutor, i: NixOpsDeploymentInputs): Promise<string | null | undefined> {
  const r = await ex.run(nixops.export(i), { allowFailure: true });
  if (r.code !== 0) return undefined;
  const exported = JSON.parse(r.stdout) as Record<string, { description?: string }>;
  const first = Object.values(exported)[0];
  if (!first) return undefined;
  const m = /^sovereign owner: (.+)$/.exec(first.description ?? "");
  return m ? m[1] : null;
}

async function deployAndDescribe(
  ex: SshExecutor,
  i: NixOpsDeploymentInputs,
  uuid: string,
): Promise<NixOpsDeploymentOutputs> {
  const deployed = await step(ex, "deploy", nixops.deploy(i));
  if (i.exportTo) {
    const exported = await step(ex, "export", nixops.export(i));
    await writeFiles(ex, "/", { [i.exportTo.replace(/^\/+/, "")]: exported.stdout });
  }
  const info = await step(ex, "info", nixops.info(i));
  return {
    ...i,
    uuid,
    configurationHash: hashFiles(
      Object.fromEntries(
        i.machines.flatMap((m) => Object.entries(m.files).map(([n, c]) => [`${m.name}/${n}`, c])),
      ),
    ),
    machineStatus: parseInfoPlain(info.stdout).map((m) => ({ name: m.name, status: m.status })),
    deployLog: toolErrorLines(deployed, 20),
  };
}

async function uuidOf(ex: SshExecutor, i: NixOpsDeploymentInputs): Promise<string> {
  const r = await step(ex, "export", nixops.export(i));
  return Object.keys(JSON.parse(r.stdout) as object)[0] ?? "";
}

export const provider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: NixOpsDeploymentInputs) {
    const failures = sshTargetProblems(news.deployHost, "deployHost").map(([property, reason]) => ({
      property,
      reason,
    }));
    news.machines.forEach((m, idx) =>
      failures.push(
        ...sshTargetProblems(m.target, `machines[${idx}].target`).map(([property, reason]) => ({
          property,
          reason,
        })),
      ),
    );
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(news.deployment)) {
      failures.push({
        property: "deployment",
        reason: `"${news.deployment}" must be letters, digits, "_", "." and "-"`,
      });
    }
    for (const [key, value] of [
      ["stateFile", news.stateFile],
      ["workDir", news.workDir],
      ["exportTo", news.exportTo],
      ["restoreFrom", news.restoreFrom],
    ] as const) {
      if (value !== undefined && !value.startsWith("/"))
        failures.push({ property: key, reason: `"${value}" must be an absolute path on the deploy host` });
    }
    if (news.command.length === 0)
      failures.push({ property: "command", reason: 'must name the nixops CLI, e.g. ["nixops"]' });
    if (news.machines.length === 0)
      failures.push({ property: "machines", reason: "needs at least one machine" });
    return { inputs: news, failures };
  },

  async diff(_id, olds: NixOpsDeploymentOutputs, news: NixOpsDeploymentInputs) {
    const replaces = (["deployment", "stateFile", "deployHost"] as const).filter(
      (k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
    );
    const keys = ["machines", "command", "workDir", "exportTo", "owner", ...replaces] as const;
    const changes = keys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes, replaces: [...replaces], deleteBeforeReplace: true };
  },

  async create(i: NixOpsDeploymentInputs) {
    return withRemote({ target: i.deployHost, privateKey: i.privateKey }, "deployHost", async (ex) => {
      await ex.run(["mkdir", "-p", "--", i.workDir]);
      await writeNetwork(ex, i);
      const owner = await existingOwner(ex, i);
      let uuid: string;
      if (owner !== undefined) {
        if (owner !== i.owner && !i.adopt) {
          throw new Error(
            `NixOps deployment "${i.deployment}" already exists and belongs to ${owner ?? "no one (no sovereign owner in its description)"}; set adopt: true to take it over`,
          );
        }
        await step(ex, "modify", nixops.modify(i));
        uuid = await uuidOf(ex, i);
      } else if (i.restoreFrom) {
        await step(ex, "import", [
          "sh",
          "-c",
          'f="$1"; shift; exec "$@" < "$f"',
          "sh",
          i.restoreFrom,
          ...nixops.import(i),
        ]);
        await step(ex, "modify", nixops.modify(i));
        uuid = await uuidOf(ex, i);
      } else {
        const created = await step(ex, "create", nixops.create(i));
        uuid = parseCreatedUuid(created.stdout + created.stderr) ?? (await uuidOf(ex, i));
      }
      const outs = await deployAndDescribe(ex, i, uuid);
      return { id: uuid, outs };
    });
  },

  async read(id, props: NixOpsDeploymentOutputs) {
    return withRemote(
      { target: props.deployHost, privateKey: props.privateKey },
      "deployHost",
      async (ex) => {
        const r = await ex.run(nixops.info(props), { allowFailure: true });
        if (r.code !== 0) {
          if (/not found|does not exist|no such deployment/i.test(r.stderr)) return { id: "", props: {} };
          throw new Error(`nixops info failed on ${ex.description}: ${toolErrorLines(r)}`);
        }
        return {
          id,
          props: {
            ...props,
            machineStatus: parseInfoPlain(r.stdout).map((m) => ({ name: m.name, status: m.status })),
          },
        };
      },
    );
  },

  async update(id, _olds: NixOpsDeploymentOutputs, news: NixOpsDeploymentInputs) {
    return withRemote({ target: news.deployHost, privateKey: news.privateKey }, "deployHost", async (ex) => {
      await writeNetwork(ex, news);
      await step(ex, "modify", nixops.modify(news));
      return { outs: await deployAndDescribe(ex, news, id) };
    });
  },

  async delete(_id, props: NixOpsDeploymentOutputs) {
    await withRemote({ target: props.deployHost, privateKey: props.privateKey }, "deployHost", async (ex) => {
      const owner = await existingOwner(ex, props);
      if (owner === undefined) return;
      if (owner !== props.owner) {
        await pulumi.log.warn(
          `NixOps deployment "${props.deployment}" now belongs to ${owner ?? "no one"}; not destroying it`,
        );
        return;
      }
      await step(ex, "destroy", nixops.destroy(props));
      await step(ex, "delete", nixops.delete(props));
    });
  },
};

// The module shape providers/shared/moduleLocation.ts loads (credentials arrive through configure).
export { configure } from "../shared/credentials";
export const { check, diff, create, read, update } = provider as Required<pulumi.dynamic.ResourceProvider>;
const remove = (provider as Required<pulumi.dynamic.ResourceProvider>).delete;
export { remove as delete };
