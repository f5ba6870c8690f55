import * as assert from "assert";
import { checkReplication, renderReplicationJob, replicationEnvironment, ReplicationSpec } from "../../../sdk/storage/replicationJob";
import { parseSiteConfig } from "../../../sdk/config";

const spec: ReplicationSpec = {
  name: "media",
  source: { endpoint: "http://127.0.0.1:3900", region: "garage", bucket: "media" },
  target: { endpoint: "https://s3.backup.example", region: "eu-1", bucket: "media-copy" },
};

describe("bucket replication job", () => {
  it("refuses a target URL without a scheme, and replicating a bucket onto itself", () => {
    assert.deepStrictEqual(checkReplication({ ...spec, target: { ...spec.target, endpoint: "s3.backup.example" } }), [
      { field: "target.endpoint", message: '"s3.backup.example" has no scheme; write the full URL, e.g. "https://s3.backup.example"' },
    ]);
    const self = checkReplication({ ...spec, target: { ...spec.source, endpoint: "http://localhost:3900/" } });
    assert.strictEqual(self.length, 1);
    assert.match(`${self[0].field}: ${self[0].message}`, /^target: is the source bucket itself \(media at http:\/\/127\.0\.0\.1:3900\); replicate to another bucket/);
    assert.deepStrictEqual(checkReplication(spec), []);
  });

  it("renders an rclone sync on a timer that holds no credentials", () => {
    const job = renderReplicationJob({ ...spec, schedule: "hourly" });
    assert.strictEqual(job.unitName, "sovereign-replicate-media");
    assert.match(job.service, /^ExecStart=\/usr\/bin\/rclone sync --checksum --fast-list --transfers=16 SRC:media DST:media-copy$/m);
    assert.match(job.service, /^EnvironmentFile=\/run\/secrets\/sovereign-replicate-media\.env$/m);
    assert.match(job.timer, /^OnCalendar=hourly$/m);
    const env = replicationEnvironment(spec, {
      source: { accessKeyId: "GKs", secretAccessKey: "s3cr3t-source" },
      target: { accessKeyId: "AKt", secretAccessKey: "s3cr3t-target" },
    });
    assert.strictEqual(env.RCLONE_CONFIG_DST_ENDPOINT, "https://s3.backup.example");
    assert.strictEqual(env.RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY, "s3cr3t-source");
    assert.ok(!(job.service + job.timer).includes("s3cr3t"));
  });
});

describe("site config: storage", () => {
  const site = (storage: unknown) => ({
    name: "local",
    domain: "coop.example",
    datacenter: "home",
    dns: { endpoint: "local" },
    hosts: [{ name: "web1", address: "192.0.2.10" }],
    storage,
  });

  it("parses buckets with quotas, website and replication", () => {
    const config = parseSiteConfig(
      site({
        buckets: [
          { name: "coop-media", quotas: { maxSize: "1GiB", maxObjects: 10 }, website: { subdomain: "files" } },
          { name: "backups", replicateTo: { endpoint: "https://s3.other.example", bucket: "coop-backups", region: "eu" } },
        ],
      }),
    );
    assert.deepStrictEqual(config.storage?.buckets[0], {
      name: "coop-media",
      quotas: { maxSize: 2 ** 30, maxObjects: 10 },
      website: { subdomain: "files", indexDocument: "index.html" },
    });
    assert.strictEqual(config.storage?.garage, "local");
  });

  it("reports every bad bucket at once, naming the field and the fix", () => {
    assert.throws(
      () =>
        parseSiteConfig(
          site({
            garage: { adminUrl: "http://127.0.0.1:3903", s3Endpoint: "http://127.0.0.1:3900", region: "garage" },
            buckets: [
              { name: "Bad_Bucket" },
              { name: "media", quotas: { maxSize: -1, maxObjects: "x" } },
              { name: "media" },
              { name: "same", replicateTo: { endpoint: "http://127.0.0.1:3900", bucket: "same", region: "garage" } },
              { name: "noscheme", replicateTo: { endpoint: "s3.other.example", region: "eu" } },
            ],
          }),
        ),
      (e: Error) => {
        const lines = e.message.split("\n").slice(1).map((l) => l.trim());
        assert.deepStrictEqual(lines, [
          '- site.storage.buckets[0].name: bucket name "Bad_Bucket" may hold only lowercase letters, digits, "." and "-" (not "B", "_"); S3 bucket names are like "coop-media"',
          '- site.storage.buckets[1].quotas.maxSize: -1 is not a size: give bytes ≥ 0 or a size such as "10GiB"',
          '- site.storage.buckets[1].quotas.maxObjects: "x" must be a whole number ≥ 0, such as 100000',
          "- site.storage.buckets[3].replicateTo: is the source bucket itself (same at http://127.0.0.1:3900); replicate to another bucket or another endpoint",
          '- site.storage.buckets[4].replicateTo.endpoint: "s3.other.example" has no scheme; write the full URL, e.g. "https://s3.other.example"',
          '- site.storage.buckets: bucket name "media" is declared twice (a global alias names one bucket); rename one',
        ]);
        return true;
      },
    );
  });
});
