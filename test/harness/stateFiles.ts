import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/*
 * What a user finds on disk and in `pulumi stack export`: where tests look for secrets in plain text.
 */

/** Every file under a dir, concatenated (the local backend's state, history and backups). */
export function backendFilesText(dir: string): string {
  let out = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    out += fs.readFileSync(file, "latin1");
  }
  return out;
}

/** `pulumi stack export` as a user runs it (secrets stay encrypted; Automation API's export shows them). */
export function cliStackExport(env: Record<string, string>, workDir: string, stackName = "test"): string {
  return execFileSync("pulumi", ["stack", "export", "--stack", stackName], {
    cwd: workDir,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
}
