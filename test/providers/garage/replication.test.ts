/**
 * Bucket replication between two real Garage instances ("two datacenters"): the one-shot verified
 * sync, and the rendered continuous job run as rclone would run it on a host.
 */
import * as assert from "assert";
import { createHash } from "crypto";
import { execFile } from "child_process";
import { promisify } from "util";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { startGarage, useService } from "../../harness";
import type { GarageService } from "../../harness/types";
import { listObjects, S3Location, syncBuckets } from "../../../sdk/storage/s3Sync";
import { renderReplicationJob, replicationEnvironment } from "../../../sdk/storage/replicationJob";
import { adminFor, adminKey, location, putText, s3Client } from "./helpers";

const run = promisify(execFile);

async function makeBucket(service: GarageService, name: string): Promise<S3Location> {
  const bucket = await adminFor(service).createBucket({ globalAlias: name });
  return location(service, name, await adminKey(service, bucket.id));
}

/** key → md5 of the content, read back over S3 (not the ETags the sync compared). */
async function contentChecksums(loc: S3Location): Promise<Record<string, string>> {
  const s3 = s3Client(loc);
  try {
    const out: Record<string, string> = {};
    for (const o of await listObjects(s3, loc.bucket)) {
      const got = await s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: o.key }));
      out[o.key] = createHash("md5").update(await got.Body!.transformToByteArray()).digest("hex");
    }
    return out;
  } finally {
    s3.destroy();
  }
}

async function multipartUpload(s3: S3Client, bucket: string, key: string, parts: Buffer[]): Promise<void> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const done = [];
  for (const [i, body] of parts.entries()) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }));
    done.push({ ETag, PartNumber: i + 1 });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: done } }));
}

describe("bucket replication between two real Garage instances", function () {
  this.timeout(600_000);
  const dc1 = useService(() => startGarage({ zone: "dc1" }));
  const dc2 = useService(() => startGarage({ zone: "dc2" }));

  it("the one-shot sync copies only differences, in parallel, and ends with identical objects and checksums", async () => {
    const source = await makeBucket(dc1(), "media");
    const target = await makeBucket(dc2(), "media");
    const s3 = s3Client(source);
    for (let i = 0; i < 60; i++) await putText(s3, "media", `small/${i}.txt`, `object ${i} `.repeat(i + 1));
    await putText(s3, "media", "big/a.bin", Buffer.alloc(6 << 20, 7));
    await multipartUpload(s3, "media", "big/multipart.bin", [Buffer.alloc(5 << 20, 1), Buffer.alloc(1 << 20, 2)]);

    const first = await syncBuckets(source, target, { concurrency: 8 });
    assert.deepStrictEqual([first.copied, first.removed, first.objects], [62, 0, 62]);
    assert.deepStrictEqual(await contentChecksums(target), await contentChecksums(source));

    const second = await syncBuckets(source, target);
    assert.deepStrictEqual([second.copied, second.copiedBytes, second.removed, second.unchanged], [0, 0, 0, 62]);

    await putText(s3, "media", "small/3.txt", "changed");
    await putText(s3, "media", "small/new.txt", "new");
    await s3.send(new DeleteObjectCommand({ Bucket: "media", Key: "small/4.txt" }));
    const third = await syncBuckets(source, target);
    assert.deepStrictEqual([third.copied, third.copiedBytes, third.removed], [2, "changed".length + "new".length, 1]);
    assert.deepStrictEqual(await contentChecksums(target), await contentChecksums(source));
    s3.destroy();

    await assert.rejects(syncBuckets(source, { ...source }), /source and target are the same bucket \(media at .*\); sync to another bucket or endpoint/);
  });

  it("the rendered continuous job (rclone sync) replicates the same way", async () => {
    const source = await makeBucket(dc1(), "docs");
    const target = await makeBucket(dc2(), "docs-copy");
    const s3 = s3Client(source);
    for (let i = 0; i < 20; i++) await putText(s3, "docs", `doc-${i}.md`, `# doc ${i}\n`);
    s3.destroy();
    const spec = {
      name: "docs",
      source: { endpoint: source.endpoint, region: source.region, bucket: "docs" },
      target: { endpoint: target.endpoint, region: target.region, bucket: "docs-copy" },
    };
    const job = renderReplicationJob(spec, "rclone");
    const env = replicationEnvironment(spec, { source, target });
    const [command, ...args] = job.command;
    await run(command, [...args, "--config", "/dev/null"], { env: { ...process.env, ...env } });
    assert.deepStrictEqual(await contentChecksums(target), await contentChecksums(source));
    // Our verifier agrees: nothing left to copy.
    const after = await syncBuckets(source, target);
    assert.strictEqual(after.copied, 0);
  });
});
