/**
 * What makes an SSH destination safe to hand to OpenSSH: a host name and user that cannot be read
 * as an option (`-oProxyCommand=...`) or split into several words, and a host key that is known
 * before the first connection. Pure checks, shared by the job validation, the executor (which
 * refuses to build a command line from anything these reject) and the component.
 */

/** How a host's key is checked: pinned (a key line or a known_hosts file), or trust on first use. */
export interface HostKeyPolicy {
  /** A host public key line (`ssh-ed25519 AAAA...`), pinned. */
  readonly hostKey?: string;
  /** A known_hosts file that holds the host's key. */
  readonly knownHostsPath?: string;
  /**
   * Accept whatever key the host shows the first time (OpenSSH `accept-new`). Unsafe: a
   * man-in-the-middle on the first connection is trusted for good. Explicit opt-in only.
   */
  readonly trustOnFirstUse?: boolean;
}

// Control characters and every kind of whitespace (including Unicode spaces).
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\s\u0000-\u001f\u007f-\u009f]/u;
const USER_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;
const HOST_KEY_RE =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/]+={0,3}$/;

/** Why `host` cannot be an SSH destination, or undefined when it can. */
export function sshHostProblem(host: unknown): string | undefined {
  if (typeof host !== "string" || host === "") return "is required (a host name or IP address)";
  if (host.startsWith("-"))
    return `${JSON.stringify(host)} starts with "-": ssh would read it as an option; give a host name or IP address`;
  if (UNSAFE_CHARS.test(host))
    return `${JSON.stringify(host)} contains whitespace or control characters; give a host name or IP address`;
  if (/[@/\\'"`$;|&<>(){}]/.test(host))
    return `${JSON.stringify(host)} is not a host name or IP address (set the user in "user", the port in "port")`;
  return undefined;
}

/** Why `user` cannot be an SSH login name, or undefined when it can (undefined means root). */
export function sshUserProblem(user: unknown): string | undefined {
  if (user === undefined) return undefined;
  if (typeof user !== "string" || !USER_RE.test(user)) {
    return `${JSON.stringify(user)} is not a login name (letters, digits, "_", ".", "-", not starting with "-")`;
  }
  return undefined;
}

/** Why the host key settings are not enough to connect safely, or undefined when they are. */
export function hostKeyProblem(policy: HostKeyPolicy): string | undefined {
  if (policy.hostKey !== undefined) {
    const line = policy.hostKey.trim();
    if (!HOST_KEY_RE.test(line))
      return `hostKey must be one public key line such as "ssh-ed25519 AAAAC3Nz..." (the host's /etc/ssh/ssh_host_ed25519_key.pub without the comment)`;
    return undefined;
  }
  if (policy.knownHostsPath !== undefined) {
    if (policy.knownHostsPath === "" || UNSAFE_CHARS.test(policy.knownHostsPath))
      return `knownHostsPath ${JSON.stringify(policy.knownHostsPath)} is not a file path`;
    return undefined;
  }
  if (policy.trustOnFirstUse === true) return undefined;
  return (
    "needs the host's key: set hostKey (e.g. the output of `ssh-keyscan -t ed25519 HOST`, without the host name) " +
    "or knownHostsPath; only if you cannot, set trustOnFirstUse: true (the first key seen is trusted)"
  );
}

/** Every problem with one SSH destination, each prefixed with its field under `field`. */
export function sshConnectionProblems(
  field: string,
  connection: { host?: unknown; user?: unknown } & HostKeyPolicy,
): string[] {
  const problems: string[] = [];
  const host = sshHostProblem(connection.host);
  if (host) problems.push(`${field}.host ${host}`);
  const user = sshUserProblem(connection.user);
  if (user) problems.push(`${field}.user ${user}`);
  const key = hostKeyProblem(connection);
  if (key) problems.push(`${field} ${key}`);
  return problems;
}

/** The warning that a trust-on-first-use connection gets at preview. */
export function trustOnFirstUseWarning(what: string, host: string): string {
  return (
    `${what}: the SSH host key of ${host} is not pinned (trustOnFirstUse: true); the first key seen ` +
    "will be trusted. Pin it with hostKey or knownHostsPath."
  );
}
