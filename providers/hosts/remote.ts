/**
 * Running commands on a machine from provider inputs: the SSH target is validated (host key
 * required), and every failure carries the remote tool's own error lines.
 */
import { CommandResult, SshExecutor } from "../../sdk/replication/executor";
import { sshConnection, SshTarget } from "../../sdk/hosts/ssh";

export interface RemoteInputs {
  readonly target: SshTarget;
  /** OpenSSH private key text (a secret input). */
  readonly privateKey?: string;
}

/** Runs `fn` with an executor for the target and always releases its temp key files. */
export async function withRemote<T>(
  inputs: RemoteInputs,
  field: string,
  fn: (ex: SshExecutor) => Promise<T>,
): Promise<T> {
  const ex = new SshExecutor(sshConnection(inputs.target, inputs.privateKey, field));
  try {
    return await fn(ex);
  } finally {
    ex.close();
  }
}

/** The last lines of a tool's stderr (its own error lines), for error messages. */
export function toolErrorLines(result: CommandResult, max = 12): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split("\n");
  return text.slice(-max).join("\n");
}

/** Runs a shell script (given on stdin to `sh -s`), so quoting stays in one place. */
export async function runScript(
  ex: SshExecutor,
  script: string,
  args: readonly string[] = [],
  allowFailure = false,
): Promise<CommandResult> {
  return ex.run(["sh", "-s", "--", ...args], { input: script, allowFailure });
}

const WRITE_FILE =
  'set -e; mkdir -p "$(dirname "$1")"; umask "$2"; cat > "$1.sovereign-tmp"; mv -f "$1.sovereign-tmp" "$1"';

/** A file name inside a work dir: relative, no "..", no leading "-". */
export function checkRelativeName(name: string): void {
  if (
    name === "" ||
    name.startsWith("/") ||
    name.startsWith("-") ||
    name.split("/").some((s) => s === ".." || s === "" || s === ".")
  ) {
    throw new Error(`file name "${name}" must be a relative path without "." or ".." segments`);
  }
}

/** Writes each file under `dir` atomically (temp name, then rename), with the given umask. */
export async function writeFiles(
  ex: SshExecutor,
  dir: string,
  files: Readonly<Record<string, string>>,
  umask = "077",
): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    checkRelativeName(name);
    await ex.run(["sh", "-c", WRITE_FILE, "sh", `${dir}/${name}`, umask], { input: content });
  }
}
