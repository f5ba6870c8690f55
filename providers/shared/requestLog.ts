/**
 * Counting what a provider process sends, from outside it: when the environment variable named by
 * the caller (e.g. SOVEREIGN_GARAGE_REQUEST_LOG) holds a file path, one "METHOD path" line per
 * request attempt is appended there. The engine runs providers in processes of their own, so the
 * benchmarks and tests read this file rather than an in-process counter. Best effort: logging
 * never fails a request.
 */
import { appendFileSync } from "fs";

export function logRequest(envVar: string, method: string, path: string): void {
  const file = process.env[envVar];
  if (!file) return;
  try {
    appendFileSync(file, `${method} ${path}\n`);
  } catch {
    // counting is best effort
  }
}
