import { registerSharedService } from "./shared";
import * as fs from "fs";
import * as path from "path";
import { runCommand } from "./commands";
import { waitUntilHealthy } from "./health";
import { idempotent, startOrClean, stopAndRemove } from "./lifecycle";
import { retryOnPortClash } from "./port-clash";
import { freePort } from "./ports";
import { spawnDetached } from "./spawn";
import { makeServiceDir } from "./tempdir";
import type { SshdService } from "./types";

const SSHD = "/usr/sbin/sshd";
/** sshd refuses to start without its privilege-separation dir. */
const PRIVSEP_DIR = "/run/sshd";

export interface SshdOptions {
  timeoutMs?: number;
  /** Loopback address to listen on (a datacenter's own, see datacenter.ts); default 127.0.0.1. */
  address?: string;
  /**
   * Give root's sessions a home of their own (in the service dir) instead of this machine's
   * /root, as a separate machine would have. bash, started by sshd, reads ~/.bashrc even for
   * `ssh host cmd`, and a developer's shell set-up there (pyenv init on this machine: about 90
   * processes, 0.1 s) would run before every command: a datacenter host's migration sends dozens.
   * Default false (this machine's own root, whose tools and caches some tests install through it).
   */
  ownHome?: boolean;
}

export interface SshdServiceWithArgs extends SshdService {
  /** ssh arguments that reach this server non-interactively: `ssh ...sshArgs root@127.0.0.1 CMD`. */
  readonly sshArgs: string[];
}

async function generateKey(file: string, comment: string): Promise<void> {
  await runCommand("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file]);
}

function sshdConfig(
  dir: string,
  address: string,
  port: number,
  hostKey: string,
  authorizedKeys: string,
  home?: string,
): string {
  return [
    `Port ${port}`,
    `ListenAddress ${address}`,
    `HostKey ${hostKey}`,
    `PidFile ${path.join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    // The key files live in a temp dir that StrictModes would reject.
    "StrictModes no",
    "Subsystem sftp internal-sftp",
    ...(home ? [`SetEnv HOME=${home}`] : []),
    "LogLevel VERBOSE",
    "",
  ].join("\n");
}

/** Starts a private sshd on 127.0.0.1 that lets root in with a freshly generated ed25519 key only. */
export function startSshd(options: SshdOptions = {}): Promise<SshdServiceWithArgs> {
  return retryOnPortClash(() => startSshdOnce(options));
}

async function startSshdOnce(options: SshdOptions = {}): Promise<SshdServiceWithArgs> {
  const dir = makeServiceDir("sshd");
  const address = options.address ?? "127.0.0.1";
  const logFile = path.join(dir, "sshd.log");
  const pids: number[] = [];
  const stop = idempotent(() => stopAndRemove({ pids, dir }));

  return startOrClean(async () => {
    fs.mkdirSync(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
    const hostKey = path.join(dir, "ssh_host_ed25519_key");
    const privateKeyPath = path.join(dir, "client_ed25519");
    await generateKey(hostKey, "sovereign-test-host");
    await generateKey(privateKeyPath, "sovereign-test-client");
    const authorizedKeys = path.join(dir, "authorized_keys");
    fs.copyFileSync(`${privateKeyPath}.pub`, authorizedKeys);

    const home = options.ownHome ? path.join(dir, "home") : undefined;
    if (home) fs.mkdirSync(home, { mode: 0o700 });
    const port = await freePort();
    const configFile = path.join(dir, "sshd_config");
    fs.writeFileSync(configFile, sshdConfig(dir, address, port, hostKey, authorizedKeys, home));
    const knownHostsPath = path.join(dir, "known_hosts");
    const hostPublicKey = fs.readFileSync(`${hostKey}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
    fs.writeFileSync(knownHostsPath, `[${address}]:${port} ${hostPublicKey}\n`);

    await runCommand(SSHD, ["-t", "-f", configFile]);
    const server = spawnDetached({ command: SSHD, args: ["-D", "-e", "-f", configFile], cwd: dir, logFile });
    pids.push(server.pid);

    const user = "root";
    const sshArgs = [
      "-F",
      "/dev/null",
      "-i",
      privateKeyPath,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      `UserKnownHostsFile=${knownHostsPath}`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=5",
      "-p",
      String(port),
    ];
    await waitUntilHealthy({
      what: `sshd on ${address}:${port} (ssh ${user}@${address} true)`,
      logFile,
      exited: server.exitDescription,
      timeoutMs: options.timeoutMs,
      check: async () => {
        await runCommand("ssh", [...sshArgs, "--", `${user}@${address}`, "true"], { timeoutMs: 10_000 });
        return true;
      },
    });

    const service: SshdServiceWithArgs = {
      name: "sshd",
      dir,
      logFile,
      pids,
      host: address,
      port,
      user,
      privateKey: fs.readFileSync(privateKeyPath, "utf8"),
      privateKeyPath,
      knownHostsPath,
      sshArgs,
      stop,
    };
    return service;
  }, stop);
}

declare module "./shared" {
  interface SharedServices {
    sshd: SshdServiceWithArgs;
  }
}
registerSharedService("sshd", () => startSshd());
