/**
 * A lock on a host, held for the length of a replication run, so that the systemd timer's run and
 * a `pulumi up` run of jobs on the same source dataset never interleave (one pruning what the other
 * is about to send from). It is `flock(1)` on the host, held by a command that lives as long as
 * its stdin is open: closing the connection (normally, or because this process died) releases it,
 * so a crash leaves no stale lock.
 */
import type { Executor } from "./executor";

/** Another replication run holds the job's lock on the host for longer than the wait allowed. */
export class LockTimeoutError extends Error {
  constructor(
    /** The lock file on the host. */
    readonly lockFile: string,
    /** The host, e.g. "root@127.0.0.1:2222". */
    readonly where: string,
    waitedSeconds: number,
  ) {
    super(
      `another replication run holds ${lockFile} on ${where} (waited ${waitedSeconds} s): ` +
        "a scheduled run or another `pulumi up` of a job on the same source dataset is still running; " +
        "wait for it to finish and run again",
    );
    this.name = "LockTimeoutError";
  }
}

/** The lock file of a source dataset on its host. */
export function lockFileFor(dataset: string): string {
  return `/run/lock/sovereign-zfs-${dataset.replace(/[^A-Za-z0-9_.-]/g, "_")}.lock`;
}

const LOCKED = "sovereign-locked";

/**
 * Runs `work` while holding the lock for `dataset` on `executor`'s host, waiting up to
 * `timeoutSeconds` for it. The lock is released when `work` settles.
 */
export async function withHostLock<T>(
  executor: Executor,
  dataset: string,
  timeoutSeconds: number,
  work: () => Promise<T>,
): Promise<T> {
  const file = lockFileFor(dataset);
  const script =
    `mkdir -p /run/lock && exec flock -w ${Math.floor(timeoutSeconds)} ${file} ` +
    `sh -c 'echo ${LOCKED}; exec cat >/dev/null'`;
  const holder = executor.spawn(["sh", "-c", script]);
  const exited = new Promise<number>((resolve) => {
    holder.on("error", () => resolve(127));
    holder.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  let stderr = "";
  holder.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const acquired = await new Promise<boolean>((resolve) => {
    let stdout = "";
    holder.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (stdout.includes(LOCKED)) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  if (!acquired) {
    const code = await exited;
    if (code === 1 && stderr.trim() === "")
      throw new LockTimeoutError(file, executor.description, timeoutSeconds);
    throw new Error(
      `could not take the lock ${file} on ${executor.description} (exit ${code}): ${stderr.trim()}`,
    );
  }
  try {
    return await work();
  } finally {
    holder.stdin?.end();
    await exited;
  }
}
