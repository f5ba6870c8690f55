/**
 * The HostSecret dynamic provider (loaded by path inside the provider process). It encrypts the
 * value with `age` to the host's SSH host key on the machine running Pulumi, and sends only that
 * ciphertext over SSH (checking the host key). A changed value is re-encrypted and delivered
 * again; an unchanged one is left alone. Errors carry the command's stderr, never the value.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import {
  deliveryScript,
  encryptedPath,
  hostSecretProblems,
  inspectionScript,
  removalScript,
  shellQuote,
  DEFAULT_MODE,
  type HostSecretSpec,
} from "./hostSecretPlan";

interface Props extends HostSecretSpec {
  value: string;
}

function run(command: string, args: string[], stdin: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
          reject(
            new Error(
              missing
                ? `${what}: \`${command}\` is not installed (Debian: apt-get install ${command === "age" ? "age" : "openssh-client"})`
                : `${what} failed: ${String(stderr).trim() || error.message}`,
            ),
          );
        } else resolve(String(stdout));
      },
    );
    child.stdin?.end(stdin);
  });
}

/** Encrypts to the host's SSH public key; age's armored output. */
function encrypt(props: Props): Promise<string> {
  return run(
    "age",
    ["-a", "-r", props.host.hostPublicKey!.trim()],
    props.value,
    `encrypting secret "${props.name}" with age`,
  );
}

/** Runs a script on the host (fed on stdin), trusting only the host key given for it. */
async function onHost(props: Props, script: string, what: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-ssh-"));
  try {
    const knownHosts = path.join(dir, "known_hosts");
    const port = props.host.port ?? 22;
    const hostPattern = port === 22 ? props.host.address : `[${props.host.address}]:${port}`;
    fs.writeFileSync(knownHosts, `${hostPattern} ${props.host.hostPublicKey!.trim()}\n`);
    const args = [
      "-F",
      "/dev/null",
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=10",
      ...(props.host.privateKeyPath ? ["-i", props.host.privateKeyPath, "-o", "IdentitiesOnly=yes"] : []),
      "-p",
      String(port),
      `${props.host.user ?? "root"}@${props.host.address}`,
      "sh -s",
    ];
    return await run("ssh", args, script, `${what} on ${props.host.address}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function deliver(props: Props): Promise<Record<string, unknown>> {
  const ciphertext = await encrypt(props);
  await onHost(props, deliveryScript(props, ciphertext), `delivering secret "${props.name}"`);
  return { ...props, encryptedPath: encryptedPath(props), deliveredAt: new Date().toISOString() };
}

const REPLACING = ["name"];
const HOST_FIELDS = ["address", "port", "os", "hostPublicKey"] as const;
const FILE_FIELDS = ["path", "owner", "group", "mode"] as const;

export const provider: pulumi.dynamic.ResourceProvider = {
  check: async (_olds, news) => {
    const props = news as Props;
    // The engine prints the value of the property a failure names (secret or not): a failure about
    // the secret itself names no property and says "value:" in its text instead.
    const failures = hostSecretProblems(props, props.value).map((problem) =>
      problem.property === "value" ? { property: "", reason: `value: ${problem.reason}` } : problem,
    );
    return { inputs: { ...props, mode: props.mode ?? DEFAULT_MODE }, failures };
  },

  diff: async (_id, olds, news) => {
    const a = olds as Props;
    const b = news as Props;
    const changed: string[] = [];
    if (a.value !== b.value) changed.push("value");
    for (const field of FILE_FIELDS)
      if ((a[field] ?? undefined) !== (b[field] ?? undefined)) changed.push(field);
    for (const field of HOST_FIELDS) if (a.host?.[field] !== b.host?.[field]) changed.push(`host.${field}`);
    if (a.name !== b.name) changed.push("name");
    // A new host or name is a new secret there; the old one is removed from the old place first.
    const replaces = changed.filter(
      (field) => REPLACING.includes(field) || field === "host.address" || field === "host.port",
    );
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  create: async (inputs) => {
    const props = inputs as Props;
    return { id: `${props.host.address}:${props.name}`, outs: await deliver(props) };
  },

  update: async (_id, olds, news) => {
    const a = olds as Props;
    const b = news as Props;
    // A moved file: remove the decrypted copy at the old path (the store file is overwritten).
    if (a.path !== b.path && (a.host.os ?? "linux") === "linux") {
      await onHost(a, `rm -f ${shellQuote(a.path)}\n`, `removing the old copy of secret "${a.name}"`);
    }
    return { outs: await deliver(b) };
  },

  read: async (id, props) => {
    const p = props as Props;
    const state = (await onHost(p, inspectionScript(p), `inspecting secret "${p.name}"`)).trim();
    if (state === "missing") return { id: "" };
    const [mode] = state.split(" ");
    // On plain Linux the decrypted file's mode as found: a difference from the declared one shows
    // as drift. On NixOS agenix sets the mode at activation; the store file's own is always 0600.
    const found = (p.host.os ?? "linux") === "linux" ? { ...p, mode: mode.padStart(4, "0") } : p;
    return { id, props: found, inputs: found };
  },

  delete: async (_id, props) => {
    const p = props as Props;
    await onHost(p, removalScript(p), `removing secret "${p.name}"`);
  },
};
