/**
 * Pure decisions for delivering a secret to a host: input checks (run at preview), where the files
 * go, the shell script the host runs, and the agenix-style declaration a NixOS host gets. Nothing
 * here ever holds the secret in plain text: scripts carry only age ciphertext.
 */

import { sshHostProblem, sshUserProblem } from "../replication/sshTarget";

/**
 * The host's system: a plain Linux host decrypts on delivery; a NixOS host decrypts with agenix at
 * activation.
 */
export type HostOs = "linux" | "nixos";

/** A host a secret is delivered to, and how to reach it over SSH. */
export interface SecretHost {
  /** Host name or address to reach over SSH. */
  address: string;
  /** The SSH port; default 22. */
  port?: number;
  /** SSH login (root, or a user that may write the target path). */
  user?: string;
  /**
   * The host's SSH host public key ("ssh-ed25519 AAAA..." or "ssh-rsa AAAA..."), as in known_hosts:
   * secrets are encrypted to it, and SSH only talks to a host that proves it holds it.
   */
  hostPublicKey?: string;
  /** Path of the matching private host key on the host (decrypts on plain-Linux hosts). */
  hostKeyPath?: string;
  /** Private key (path on the machine running Pulumi) that the host accepts for `user`. */
  privateKeyPath?: string;
  /** The host's system; default "linux". */
  os?: HostOs;
  /** Where the host keeps the encrypted files (default /var/lib/sovereign/secrets). */
  storeDir?: string;
}

/** One secret delivered to a host as a file. */
export interface HostSecretSpec {
  /** Name of the secret on the host: [a-z0-9][a-z0-9._-]*. */
  name: string;
  /** The host it goes to. */
  host: SecretHost;
  /** Where the decrypted file lands (plain Linux) or agenix puts it (NixOS). */
  path: string;
  /** Owner of the delivered file; default "root". */
  owner?: string;
  /** Group of the delivered file; default "root". */
  group?: string;
  /** Octal file mode, default "0400". */
  mode?: string;
  /** The app's minimum length for this secret. */
  minLength?: number;
}

/** A problem with a host secret's inputs, by property. */
export interface Problem {
  /** The input at fault, e.g. "host.hostPublicKey". */
  property: string;
  /** What is wrong and how to fix it. */
  reason: string;
}

/** The delivered file's default mode: readable by its owner only. */
export const DEFAULT_MODE = "0400";
/** The host's SSH private host key on plain Linux hosts, which decrypts the secrets. */
export const DEFAULT_HOST_KEY_PATH = "/etc/ssh/ssh_host_ed25519_key";
/** Where encrypted secrets are kept on every host (agenix's inputs on NixOS). */
export const SECRET_STORE = "/var/lib/sovereign/secrets";

const SECRET_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const ACCOUNT = /^[a-z_][a-z0-9_-]{0,31}$/;
const HOST_KEY = /^(ssh-ed25519|ssh-rsa) [A-Za-z0-9+/]+={0,3}$/;

/** "ssh-ed25519 AAAA..." from a known_hosts or .pub line (host patterns and comments dropped). */
export function hostPublicKeyFrom(line: string): string | undefined {
  const fields = line.trim().split(/\s+/);
  const at = fields.findIndex((field) => field === "ssh-ed25519" || field === "ssh-rsa");
  return at >= 0 && fields[at + 1] ? `${fields[at]} ${fields[at + 1]}` : undefined;
}

