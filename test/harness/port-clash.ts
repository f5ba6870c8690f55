/**
 * Ports are picked free but bound later by the service; another process can take one in between.
 * A start that failed that way (its error carries the log tail) is retried on fresh ports.
 */
export async function retryOnPortClash<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || !/address already in use/i.test((error as Error).message)) throw error;
    }
  }
}
