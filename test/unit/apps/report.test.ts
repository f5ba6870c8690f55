import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { appIds, catalogTable, readmeCatalogBlock, refusedCatalog, siteDiagram } from "../../../sdk/apps";
import { parseSiteConfig } from "../../../sdk/config";
import { repoRoot } from "../../harness/repo";

const demoSite = () => {
  const doc = parse(fs.readFileSync(path.join(repoRoot(), "stacks", "Pulumi.local.yaml"), "utf8"));
  return parseSiteConfig(doc.config["sovereign:site"]);
};

describe("npm run catalog", () => {
  it("prints one table row per catalog app and per refused app, with licence, SWOT counts and strategies", () => {
    const rows = catalogTable().split("\n").slice(2);
    assert.strictEqual(rows.length, appIds.length + refusedCatalog().length);
    const matrix = rows.find((r) => r.startsWith("| `matrix`"));
    assert.strictEqual(
      matrix,
      "| `matrix` Matrix (Synapse) | AGPL-3.0-only | no | 2/2/2/2, 1 severe | database synapse: streaming replication; /var/lib/matrix-synapse: stop-then-rsync; bucket media: S3 copy |",
    );
    assert.ok(rows.some((r) => r.startsWith("| `gitlab` GitLab (refused) | — | **yes** |")));
  });

  it("draws the demo site's hosts, apps and the services each app uses", () => {
    const site = demoSite();
    const diagram = siteDiagram(site);
    for (const host of site.hosts) assert.ok(diagram.includes(`subgraph host_${host.name}[`), host.name);
    for (const app of site.apps) assert.ok(diagram.includes(`  zone -->|${app.subdomain}| app_${app.name}`));
    assert.ok(diagram.includes("app_nextcloud -.->|object storage| app_garage"));
  });

  it("the README and stacks/local-site.mmd show the current output for the demo site", () => {
    const site = demoSite();
    const readme = fs.readFileSync(path.join(repoRoot(), "README.md"), "utf8");
    assert.ok(
      readme.includes(readmeCatalogBlock(site)),
      "README is stale: run `npm run catalog -- --readme`",
    );
    const mmd = fs.readFileSync(path.join(repoRoot(), "stacks", "local-site.mmd"), "utf8");
    assert.strictEqual(
      mmd,
      siteDiagram(site) + "\n",
      "stacks/local-site.mmd is stale: run `npm run catalog`",
    );
  });
});
