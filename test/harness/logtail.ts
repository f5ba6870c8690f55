import * as fs from "fs";

/** The last `lines` lines of a log file, or a note saying why there are none. */
export function tailOfLog(logFile: string, lines = 30): string {
  let text: string;
  try {
    text = fs.readFileSync(logFile, "utf8");
  } catch (error) {
    return `(no log at ${logFile}: ${(error as Error).message})`;
  }
  const tail = text.trimEnd().split("\n").slice(-lines).join("\n");
  return tail || `(log ${logFile} is empty)`;
}