/** The problems of a host secret's inputs and value (empty when it can be delivered). Pure. */
export function hostSecretProblems(spec: Partial<HostSecretSpec>, value: unknown): Problem[] {
  const problems: Problem[] = [];
  if (typeof spec.name !== "string" || !SECRET_NAME.test(spec.name)) {
    problems.push({
      property: "name",
      reason: `secret name ${JSON.stringify(spec.name)} is not allowed: use lower-case letters, digits, ".", "_", "-" (e.g. "forgejo-db-password")`,
    });
  }
  const host = spec.host;
  if (!host || typeof host.address !== "string" || host.address === "") {
    problems.push({
      property: "host.address",
      reason: "the host to deliver to has no address: set host.address (name or IP)",
    });
  } else {
    // The same rules as every SSH connection of the SDK (sdk/replication/sshTarget.ts).
    const addressProblem = sshHostProblem(host.address);
    if (addressProblem) problems.push({ property: "host.address", reason: addressProblem });
  }
  const userProblem = sshUserProblem(host?.user);
  if (userProblem) problems.push({ property: "host.user", reason: userProblem });
  if (host?.port !== undefined && (!Number.isInteger(host.port) || host.port < 1 || host.port > 65535))
    problems.push({ property: "host.port", reason: `${host.port} is not a TCP port (1-65535)` });
  if (host?.storeDir !== undefined && !host.storeDir.startsWith("/")) {
    problems.push({
      property: "host.storeDir",
      reason: `${JSON.stringify(host.storeDir)} is not an absolute path (default /var/lib/sovereign/secrets)`,
    });
  }
  if (!host?.hostPublicKey) {
    problems.push({
      property: "host.hostPublicKey",
      reason:
        `host ${JSON.stringify(host?.address)} has no known SSH host key, so a secret cannot be encrypted to it nor delivered safely: ` +
        `set host.hostPublicKey to its "ssh-ed25519 AAAA..." line (\`ssh-keyscan -t ed25519 HOST\`, checked out of band, or /etc/ssh/ssh_host_ed25519_key.pub on the host)`,
    });
  } else if (!HOST_KEY.test(host.hostPublicKey.trim())) {
    problems.push({
      property: "host.hostPublicKey",
      reason: `${JSON.stringify(host.hostPublicKey.slice(0, 40))} is not an SSH host public key: give the "ssh-ed25519 AAAA..." (or "ssh-rsa AAAA...") part of the host's key`,
    });
  }
  if (host?.os !== undefined && host.os !== "linux" && host.os !== "nixos") {
    problems.push({
      property: "host.os",
      reason: `must be "linux" or "nixos", not ${JSON.stringify(host.os)}`,
    });
  }
  if (typeof spec.path !== "string" || !spec.path.startsWith("/") || spec.path.includes("\0")) {
    problems.push({
      property: "path",
      reason: `${JSON.stringify(spec.path)} is not an absolute path: e.g. "/run/secrets/forgejo-db-password"`,
    });
  }
  for (const field of ["owner", "group"] as const) {
    const account = spec[field];
    if (account !== undefined && !ACCOUNT.test(account)) {
      problems.push({
        property: field,
        reason: `${JSON.stringify(account)} is not a user/group name (e.g. "forgejo")`,
      });
    }
  }
  if (spec.mode !== undefined && !/^0?[0-7]{3}$/.test(spec.mode)) {
    problems.push({
      property: "mode",
      reason: `${JSON.stringify(spec.mode)} is not an octal file mode: e.g. "0400" (owner may read) or "0440"`,
    });
  } else if (spec.mode !== undefined && (parseInt(spec.mode, 8) & 0o007) !== 0) {
    problems.push({
      property: "mode",
      reason: `mode ${spec.mode} lets every user of the host read the secret: drop the last digit's bits, e.g. "0440"`,
    });
  }
  if (typeof value !== "string" || value === "") {
    problems.push({
      property: "value",
      reason:
        "the secret is empty: give its value (a secret input) or generate one (sdk/secrets randomSecret)",
    });
  } else if (spec.minLength !== undefined && value.length < spec.minLength) {
    // The length of the given value is said, never the value.
    problems.push({
      property: "value",
      reason: `the secret ${JSON.stringify(spec.name)} has ${value.length} characters but its app needs at least ${spec.minLength}: give a longer one or generate it with length >= ${spec.minLength}`,
    });
  }
  return problems;
}

/** Where the encrypted file of a secret is stored on its host. */
export function encryptedPath(spec: Pick<HostSecretSpec, "name" | "host">): string {
  return `${spec.host.storeDir ?? SECRET_STORE}/${spec.name}.age`;
}

/** A word as a single-quoted shell string. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The script the host runs (fed on stdin, so nothing shows in its process list): store the age
 * ciphertext; on plain Linux also decrypt it with the host's own key into `path`, owner and mode set
 * before the file takes its name.
 */
