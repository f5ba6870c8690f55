import { tailOfLog } from "./logtail";
import { sleep } from "./processes";

export interface HealthWait {
  /** What is awaited, for the error message, e.g. "PowerDNS API on 127.0.0.1:8081". */
  what: string;
  logFile: string;
  /** Resolves true once healthy; throwing or false means "not yet". */
  check: () => Promise<boolean>;
  /** Reports how the process ended if it already did, to fail fast instead of waiting out the timeout. */
  exited?: () => string | undefined;
  timeoutMs?: number;
  intervalMs?: number;
}

/** Polls `check` until it succeeds; on timeout or early exit throws with the tail of the log. */
export async function waitUntilHealthy(wait: HealthWait): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 100 } = wait;
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "";
  for (;;) {
    try {
      if (await wait.check()) return;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    const ended = wait.exited?.();
    const reason = ended
      ? `the process ended (${ended})`
      : Date.now() >= deadline
        ? `not healthy after ${timeoutMs} ms`
        : undefined;
    if (reason) {
      const last = lastProblem ? `\nlast check: ${lastProblem}` : "";
      throw new Error(
        `${wait.what}: ${reason}${last}\n--- tail of ${wait.logFile} ---\n${tailOfLog(wait.logFile)}`,
      );
    }
    await sleep(intervalMs);
  }
}
