/**
 * A PlainHost service run as a supervised process, for hosts where systemd is not running (a
 * container, the local site's machine): Debian's start-stop-daemon starts it in the background
 * with a pid file under /run/sovereign/plainhost, its output to a log file, and stops it by that
 * pid file (TERM, then KILL). "Ready" is a command run on the host until it succeeds, so no port
 * needs to be reachable from the machine that runs Pulumi.
 */
import type { SshExecutor } from "../../sdk/replication/executor";
import { toolErrorLines } from "./remote";

/** A long-running process the plain host runs as its own service (restarted when its definition changes). */
export interface PlainProcess {
  /** Absolute path of the program. */
  readonly command: string;
  /** Arguments passed to the program, one per entry (no shell quoting is applied). */
  readonly args: readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  /** Run as "user" or "user:group"; default the SSH user. */
  readonly user?: string;
  /** Absolute file for its output; default /var/log/sovereign/<service>.log. */
  readonly log?: string;
  /** Run on the host until it exits 0 (e.g. a request to the health URL): the service is ready. */
  readonly ready?: readonly string[];
  /** How long start plus ready may take, seconds (default 120). */
  readonly timeoutSeconds?: number;
}

const ABSOLUTE = /^\/[^\0\n]*$/;

/** (field, reason) pairs for check. */
export function processProblems(p: PlainProcess): [string, string][] {
  const out: [string, string][] = [];
  for (const field of ["command", "cwd"] as const)
    if (typeof p[field] !== "string" || !ABSOLUTE.test(p[field]))
      out.push([field, `${JSON.stringify(p[field])} must be an absolute path`]);
  if (p.log !== undefined && !ABSOLUTE.test(p.log))
    out.push(["log", `${JSON.stringify(p.log)} must be an absolute path`]);
  if (p.user !== undefined && !/^[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?$/.test(p.user))
    out.push(["user", `"${p.user}" must be "user" or "user:group"`]);
  if (p.ready !== undefined && p.ready.length === 0)
    out.push(["ready", "must be a command (program and arguments), or left out"]);
  if (p.timeoutSeconds !== undefined && (!Number.isInteger(p.timeoutSeconds) || p.timeoutSeconds < 1))
    out.push(["timeoutSeconds", `${p.timeoutSeconds} must be a whole number of seconds >= 1`]);
  return out;
}

export const pidFile = (service: string) => `/run/sovereign/plainhost/${service}.pid`;
const logFile = (service: string, p: PlainProcess) => p.log ?? `/var/log/sovereign/${service}.log`;

export async function processRunning(ex: SshExecutor, service: string): Promise<boolean> {
  const r = await ex.run(["start-stop-daemon", "--status", "--pidfile", pidFile(service)], {
    allowFailure: true,
  });
  return r.code === 0;
}

export async function stopProcess(ex: SshExecutor, service: string): Promise<void> {
  const r = await ex.run(
    [
      "start-stop-daemon",
      "--stop",
      "--pidfile",
      pidFile(service),
      "--remove-pidfile",
      "--retry",
      "TERM/30/KILL/5",
      "--oknodo",
    ],
    { allowFailure: true },
  );
  if (r.code !== 0)
    throw new Error(
      `stopping ${service} failed on ${ex.description} (exit ${r.code}):\n${toolErrorLines(r)}`,
    );
}

// $1 pid file, $2 deadline (epoch seconds), then the ready command.
const WAIT_READY = `pid="$1"; deadline="$2"; shift 2
while :; do
  if "$@" >/dev/null 2>&1; then exit 0; fi
  start-stop-daemon --status --pidfile "$pid" || exit 3
  [ "$(date +%s)" -ge "$deadline" ] && exit 4
  sleep 0.5
done`;

export async function startProcess(ex: SshExecutor, service: string, p: PlainProcess): Promise<void> {
  const log = logFile(service, p);
  await ex.run(["mkdir", "-p", "--", "/run/sovereign/plainhost", log.replace(/\/[^/]*$/, "") || "/"]);
  const start = await ex.run(
    [
      "start-stop-daemon",
      "--start",
      "--background",
      "--make-pidfile",
      "--pidfile",
      pidFile(service),
      "--chdir",
      p.cwd,
      ...(p.user ? ["--chuid", p.user] : []),
      "--output",
      log,
      "--startas",
      p.command,
      "--",
      ...p.args,
    ],
    { allowFailure: true },
  );
  if (start.code !== 0)
    throw new Error(
      `starting ${service} failed on ${ex.description} (exit ${start.code}):\n${toolErrorLines(start)}`,
    );
  if (!p.ready) return;
  const deadline = Math.floor(Date.now() / 1000) + (p.timeoutSeconds ?? 120);
  const wait = await ex.run(["sh", "-c", WAIT_READY, "sh", pidFile(service), String(deadline), ...p.ready], {
    allowFailure: true,
  });
  if (wait.code === 0) return;
  const tail = await ex.run(["tail", "-n", "20", "--", log], { allowFailure: true });
  if (wait.code === 4) await stopProcess(ex, service);
  throw new Error(
    `${service} on ${ex.description} ${wait.code === 3 ? "exited while starting" : `was not ready within ${p.timeoutSeconds ?? 120} s (stopped again)`}; ${log} ends:\n${tail.stdout.trim() || "(empty)"}`,
  );
}
