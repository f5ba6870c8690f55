import * as assert from "assert";
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

/** What assertNoPlaintextSecrets reads: an engine test's backend and work dir. */
export interface StoredState {
  readonly engine: { readonly env: Record<string, string>; readonly backendDir: string };
  readonly workDir: string;
}

/**
 * Asserts that no value of `secrets` (what it is -> the value) is in plain text in the backend's
 * files or in `pulumi stack export`; `inState`, a name the state holds, shows the files were read.
 */
export function assertNoPlaintextSecrets(
  t: StoredState,
  inState: string,
  secrets: Record<string, string>,
): void {
  const onDisk = backendFilesText(t.engine.backendDir);
  assert.ok(onDisk.includes(inState), "the state files were found");
  const exported = cliStackExport(t.engine.env, t.workDir);
  for (const [what, value] of Object.entries(secrets)) {
    assert.ok(!onDisk.includes(value), `the ${what} is in plain text in the backend's files`);
    assert.ok(!exported.includes(value), `the ${what} is in \`pulumi stack export\``);
  }
}
