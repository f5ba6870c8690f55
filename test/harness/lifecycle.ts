import { stopPid } from "./processes";
import { removeServiceDir } from "./tempdir";

export interface OwnedProcesses {
  pids: readonly number[];
  dir: string;
  /** Polite signal for these processes (default SIGTERM). */
  signal?: NodeJS.Signals;
  /** Keep the dir (a persistent service home: its data outlives the processes). */
  keepDir?: boolean;
}

/** Stops the pids (in reverse start order) and removes the service's dir. */
export async function stopAndRemove(owned: OwnedProcesses): Promise<void> {
  for (const pid of [...owned.pids].reverse()) await stopPid(pid, { signal: owned.signal });
  if (!owned.keepDir) removeServiceDir(owned.dir);
}

/** Makes a stop function idempotent: the first call does the work, later calls await the same result. */
export function idempotent(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= stop());
}

/**
 * Runs `start` and, if it throws, cleans up what was already made before rethrowing, so that a
 * failed start leaves no process or dir behind.
 */
export async function startOrClean<T>(start: () => Promise<T>, cleanup: () => Promise<void>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
}
