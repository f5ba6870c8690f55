/**
 * The HostSecret dynamic provider (loaded by package specifier in the provider process, see
 * providers/shared/moduleLocation). It encrypts the value with `age` to the host's SSH host key on
 * the machine running Pulumi, and sends only that ciphertext over SSH through the shared
 * SshExecutor (the host key pinned, option-like hosts and users refused, `--` before the host). A
 * changed value is re-encrypted and delivered again; an unchanged one is left alone. Errors carry
 * the command's stderr, never the value.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CommandError, LocalExecutor, SshExecutor, type Executor } from "../../sdk/replication/executor";
import {
  deliveryScript,
  encryptedPath,
  hostSecretProblems,
  inspectionScript,
  removalScript,
  shellQuote,
  DEFAULT_MODE,
  type HostSecretSpec,
} from "../../sdk/secrets/hostSecretPlan";

export { configure } from "../shared/credentials";

interface Props extends HostSecretSpec {
  value: string;
}

/** Runs one command and turns a missing tool or a failure into a message without the input. */
async function runOn(
  executor: Executor,
  argv: readonly string[],
  input: string,
  what: string,
  tool: string,
): Promise<string> {
  try {
    return (await executor.run(argv, { input })).stdout;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(`${what}: \`${tool}\` is not installed (Debian: apt-get install ${tool})`);
    if (e instanceof CommandError)
      throw new Error(`${what} failed: ${e.result.stderr.trim() || e.result.stdout.trim()}`);
    throw e;
  }
}

/** Encrypts to the host's SSH public key; age's armored output. */
function encrypt(props: Props): Promise<string> {
  return runOn(
    new LocalExecutor(),
    ["age", "-a", "-r", props.host.hostPublicKey!.trim()],
    props.value,
    `encrypting secret "${props.name}" with age`,
    "age",
  );
}

/** Runs a script on the host (fed on stdin to `sh -s`), trusting only the host key given for it. */
async function onHost(props: Props, script: string, what: string): Promise<string> {
  // SshExecutor refuses a host or user that ssh could read as an option, and a missing host key.
  const ssh = new SshExecutor({
    host: props.host.address,
    port: props.host.port,
    user: props.host.user ?? "root",
    hostKey: props.host.hostPublicKey?.trim(),
    privateKeyPath: props.host.privateKeyPath,
    connectTimeoutSeconds: 10,
  });
  try {
    return await runOn(ssh, ["sh", "-s"], script, `${what} on ${ssh.description}`, "openssh-client");
  } finally {
    ssh.close();
  }
}

async function deliver(props: Props): Promise<Record<string, unknown>> {
  const ciphertext = await encrypt(props);
  await onHost(props, deliveryScript(props, ciphertext), `delivering secret "${props.name}"`);
  return { ...props, encryptedPath: encryptedPath(props), deliveredAt: new Date().toISOString() };
}

const REPLACING = ["name"];
const HOST_FIELDS = ["address", "port", "user", "os", "hostPublicKey"] as const;
const FILE_FIELDS = ["path", "owner", "group", "mode"] as const;

export async function check(_olds: unknown, news: Props): Promise<pulumi.dynamic.CheckResult> {
  // The engine prints the value of the property a failure names (secret or not): a failure about
  // the secret itself names no property and says "value:" in its text instead.
  const failures = hostSecretProblems(news, news.value).map((problem) =>
    problem.property === "value" ? { property: "", reason: `value: ${problem.reason}` } : problem,
  );
  return { inputs: { ...news, mode: news.mode ?? DEFAULT_MODE }, failures };
}

export async function diff(_id: string, a: Props, b: Props): Promise<pulumi.dynamic.DiffResult> {
  const changed: string[] = [];
  if (a.value !== b.value) changed.push("value");
  for (const field of FILE_FIELDS)
    if ((a[field] ?? undefined) !== (b[field] ?? undefined)) changed.push(field);
  for (const field of HOST_FIELDS) if (a.host?.[field] !== b.host?.[field]) changed.push(`host.${field}`);
  if (a.name !== b.name) changed.push("name");
  // A new host or name is a new secret there; the old one is removed from the old place.
  const replaces = changed.filter(
    (field) => REPLACING.includes(field) || field === "host.address" || field === "host.port",
  );
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  return { id: `${props.host.address}:${props.name}`, outs: await deliver(props) };
}

export async function update(_id: string, a: Props, b: Props): Promise<pulumi.dynamic.UpdateResult> {
  // A moved file: remove the decrypted copy at the old path (the store file is overwritten).
  if (a.path !== b.path && (a.host.os ?? "linux") === "linux") {
    await onHost(a, `rm -f ${shellQuote(a.path)}\n`, `removing the old copy of secret "${a.name}"`);
  }
  return { outs: await deliver(b) };
}

export async function read(id: string, p: Props): Promise<pulumi.dynamic.ReadResult> {
  const state = (await onHost(p, inspectionScript(p), `inspecting secret "${p.name}"`)).trim();
  if (state === "missing") return { id: "" };
  const [mode] = state.split(" ");
  // On plain Linux the decrypted file's mode as found: a difference from the declared one shows
  // as drift. On NixOS agenix sets the mode at activation; the store file's own is always 0600.
  const found = (p.host.os ?? "linux") === "linux" ? { ...p, mode: mode.padStart(4, "0") } : p;
  return { id, props: found, inputs: found };
}

async function remove(_id: string, p: Props): Promise<void> {
  await onHost(p, removalScript(p), `removing secret "${p.name}"`);
}
export { remove as delete };
