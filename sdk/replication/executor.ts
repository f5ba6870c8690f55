/**
 * Running commands on a host: locally (child_process) or over OpenSSH with the host's key, and
 * streaming one host's `zfs send` into another host's `zfs receive` through this process, counting
 * the bytes. Commands are argv arrays; for SSH they are shell-quoted into one remote command line.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Transform } from "stream";
import { sshConnectionProblems, type HostKeyPolicy } from "./sshTarget";

/** How a command ended: its exit code and output. */
export interface CommandResult {
  /** The exit code (0 = success). */
  readonly code: number;
  /** Standard output, as text. */
  readonly stdout: string;
  /** Standard error, as text. */
  readonly stderr: string;
}

/** A command on a host exited non-zero; carries where, the argv and its output. */
export class CommandError extends Error {
  constructor(
    /** Where it ran, e.g. "local" or "root@127.0.0.1:2222". */
    readonly where: string,
    /** The command and its arguments. */
    readonly argv: readonly string[],
    /** How it ended. */
    readonly result: CommandResult,
  ) {
    super(
      `${where}: '${argv.join(" ")}' exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
    this.name = "CommandError";
  }
}

/** How {@link Executor.run} runs a command. */
export interface RunOptions {
  /** Return the result instead of throwing on a non-zero exit. */
  readonly allowFailure?: boolean;
  /** Text written to the command's standard input. */
  readonly input?: string;
}

/** Runs commands on a machine: locally or over SSH. */
export interface Executor {
  /** e.g. `local` or `root@127.0.0.1:2222`, for messages. */
  readonly description: string;
  /**
   * Runs `argv` (no shell) and returns its result; throws a CommandError on a non-zero exit unless
   * `allowFailure`.
   */
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Starts a command with piped stdio, for streaming. */
  spawn(argv: readonly string[]): ChildProcess;
  /** Releases what the executor holds (temp key files). Idempotent. */
  close(): void;
}

/** Quotes one argument for a POSIX shell. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function collect(child: ChildProcess, where: string, argv: readonly string[], options: RunOptions) {
  return new Promise<CommandResult>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (result.code !== 0 && !options.allowFailure) reject(new CommandError(where, argv, result));
      else resolve(result);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Runs replication commands on this machine. */
export class LocalExecutor implements Executor {
  readonly description = "local";
  /**
   * Runs `argv` on this machine (no shell); throws a CommandError on a non-zero exit unless
   * `allowFailure`.
   */
  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return collect(this.spawn(argv), this.description, argv, options);
  }
  spawn(argv: readonly string[]): ChildProcess {
    return spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  }
  close(): void {}
}

/**
 * One SSH destination. The host key must be known: `hostKey` (pinned) or `knownHostsPath`;
 * `trustOnFirstUse: true` is the explicit, warned-about exception (see sshTarget.ts).
 */
export interface SshConnection extends HostKeyPolicy {
  /** Host name or address. */
  readonly host: string;
  /** SSH port; default 22. */
  readonly port?: number;
  /** The user to log in as; default "root". */
  readonly user?: string;
  /** OpenSSH private key text. Written to a 0600 temp file for the ssh client, removed on close. */
  readonly privateKey?: string;
  /** Path of the private key to log in with; default the SSH client's own. */
  readonly privateKeyPath?: string;
  /** Seconds to wait for the connection; default 15. */
  readonly connectTimeoutSeconds?: number;
  /**
   * Share one SSH connection between this executor's commands (OpenSSH ControlMaster; the socket
   * lives in the executor's own 0700 temp dir, and close() ends the shared connection). Saves a
   * key exchange per command: a migration's write window runs dozens of short commands.
   */
  readonly multiplex?: boolean;
}

/** Key dirs not yet closed; removed at process exit too, so a forgotten close() leaves no key behind. */
const openKeyDirs = new Set<string>();
let exitHookInstalled = false;
function trackKeyDir(dir: string): void {
  openKeyDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const d of openKeyDirs) fs.rmSync(d, { recursive: true, force: true });
  });
}

/** Runs replication commands on a host over SSH, with its host key pinned. */
export class SshExecutor implements Executor {
  readonly description: string;
  private tempDir?: string;
  private readonly baseArgs: string[];

  constructor(
    /** How to reach the host. */
    readonly connection: SshConnection,
  ) {
    // Never build a command line from a destination that ssh could read as an option.
    const problems = sshConnectionProblems("ssh", connection);
    if (problems.length > 0) throw new Error(`refusing to connect over SSH: ${problems.join("; ")}`);
    const user = connection.user ?? "root";
    const port = connection.port ?? 22;
    this.description = `${user}@${connection.host}:${port}`;
    let keyPath = connection.privateKeyPath;
    let knownHosts = connection.knownHostsPath;
    if (
      connection.privateKey !== undefined ||
      connection.multiplex ||
      (connection.hostKey !== undefined && !knownHosts)
    ) {
      this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-ssh-"));
      fs.chmodSync(this.tempDir, 0o700);
      trackKeyDir(this.tempDir);
    }
    if (connection.privateKey !== undefined && this.tempDir) {
      keyPath = path.join(this.tempDir, "id");
      const text = connection.privateKey.endsWith("\n")
        ? connection.privateKey
        : `${connection.privateKey}\n`;
      fs.writeFileSync(keyPath, text, { mode: 0o600 });
    }
    if (connection.hostKey !== undefined && !knownHosts && this.tempDir) {
      knownHosts = path.join(this.tempDir, "known_hosts");
      const hostPattern = port === 22 ? connection.host : `[${connection.host}]:${port}`;
      fs.writeFileSync(knownHosts, `${hostPattern} ${connection.hostKey.trim()}\n`, { mode: 0o600 });
    }
    this.baseArgs = [
      // Only what is given here counts, not ~/.ssh/config of whoever runs the job.
      "-F",
      "/dev/null",
      "-p",
      String(port),
      "-l",
      user,
      "-o",
      "BatchMode=yes",
      "-o",
      `ConnectTimeout=${connection.connectTimeoutSeconds ?? 15}`,
      "-o",
      "ServerAliveInterval=15",
      "-o",
      "LogLevel=ERROR",
      "-o",
      "IdentitiesOnly=yes",
    ];
    if (keyPath) this.baseArgs.push("-i", keyPath);
    if (knownHosts) {
      this.baseArgs.push("-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes");
    } else {
      // Only reachable with trustOnFirstUse: true (checked above). The accepted key is remembered
      // in the user's known_hosts, so a later change is refused.
      this.baseArgs.push("-o", "StrictHostKeyChecking=accept-new");
    }
    if (connection.multiplex && this.tempDir)
      // The first command becomes the master and stays in the background (its stdio detached) for
      // ControlPersist seconds after the last one; commands started at the same moment as the first
      // find no socket yet and connect on their own.
      this.baseArgs.push(
        "-o",
        "ControlMaster=auto",
        "-o",
        `ControlPath=${path.join(this.tempDir, "cm")}`,
        "-o",
        "ControlPersist=20",
      );
  }

  /** `--` ends ssh's options: nothing after it (the host, the command) is read as one. */
  sshArgv(argv: readonly string[]): string[] {
    return ["ssh", ...this.baseArgs, "--", this.connection.host, argv.map(shellQuote).join(" ")];
  }

  /**
   * Runs `argv` on the host over SSH (each argument shell-quoted); throws a CommandError on a non-zero
   * exit unless `allowFailure`.
   */
  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return collect(this.spawn(argv), this.description, argv, options);
  }

  spawn(argv: readonly string[]): ChildProcess {
    const full = this.sshArgv(argv);
    return spawn(full[0], full.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  }

  close(): void {
    if (this.tempDir && this.connection.multiplex && fs.existsSync(path.join(this.tempDir, "cm")))
      spawnSync("ssh", [...this.baseArgs, "-O", "exit", "--", this.connection.host], {
        stdio: "ignore",
        timeout: 5000,
      });
    if (this.tempDir) {
      fs.rmSync(this.tempDir, { recursive: true, force: true });
      openKeyDirs.delete(this.tempDir);
    }
    this.tempDir = undefined;
  }
}

/** How a stream between two executors runs. */
export interface StreamOptions {
  /** Aborting kills both sides of the stream (the receive then fails and discards the partial stream). */
  readonly signal?: AbortSignal;
  /** Called as bytes pass through, with the running total. */
  readonly onProgress?: (bytes: number) => void;
}

/** What a finished stream carried. */
export interface StreamResult {
  /** Bytes that passed through. */
  readonly bytes: number;
}

/** A `zfs send | zfs recv` stream failed or was aborted after `bytes` bytes. */
export class StreamError extends Error {
  constructor(
    message: string,
    /** Bytes that passed before it failed. */
    readonly bytes: number,
    /** Whether it was aborted through the signal (rather than failing). */
    readonly aborted: boolean,
  ) {
    super(message);
    this.name = "StreamError";
  }
}

const PID_LINE = /^sovereign-pid (\d+)\n/;

function withPidReport(argv: readonly string[]): string[] {
  return ["sh", "-c", 'echo "sovereign-pid $$" >&2; exec "$@"', "sh", ...argv];
}

/** Kills a process (by pid, on the executor's host) and waits until it has exited. */
async function killAndWait(executor: Executor, pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const script = `kill ${pid} 2>/dev/null; i=0; while kill -0 ${pid} 2>/dev/null; do i=$((i+1)); [ $i -gt 300 ] && kill -9 ${pid} 2>/dev/null; [ $i -gt 600 ] && exit 1; sleep 0.1; done; exit 0`;
  const result = await executor.run(["sh", "-c", script], { allowFailure: true });
  if (result.code !== 0) throw new Error(`pid ${pid} on ${executor.description} did not exit`);
}

/**
 * Pipes `sendArgv` on `from` into `receiveArgv` on `to` through this process, with backpressure,
 * and counts the bytes. Resolves when both ends exited 0; rejects with both ends' stderr otherwise.
 */
export function streamBetween(
  from: Executor,
  sendArgv: readonly string[],
  to: Executor,
  receiveArgv: readonly string[],
  options: StreamOptions = {},
): Promise<StreamResult> {
  return new Promise<StreamResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new StreamError("stream aborted before it started", 0, true));
      return;
    }
    let bytes = 0;
    let aborted = false;
    // Each side reports its pid first, so an aborted stream can kill the remote processes too (a
    // killed ssh client does not stop them) and wait until they are gone before anyone retries.
    const sender = from.spawn(withPidReport(sendArgv));
    const receiver = to.spawn(withPidReport(receiveArgv));
    const remotePids: [number | undefined, number | undefined] = [undefined, undefined];
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        options.onProgress?.(bytes);
        callback(null, chunk);
      },
    });
    let sendErr = "";
    let recvErr = "";
    const readPid = (text: string, side: 0 | 1): string => {
      const match = PID_LINE.exec(text);
      if (!match || remotePids[side] !== undefined) return text;
      remotePids[side] = Number(match[1]);
      return text.replace(PID_LINE, "");
    };
    sender.stderr?.setEncoding("utf8").on("data", (d: string) => (sendErr = readPid(sendErr + d, 0)));
    receiver.stderr?.setEncoding("utf8").on("data", (d: string) => (recvErr = readPid(recvErr + d, 1)));
    receiver.stdout?.resume();
    // A receiver that exits early closes its stdin: that is reported through its exit code.
    receiver.stdin?.on("error", () => undefined);
    counter.on("error", () => undefined);
    sender.stdout?.pipe(counter).pipe(receiver.stdin!);

    const kill = () => {
      for (const child of [sender, receiver])
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      // A paused pipe would otherwise hold the streams (and the exit events) forever.
      sender.stdout?.unpipe();
      sender.stdout?.destroy();
      receiver.stdin?.destroy();
    };
    const onAbort = () => {
      aborted = true;
      kill();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const exited = (child: ChildProcess, onError: (message: string) => void) =>
      new Promise<number>((done) => {
        child.on("error", (e) => {
          onError(e.message);
          done(127);
        });
        child.on("exit", (code, sig) => done(code ?? (sig ? 128 : 1)));
      });
    const stderrDone = (child: ChildProcess) =>
      new Promise<void>((done) => {
        if (!child.stderr || child.stderr.readableEnded) return done();
        child.stderr.on("close", () => done());
        setTimeout(done, 2000).unref();
      });
    const sendExit = exited(sender, (m) => (sendErr += `\n${m}`));
    const recvExit = exited(receiver, (m) => (recvErr += `\n${m}`));
    // A failed receiver leaves the sender blocked on a full pipe; a failed sender ends the stream,
    // so the receiver sees a short stream and fails on its own (killed later if it does not).
    void recvExit.then((code) => {
      if (code !== 0) kill();
      // A receiver that is done while the sender still writes would leave the sender blocked.
      else if (sender.exitCode === null) setTimeout(kill, 5_000).unref();
    });
    void sendExit.then((code) => {
      if (code !== 0) setTimeout(kill, 30_000).unref();
    });
    void Promise.all([sendExit, recvExit]).then(async ([sendCode, recvCode]) => {
      options.signal?.removeEventListener("abort", onAbort);
      await Promise.all([stderrDone(sender), stderrDone(receiver)]);
      const failed = aborted || sendCode !== 0 || recvCode !== 0;
      let cleanup = "";
      if (failed) {
        // The local ssh clients are gone; make sure the remote zfs processes are too before a retry.
        try {
          await Promise.all([killAndWait(from, remotePids[0]), killAndWait(to, remotePids[1])]);
        } catch (error) {
          cleanup = `; cleanup failed: ${(error as Error).message}`;
        }
      }
      if (aborted) {
        reject(new StreamError(`stream aborted after ${bytes} bytes${cleanup}`, bytes, true));
      } else if (failed) {
        reject(
          new StreamError(
            `zfs stream failed after ${bytes} bytes: ` +
              `send on ${from.description} exited ${sendCode}${sendErr.trim() ? ` (${sendErr.trim()})` : ""}; ` +
              `receive on ${to.description} exited ${recvCode}${recvErr.trim() ? ` (${recvErr.trim()})` : ""}${cleanup}`,
            bytes,
            false,
          ),
        );
      } else {
        resolve({ bytes });
      }
    });
  });
}
