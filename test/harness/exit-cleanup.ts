import { isAlive, processStartTime } from "./processes";

/*
 * Services are detached so that the CLI can leave them running. A test process that dies without
 * its `after` hooks (an uncaught error, process.exit, SIGTERM) would leave them behind for good;
 * so, unless told to keep them, this process SIGTERMs the services it started and did not stop
 * when it exits.
 */

const started = new Map<number, string | undefined>();
let keepOnExit = false;
let hooked = false;

function terminateLeftovers(): void {
  if (keepOnExit) return;
  for (const [pid, startTime] of started) {
    if (isAlive(pid) && processStartTime(pid) === startTime) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
  }
}

/** Marks a pid to be terminated when this process exits (see above). */
export function terminateOnExit(pid: number): void {
  started.set(pid, processStartTime(pid));
  if (!hooked) {
    process.once("exit", terminateLeftovers);
    // A signal that ends the process (CI's time limit, `kill`) skips "exit": stop them first.
    // SIGINT is left to mocha, which ends the run and exits normally.
    for (const [signal, code] of [
      ["SIGTERM", 143],
      ["SIGHUP", 129],
    ] as const)
      process.once(signal, () => {
        terminateLeftovers();
        process.exit(code);
      });
    hooked = true;
  }
}

/** For the CLI: the services it starts must outlive it. */
export function keepServicesOnExit(): void {
  keepOnExit = true;
}