export function deliveryScript(spec: HostSecretSpec, armoredCiphertext: string): string {
  if (!armoredCiphertext.startsWith("-----BEGIN AGE ENCRYPTED FILE-----")) {
    throw new Error("refusing to deliver something that is not age ciphertext");
  }
  const stored = encryptedPath(spec);
  const q = shellQuote;
  const lines = ["set -eu", "umask 077", ...accountChecks(spec)];
  lines.push(
    `mkdir -p ${q(spec.host.storeDir ?? SECRET_STORE)}`,
    `cat > ${q(`${stored}.tmp`)} <<'SOVEREIGN_AGE_EOF'`,
    armoredCiphertext.trimEnd(),
    "SOVEREIGN_AGE_EOF",
    `mv -f ${q(`${stored}.tmp`)} ${q(stored)}`,
  );
  if ((spec.host.os ?? "linux") === "linux") {
    const owner = `${spec.owner ?? "root"}:${spec.group ?? spec.owner ?? "root"}`;
    lines.push(
      `mkdir -p "$(dirname ${q(spec.path)})"`,
      `tmp="$(mktemp ${q(`${spec.path}.XXXXXX`)})"`,
      `trap 'rm -f "$tmp"' EXIT`,
      `age -d -i ${q(spec.host.hostKeyPath ?? DEFAULT_HOST_KEY_PATH)} ${q(stored)} > "$tmp"`,
      `chown ${q(owner)} "$tmp"`,
      `chmod ${q(spec.mode ?? DEFAULT_MODE)} "$tmp"`,
      `mv -f "$tmp" ${q(spec.path)}`,
      "trap - EXIT",
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * On a plain-Linux host, before anything is written: the file's owner and group must exist there
 * (the app's package or recipe makes its system account; the SDK does not invent accounts on a host
 * whose app it did not install). Exits 3 with a message naming the field, the account and the fix.
 */
function accountChecks(spec: HostSecretSpec): string[] {
  if ((spec.host.os ?? "linux") !== "linux") return [];
  const checks: string[] = [];
  const account = (db: "passwd" | "group", name: string, field: string, create: string) =>
    checks.push(
      `if ! getent ${db} ${shellQuote(name)} >/dev/null; then echo ${shellQuote(
        `${field}: the ${db === "passwd" ? "user" : "group"} "${name}" that secret "${spec.name}" is delivered to does not exist on this host: ` +
          `install the app first (its package makes the account) or create it (${create}); ` +
          `for a site's app, ${field} is the catalog entry's systemUser.${field === "owner" ? "user" : "group"}`,
      )} >&2; exit 3; fi`,
    );
  if (spec.owner !== undefined && spec.owner !== "root")
    account(
      "passwd",
      spec.owner,
      "owner",
      `useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${spec.owner}`,
    );
  const group = spec.group ?? spec.owner;
  if (group !== undefined && group !== "root") account("group", group, "group", `groupadd --system ${group}`);
  return checks;
}

/** Removes what delivery put on the host. */
export function removalScript(spec: HostSecretSpec): string {
  const paths = [encryptedPath(spec), ...((spec.host.os ?? "linux") === "linux" ? [spec.path] : [])];
  return `set -eu\nrm -f ${paths.map(shellQuote).join(" ")}\n`;
}

/** `<mode> <owner> <group>` of the delivered file, or "missing" (for refresh). */
export function inspectionScript(spec: HostSecretSpec): string {
  const target = (spec.host.os ?? "linux") === "linux" ? spec.path : encryptedPath(spec);
  return `if [ -e ${shellQuote(target)} ]; then stat -c '%a %U %G' ${shellQuote(target)}; else echo missing; fi\n`;
}

/** The agenix-style declaration of one secret (data for the NixOS renderer; no secret in it). */
export interface AgenixSecret {
  /** The encrypted file, relative to the NixOS configuration. */
  file: string;
  /** Where agenix puts the decrypted file. */
  path: string;
  /** Owner of the decrypted file. */
  owner: string;
  /** Group of the decrypted file. */
  group: string;
  /** Octal mode of the decrypted file. */
  mode: string;
}

/** `age.secrets.<name>` of a NixOS host's configuration, for each secret delivered to it. */
export function agenixDeclarations(specs: readonly HostSecretSpec[]): {
  /** The `age` option of the configuration. */
  age: {
    /** Secret name to its declaration. */
    secrets: Record<string, AgenixSecret>;
  };
} {
  const secrets: Record<string, AgenixSecret> = {};
  for (const spec of specs) {
    secrets[spec.name] = {
      file: encryptedPath(spec),
      path: spec.path,
      owner: spec.owner ?? "root",
      group: spec.group ?? spec.owner ?? "root",
      mode: spec.mode ?? DEFAULT_MODE,
    };
  }
  return { age: { secrets } };
}
