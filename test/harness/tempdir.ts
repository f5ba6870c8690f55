import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** A fresh private working dir for one service, e.g. /tmp/sovereign-powerdns-XXXXXX. */
export function makeServiceDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sovereign-${name}-`));
}

/** Removes a service dir; a dir that is already gone is fine. */
export function removeServiceDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
