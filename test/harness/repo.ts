import * as fs from "fs";
import * as path from "path";

/** The repository root, found from this file whether it runs from sources or from bin/. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no Pulumi.yaml above ${__dirname}: is this the sovereign repo?`);
    dir = parent;
  }
  return dir;
}
