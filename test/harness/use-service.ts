import type { RunningService } from "./types";

export interface UseServiceOptions {
  /** Mocha timeout for starting (and stopping) the service; start-ups like initdb take seconds. */
  timeoutMs?: number;
}

/**
 * Starts a real service in mocha's `before` and stops it in `after`; returns a getter for the
 * running service. Call it inside a `describe`. A service that cannot start fails the suite's
 * `before all` hook with the service's own error (and log tail): tests never skip silently.
 */
export function useService<T extends RunningService>(
  start: () => Promise<T>,
  options: UseServiceOptions = {},
): () => T {
  const { timeoutMs = 120_000 } = options;
  let service: T | undefined;
  let startError: Error | undefined;

  before(async function () {
    this.timeout(timeoutMs);
    try {
      service = await start();
    } catch (error) {
      startError = error as Error;
      throw new Error(`a real service needed by these tests failed to start: ${startError.message}`);
    }
  });

  after(async function () {
    this.timeout(timeoutMs);
    await service?.stop();
  });

  return () => {
    if (service) return service;
    throw new Error(
      startError
        ? `the service failed to start: ${startError.message}`
        : "the service is not running: call the getter inside a test or hook, after useService's before()",
    );
  };
}
