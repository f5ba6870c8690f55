/**
 * `npm run backup -- <stack> <file> [--since <archive>] [--age-recipient <r>] [--age-identity <f>]`
 * `npm run restore -- <file> --as <new-stack> [--datacenter <dc>] [--age-identity <f>]`
 * Both work on the repo's site project (Pulumi.yaml, stacks/) with the backend and passphrase of
 * the environment (scripts/backup.sh sets the engine up as the other scripts do).
 */
import * as path from "path";
import { parseArgs } from "util";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { backupSite } from "./backup";
import { restoreSite } from "./restore";
import { SiteStacks } from "./siteStack";

const USAGE = [
  "usage: npm run backup -- <stack> <file> [--since <previous archive>] [--age-recipient <age1...>] [--age-identity <file>]",
  "       npm run restore -- <file> --as <new-stack> [--datacenter <name>] [--age-identity <file>]",
].join("\n");

async function main(argv: string[]): Promise<void> {
  const [mode, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      since: { type: "string" },
      "age-recipient": { type: "string" },
      "age-identity": { type: "string" },
      as: { type: "string" },
      datacenter: { type: "string" },
    },
  });
  const log = (line: string) => console.log(line);
  const stacks = async () =>
    new SiteStacks(await LocalWorkspace.create({ workDir: path.resolve(__dirname, "../../..") }));
  if (mode === "backup") {
    const [stack, file] = positionals;
    if (!stack || !file || positionals.length > 2) throw new Error(`backup needs <stack> <file>\n${USAGE}`);
    await backupSite(await stacks(), {
      stack,
      file,
      since: values.since,
      ageRecipient: values["age-recipient"],
      ageIdentity: values["age-identity"],
      log,
    });
  } else if (mode === "restore") {
    const [file] = positionals;
    if (!file || positionals.length > 1 || !values.as)
      throw new Error(`restore needs <file> and --as <new-stack>\n${USAGE}`);
    await restoreSite(await stacks(), {
      file,
      as: values.as,
      datacenter: values.datacenter,
      ageIdentity: values["age-identity"],
      log,
    });
  } else throw new Error(USAGE);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
