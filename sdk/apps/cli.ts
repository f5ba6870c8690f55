/**
 * `npm run catalog -- [--site stacks/Pulumi.<site>.yaml] [--mermaid FILE] [--readme]`: prints the
 * catalog as a Markdown table, writes the site's Mermaid diagram (default
 * stacks/<site>-site.mmd), and with --readme refreshes the README's generated block.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseSiteConfig } from "../config/siteConfig";
import { catalogTable, readmeCatalogBlock, siteDiagram, withCatalogBlock } from "./report";

function main(argv: string[]): void {
  const root = path.resolve(__dirname, "../../..");
  const arg = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const siteFile = path.resolve(root, arg("--site") ?? "stacks/Pulumi.local.yaml");
  const doc = parse(fs.readFileSync(siteFile, "utf8")) as { config?: Record<string, unknown> };
  const site = parseSiteConfig(doc.config?.["sovereign:site"]);
  process.stdout.write(catalogTable() + "\n");
  const mermaidFile = path.resolve(root, arg("--mermaid") ?? `stacks/${site.name}-site.mmd`);
  fs.mkdirSync(path.dirname(mermaidFile), { recursive: true });
  fs.writeFileSync(mermaidFile, siteDiagram(site) + "\n");
  process.stderr.write(
    `[sovereign] wrote the Mermaid diagram of site "${site.name}" to ${path.relative(root, mermaidFile)}\n`,
  );
  if (argv.includes("--readme")) {
    const readme = path.join(root, "README.md");
    fs.writeFileSync(readme, withCatalogBlock(fs.readFileSync(readme, "utf8"), readmeCatalogBlock(site)));
    process.stderr.write("[sovereign] refreshed the catalog block in README.md\n");
  }
}

main(process.argv.slice(2));
