import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import type { LocalWorkspace, PulumiFn } from "@pulumi/pulumi/automation";
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GarageAdmin } from "../../../providers/garage/api";
import { launchGarage } from "../../harness/garage";
import { stopPid } from "../../harness/processes";
import type { GarageService } from "../../harness/types";
import { createTestStack, type TestStack } from "../../harness/workspace";
import { DEFAULT_ADMIN_TOKEN_CONFIG } from "../../../providers/garage/validate";
import { listObjects, s3Client, type S3Location } from "../../../sdk/storage/s3Sync";

export function adminFor(service: GarageService): GarageAdmin {
  return new GarageAdmin({ adminUrl: service.adminUrl, adminToken: service.adminToken });
}

export function location(
  service: GarageService,
  bucket: string,
  key: { accessKeyId: string; secretAccessKey: string },
): S3Location {
  return { endpoint: service.s3Endpoint, region: service.region, bucket, ...key };
}

/** A key with read, write and owner on the bucket, made through the admin API (test set-up only). */
export async function adminKey(
  service: GarageService,
  bucketId: string,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const admin = adminFor(service);
  const key = await admin.createKey(`test key ${bucketId.slice(0, 8)}`);
  await admin.allow(bucketId, key.accessKeyId, { read: true, write: true, owner: true });
  return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey ?? "" };
}

export async function putText(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Buffer,
): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await got.Body?.transformToString()) ?? "";
}

/** Deletes every object (Garage deletes only empty buckets). */
export async function emptyBucket(loc: S3Location): Promise<void> {
  const s3 = s3Client(loc);
  try {
    const keys = (await listObjects(s3, loc.bucket)).map((o) => ({ Key: o.key }));
    for (let i = 0; i < keys.length; i += 1000)
      await s3.send(
        new DeleteObjectsCommand({
          Bucket: loc.bucket,
          Delete: { Objects: keys.slice(i, i + 1000), Quiet: true },
        }),
      );
  } finally {
    s3.destroy();
  }
}

/** Stops the harness's Garage (by its pid), keeping its data. */
export async function stopGarage(service: GarageService, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  const pid = service.pids.pop();
  if (pid !== undefined) await stopPid(pid, { signal });
}

/** Starts Garage again on the same config, data and ports. */
export const restartGarage = (service: GarageService): Promise<void> => launchGarage(service);

export { s3Client };

/** GET with a given Host header (fetch drops it): how a browser reaches a Garage website. */
export function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Host: host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

/** A test stack whose config holds Garage's admin token (a secret), where the providers read it. */
export async function garageStack(
  name: string,
  service: GarageService,
  program: PulumiFn,
): Promise<TestStack> {
  const t = await createTestStack(name, program);
  await t.stack.setConfig(DEFAULT_ADMIN_TOKEN_CONFIG, { value: service.adminToken, secret: true });
  return t;
}

/**
 * Runs `work` with the stack's provider processes logging their Garage requests (see
 * providers/shared/requestLog.ts); returns the operations, e.g. "GET ListBucketsInfo", sorted.
 */
export async function garageRequests(t: TestStack, work: () => Promise<unknown>): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "garage-requests-"));
  const file = path.join(dir, "requests.log");
  const env = (t.stack.workspace as LocalWorkspace).envVars;
  env.SOVEREIGN_GARAGE_REQUEST_LOG = file;
  try {
    await work();
    const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    return lines.map((l) => l.replace(/ \/v2\//, " ")).sort();
  } finally {
    delete env.SOVEREIGN_GARAGE_REQUEST_LOG;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
