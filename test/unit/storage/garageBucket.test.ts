import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { promiseOf, type CreatedResource } from "../../support/mocks";
import { publishedRecords } from "../../support/mockResources";
import type * as SiteModule from "../../../sdk/site/site";
import type * as ConfigModule from "../../../sdk/config";

describe("a site's storage section: GarageBucket per bucket, website published in the zone (mocks)", function () {
  const created: CreatedResource[] = [];
  let site: typeof SiteModule;
  let config: typeof ConfigModule;

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          created.push({
            type: args.type,
            name: args.name,
            inputs: args.inputs as Record<string, unknown>,
          });
          const state: Record<string, unknown> = { ...args.inputs };
          if (args.type.endsWith(":Bucket"))
            Object.assign(state, {
              bucketId: "b-id",
              bucketName: (args.inputs.globalAliases as string[])[0],
            });
          if (args.type.endsWith(":AccessKey"))
            Object.assign(state, { keyId: "GK0123456789abcdef01234567", secretAccessKey: "s3cr3t" });
          return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
      },
      "project",
      "stack",
      false,
    );
    site = await import("../../../sdk/site/site");
    config = await import("../../../sdk/config");
  });

  it("declares bucket, key and permission; the website's host is a global alias and a CNAME to Garage's web host", async () => {
    const parsed = config.parseSiteConfig({
      name: "coop",
      domain: "coop.example",
      datacenter: "home",
      dns: { endpoint: "http://127.0.0.1:8081" },
      hosts: [{ name: "web1", address: "192.0.2.10" }],
      storage: {
        buckets: [{ name: "coop-files", quotas: { maxSize: "1GiB" }, website: { subdomain: "files" } }],
      },
    });
    const s = new site.Site("coop", {
      config: parsed,
      dns: { apiUrl: "http://127.0.0.1:8081" },
      garage: {
        adminUrl: "http://127.0.0.1:3903",
        s3Endpoint: "http://127.0.0.1:3900",
        region: "garage",
        webHost: "web.garage.coop.example.",
      },
    });
    const bucket = s.storage?.buckets["coop-files"];
    assert.ok(bucket);
    assert.strictEqual(await promiseOf(bucket.accessKeyId), "GK0123456789abcdef01234567");
    assert.ok(await pulumi.isSecret(bucket.secretAccessKey));
    const byType = (suffix: string) => created.filter((c) => c.type.endsWith(suffix));
    const b = byType(":Bucket")[0];
    assert.deepStrictEqual(b.inputs.globalAliases, ["coop-files", "files.coop.example"]);
    assert.deepStrictEqual(b.inputs.website, { indexDocument: "index.html" });
    assert.deepStrictEqual(b.inputs.quotas, { maxSize: 2 ** 30 });
    assert.strictEqual(b.inputs.owner, "project/stack/coop-coop-files-bucket");
    assert.deepStrictEqual(byType(":BucketPermission")[0].inputs.permissions, ["read", "write"]);
    // The site's zone holds its record sets in one record collection, registered once all are published.
    await promiseOf(s.zone.recordSet("files", "CNAME")!.resource.urn);
    const cname = publishedRecords(created)["files.coop.example. CNAME"];
    assert.deepStrictEqual(cname, ["web.garage.coop.example."]);
  });
});
