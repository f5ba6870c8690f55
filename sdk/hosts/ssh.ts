/**
 * How the SDK reaches a machine over SSH: the target is validated (no option injection through a
 * host or user that starts with "-"), and the host key must be known — pinned or from a
 * known_hosts file — unless the caller explicitly opts into trust-on-first-use.
 */
import * as net from "net";
import { SshConnection } from "../replication/executor";

export interface SshTarget {
  /** Host name or address. */
  readonly host: string;
  readonly port?: number;
  readonly user?: string;
  /** The host's public key (`ssh-ed25519 AAAA...`), pinned. */
  readonly hostKey?: string;
  /** Or a known_hosts file that lists it. */
  readonly knownHostsPath?: string;
  /** Accept whatever key the host shows the first time. Off unless set; say why when you set it. */
  readonly trustOnFirstUse?: boolean;
}

const HOST_NAME = /^(?!-)[A-Za-z0-9.-]{1,253}$/;
const USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;
const KEY_LINE =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;

/** Problems with an SSH target, as (field, message) pairs; empty when it is usable. */
export function sshTargetProblems(target: SshTarget, field: string): [string, string][] {
  const problems: [string, string][] = [];
  if (typeof target.host !== "string" || !(net.isIP(target.host) || HOST_NAME.test(target.host))) {
    problems.push([
      `${field}.host`,
      `${JSON.stringify(target.host)} is not a host name or IP address (and may not start with "-")`,
    ]);
  }
  if (target.user !== undefined && !USER.test(target.user)) {
    problems.push([
      `${field}.user`,
      `${JSON.stringify(target.user)} is not a user name (letters, digits, _ . -; not starting with "-")`,
    ]);
  }
  if (
    target.port !== undefined &&
    (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
  ) {
    problems.push([`${field}.port`, `${target.port} is not a TCP port (1-65535)`]);
  }
  if (target.hostKey !== undefined && !KEY_LINE.test(target.hostKey.trim())) {
    problems.push([
      `${field}.hostKey`,
      `must be a public key line such as "ssh-ed25519 AAAAC3Nza..." (from ssh-keyscan or /etc/ssh/ssh_host_ed25519_key.pub)`,
    ]);
  }
  if (
    target.hostKey === undefined &&
    target.knownHostsPath === undefined &&
    target.trustOnFirstUse !== true
  ) {
    problems.push([
      `${field}.hostKey`,
      "is required: pin the host's key (ssh-keyscan -t ed25519 HOST) or give knownHostsPath; set trustOnFirstUse: true only if you accept any key on first contact",
    ]);
  }
  return problems;
}

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
