import { sharedService, type SharedServiceName, type SharedServices } from "./shared";
import type { RunningService } from "./types";

export interface UseServiceOptions {
  /** Mocha timeout for starting (and stopping) the service; start-ups like initdb take seconds. */
  timeoutMs?: number;
  /** Shared services only: a second independent instance of the same type (e.g. "dc2"). */
  instance?: string;
}

/**
 * Gives the tests of a `describe` a running real service; returns a getter for it. Two forms:
 *
 * - `useService("powerdns")`: the run's shared instance (see shared.ts), started on first use by
 *   any suite and stopped when the mocha run ends. The default for tests that do not change the
 *   server's global state.
 * - `useService(() => startPowerDns(...))`: a private instance, started in `before` and stopped
 *   in `after`, for tests that need isolation (they stop, reconfigure or wipe the server).
 *
 * A service that cannot start fails the suite's `before all` hook with the service's own error
 * (and log tail): tests never skip silently.
 */
export function useService<K extends SharedServiceName>(
  name: K,
  options?: UseServiceOptions,
): () => SharedServices[K];
export function useService<T extends RunningService>(
  start: () => Promise<T>,
  options?: UseServiceOptions,
): () => T;
export function useService(
  startOrName: string | (() => Promise<RunningService>),
  options: UseServiceOptions = {},
): () => RunningService {
  const { timeoutMs = 120_000 } = options;
  const shared = typeof startOrName === "string";
  let service: RunningService | undefined;
  let startError: Error | undefined;

  before(async function () {
    this.timeout(timeoutMs);
    try {
      service = shared
        ? await sharedService(startOrName as SharedServiceName, options.instance)
        : await (startOrName as () => Promise<RunningService>)();
    } catch (error) {
      startError = error as Error;
      throw new Error(`a real service needed by these tests failed to start: ${startError.message}`);
    }
  });

  // A shared instance outlives this suite: the root hook stops it at the end of the run.
  if (!shared) {
    after(async function () {
      this.timeout(timeoutMs);
      await service?.stop();
    });
  }

  return () => {
    if (service) return service;
    throw new Error(
      startError
        ? `the service failed to start: ${startError.message}`
        : "the service is not running: call the getter inside a test or hook, after useService's before()",
    );
  };
}
