import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GarageAdmin } from "../../../providers/garage/api";
import { launchGarage } from "../../harness/garage";
import { stopPid } from "../../harness/processes";
import type { GarageService } from "../../harness/types";
import { listObjects, s3Client, type S3Location } from "../../../sdk/storage/s3Sync";

export function adminFor(service: GarageService): GarageAdmin {
  return new GarageAdmin({ adminUrl: service.adminUrl, adminToken: service.adminToken });
}

export function location(service: GarageService, bucket: string, key: { accessKeyId: string; secretAccessKey: string }): S3Location {
  return { endpoint: service.s3Endpoint, region: service.region, bucket, ...key };
}

/** A key with read, write and owner on the bucket, made through the admin API (test set-up only). */
export async function adminKey(service: GarageService, bucketId: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const admin = adminFor(service);
  const key = await admin.createKey(`test key ${bucketId.slice(0, 8)}`);
  await admin.allow(bucketId, key.accessKeyId, { read: true, write: true, owner: true });
  return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey ?? "" };
}

export async function putText(s3: S3Client, bucket: string, key: string, body: string | Buffer): Promise<void> {
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
      await s3.send(new DeleteObjectsCommand({ Bucket: loc.bucket, Delete: { Objects: keys.slice(i, i + 1000), Quiet: true } }));
  } finally {
    s3.destroy();
  }
}

/** Stops the harness's Garage (by its pid), keeping its data. */
export async function stopGarage(service: GarageService): Promise<void> {
  const pid = service.pids.pop();
  if (pid !== undefined) await stopPid(pid);
}

/** Starts Garage again on the same config, data and ports. */
export const restartGarage = (service: GarageService): Promise<void> => launchGarage(service);

export { s3Client };
