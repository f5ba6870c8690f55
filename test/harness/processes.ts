import * as fs from "fs";

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces), from "state" on. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

const isZombie = (pid: number): boolean => statFields(pid)?.[0] === "Z";

/**
 * When the process started (clock ticks since boot): with the pid it names one process for good,
 * so a recorded pid that the OS has since reused for another process is never signalled.
 */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** Whether the pid is a live process (a zombie waiting to be reaped counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

export interface StopOptions {
  /** The polite signal; postgres wants SIGINT (fast shutdown) rather than SIGTERM (waits for clients). */
  signal?: NodeJS.Signals;
  /** How long to wait after the polite signal before SIGKILL. */
  timeoutMs?: number;
}

/** Stops a pid: the polite signal, a wait, then SIGKILL. Resolves once the process is gone. */
export async function stopPid(pid: number, options: StopOptions = {}): Promise<void> {
  const { signal = "SIGTERM", timeoutMs = 10_000 } = options;
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  if (await waitForExit(pid, timeoutMs)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  if (!(await waitForExit(pid, 5_000))) throw new Error(`pid ${pid} is still alive after SIGKILL`);
}
