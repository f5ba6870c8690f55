/**
 * `npm run gen:site-schema`: writes stacks/site.schema.json from the site config's zod schema
 * (sdk/config/schema.ts), so editors complete and check `stacks/Pulumi.<site>.yaml` (each stack
 * file names it in its first line, `# yaml-language-server: $schema=./site.schema.json`). A unit
 * test fails when the committed file is not what this writes.
 */
import * as fs from "fs";
import * as path from "path";
import { stackFileJsonSchema } from "../sdk/config/schema";

/** Where the generated schema lives, beside the stack files. */
export const SITE_SCHEMA_FILE = "stacks/site.schema.json";

/** The file's exact text. */
export function siteSchemaText(): string {
  return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  const repoRoot = path.resolve(__dirname, "../..");
  const file = path.join(repoRoot, SITE_SCHEMA_FILE);
  fs.writeFileSync(file, siteSchemaText());
  console.log(`wrote ${SITE_SCHEMA_FILE}`);
}
