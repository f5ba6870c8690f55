import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type * as StorageModule from "../../../sdk/storage/bucketReplication";

const promiseOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

describe("BucketReplication to a third party's S3 declared with @pulumi/aws (mocks)", function () {
  const created: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
  let mod: typeof StorageModule;
  let aws: typeof import("@pulumi/aws");

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          created.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
          const state: Record<string, unknown> = { ...args.inputs };
          if (args.type === "aws:iam/accessKey:AccessKey") Object.assign(state, { id: "AKIAOFFSITE", secret: "aws-secret-value" });
          if (args.type === "aws:s3/bucket:Bucket") state.region = "eu-west-1";
          return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
      },
      "project",
      "stack",
      false,
    );
    aws = await import("@pulumi/aws");
    mod = await import("../../../sdk/storage/bucketReplication");
  });

  it("renders the rclone job towards the AWS bucket, with its key only in the secret environment", async () => {
    const offsite = new aws.s3.Bucket("offsite", { bucket: "coop-offsite", forceDestroy: false });
    const user = new aws.iam.User("replicator", { name: "coop-replicator" });
    const key = new aws.iam.AccessKey("replicator-key", { user: user.name });
    const repl = new mod.BucketReplication("media-offsite", {
      source: {
        endpoint: "http://127.0.0.1:3900",
        region: "garage",
        bucket: "coop-media",
        accessKeyId: "GK0123456789abcdef01234567",
        secretAccessKey: pulumi.secret("garage-secret"),
      },
      target: {
        endpoint: offsite.region.apply((r) => `https://s3.${r}.amazonaws.com`),
        region: offsite.region,
        bucket: offsite.bucket,
        accessKeyId: key.id,
        secretAccessKey: key.secret,
      },
      host: "web1",
      schedule: "hourly",
    });
    const [service, timer, environment] = await Promise.all([promiseOf(repl.service), promiseOf(repl.timer), promiseOf(repl.environment)]);
    assert.deepStrictEqual(
      created.find((c) => c.type === "aws:s3/bucket:Bucket")?.inputs,
      { bucket: "coop-offsite", forceDestroy: false },
    );
    assert.match(service, /ExecStart=\/usr\/bin\/rclone sync --checksum --fast-list --transfers=16 SRC:coop-media DST:coop-offsite/);
    assert.match(timer, /OnCalendar=hourly/);
    assert.match(environment, /^RCLONE_CONFIG_DST_ENDPOINT=https:\/\/s3\.eu-west-1\.amazonaws\.com$/m);
    assert.match(environment, /^RCLONE_CONFIG_DST_SECRET_ACCESS_KEY=aws-secret-value$/m);
    for (const secret of ["aws-secret-value", "garage-secret"]) assert.ok(!(service + timer).includes(secret), "no credential in the units");
    assert.ok(await pulumi.isSecret(repl.environment), "the environment (credentials) is a secret output");
  });
});
