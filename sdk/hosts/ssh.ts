/**
 * How the SDK reaches a machine over SSH: the target is validated (no option injection through a
 * host or user that starts with "-"), and the host key must be known — pinned or from a
 * known_hosts file — unless the caller explicitly opts into trust-on-first-use.
 */
import { SshConnection } from "../replication/executor";
import { hostKeyProblem, sshHostProblem, sshUserProblem } from "../replication/sshTarget";

/** How to reach a host over SSH. */
export interface SshTarget {
  /** Host name or address. */
  readonly host: string;
  /** The SSH port; default 22. */
  readonly port?: number;
  /** The user to log in as; default "root". */
  readonly user?: string;
  /** The host's public key (`ssh-ed25519 AAAA...`), pinned. */
  readonly hostKey?: string;
  /** Or a known_hosts file that lists it. */
  readonly knownHostsPath?: string;
  /** Accept whatever key the host shows the first time. Off unless set; say why when you set it. */
  readonly trustOnFirstUse?: boolean;
}

/** Problems with an SSH target, as (field, message) pairs; empty when it is usable. The rules are the replication's (sdk/replication/sshTarget.ts). */
export function sshTargetProblems(target: SshTarget, field: string): [string, string][] {
  const problems: [string, string][] = [];
  const host = sshHostProblem(target.host);
  if (host) problems.push([`${field}.host`, host]);
  const user = sshUserProblem(target.user);
  if (user) problems.push([`${field}.user`, user]);
  if (
    target.port !== undefined &&
    (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
  ) {
    problems.push([`${field}.port`, `${target.port} is not a TCP port (1-65535)`]);
  }
  const key = hostKeyProblem({
    ...target,
    hostKey: target.hostKey === undefined ? undefined : keyMaterial(target.hostKey),
  });
  if (key)
    problems.push([
      `${field}.${target.knownHostsPath !== undefined && target.hostKey === undefined ? "knownHostsPath" : "hostKey"}`,
      key,
    ]);
  return problems;
}

/** An SSH target that cannot be used (no host key to pin, a host that reads as an option, ...); lists each field. */
export class SshTargetError extends Error {
  constructor(problems: [string, string][]) {
    super(`SSH target is not usable; please fix:\n${problems.map(([f, m]) => `  - ${f}: ${m}`).join("\n")}`);
    this.name = "SshTargetError";
  }
}

/** The executor connection for a validated target; throws SshTargetError otherwise. */
export function sshConnection(
  target: SshTarget,
  privateKey: string | undefined,
  field = "ssh",
): SshConnection {
  const problems = sshTargetProblems(target, field);
  if (problems.length > 0) throw new SshTargetError(problems);
  return {
    host: target.host,
    port: target.port,
    user: target.user ?? "root",
    privateKey,
    hostKey: target.hostKey?.trim(),
    knownHostsPath: target.knownHostsPath,
  };
}

/** The `ssh-keytype base64` part of a key line, for comparing keys regardless of comments. */
export function keyMaterial(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(" ");
}
