import * as fs from "fs";
import { isAlive, sleep } from "./processes";

/**
 * Runs `work` holding a machine-wide lock file (created exclusively, holding our pid). A lock left
 * by a process that died is taken over.
 */
export async function withFileLock<T>(
  lockFile: string,
  work: () => Promise<T>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(fs.readFileSync(lockFile, { encoding: "utf8", flag: "a+" }).trim());
    // An empty file is a lock being written right now, unless it stays empty.
    const stale = holder ? !isAlive(holder) : Date.now() - fs.statSync(lockFile).mtimeMs > 2_000;
    if (stale) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() >= deadline)
      throw new Error(`lock ${lockFile} still held by pid ${holder} after ${timeoutMs} ms`);
    await sleep(50);
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}
