/**
 * The one-shot bucket sync that migrations use: lists both sides, copies only what differs
 * (syncPlan.ts), several objects at a time, each streamed from the source's GET into the target's
 * PUT (memory stays flat whatever the object sizes), removes what the source lacks, then lists
 * both sides again and fails naming the keys that still differ.
 */
import type { Readable } from "stream";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  compareListings,
  describeDifferences,
  needsSourceEtag,
  ObjectEntry,
  planSync,
  SyncDifference,
  unquote,
} from "./syncPlan";

/** Any S3 endpoint and bucket, with a key that may read (source) or write (target) it. */
export interface S3Location {
  /** e.g. http://127.0.0.1:3900 */
  readonly endpoint: string;
  /** The S3 region. */
  readonly region: string;
  /** The bucket. */
  readonly bucket: string;
  /** The access key id. */
  readonly accessKeyId: string;
  /** The access key's secret. */
  readonly secretAccessKey: string;
  /** Defaults to true (Garage and most self-hosted stores want path-style requests). */
  readonly forcePathStyle?: boolean;
}

/** How {@link syncBuckets} copies. */
export interface SyncOptions {
  /** Objects copied at once; default 16. */
  readonly concurrency?: number;
  /** Remove target objects the source lacks (default true: the target mirrors the source). */
  readonly mirror?: boolean;
}

/** What a bucket sync did. */
export interface SyncReport {
  /** Objects copied. */
  readonly copied: number;
  /** Bytes copied. */
  readonly copiedBytes: number;
  /** Objects removed from the target (mirror mode). */
  readonly removed: number;
  /** Objects already equal on both sides. */
  readonly unchanged: number;
  /** What both sides hold after the sync (verified equal). */
  readonly objects: number;
  /** Bytes both sides hold after the sync. */
  readonly bytes: number;
  /** How long the sync took, in seconds. */
  readonly seconds: number;
}

/** After a bucket sync, the target still differs from the source (the differences are listed). */
export class SyncVerificationError extends Error {
  constructor(
    /** Where the target still differs from the source. */
    readonly differences: readonly SyncDifference[],
  ) {
    super(describeDifferences(differences));
    this.name = "SyncVerificationError";
  }
}

/** Metadata key on each copy: the source object's ETag (see syncPlan.ts). */
export const SOURCE_ETAG_METADATA = "source-etag";
/** A single PUT takes at most 5 GiB. */
const MAX_SINGLE_PUT = 5 * 2 ** 30;

/** An S3 client for `location` (path-style requests unless `forcePathStyle` is false). */
export function s3Client(location: S3Location): S3Client {
  return new S3Client({
    endpoint: location.endpoint,
    region: location.region,
    forcePathStyle: location.forcePathStyle ?? true,
    credentials: { accessKeyId: location.accessKeyId, secretAccessKey: location.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 5,
  });
}

/** Every object of a bucket (key, size, ETag), across pages. */
export async function listObjects(client: S3Client, bucket: string): Promise<ObjectEntry[]> {
  const out: ObjectEntry[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? [])
      out.push({ key: o.Key ?? "", size: o.Size ?? 0, etag: unquote(o.ETag ?? "") });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure stops the rest. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** The target listing, with recorded source ETags fetched where sameness depends on them. */
async function targetListing(
  target: S3Client,
  bucket: string,
  source: readonly ObjectEntry[],
  concurrency: number,
) {
  const listing = await listObjects(target, bucket);
  const heads = new Map<string, string>();
  await inParallel(needsSourceEtag(source, listing), concurrency, async (key) => {
    const head = await target.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const recorded = head.Metadata?.[SOURCE_ETAG_METADATA];
    if (recorded) heads.set(key, recorded);
  });
  return listing.map((o) => (heads.has(o.key) ? { ...o, sourceEtag: heads.get(o.key) } : o));
}

async function copyObject(
  from: S3Client,
  to: S3Client,
  source: S3Location,
  target: S3Location,
  entry: ObjectEntry,
) {
  if (entry.size > MAX_SINGLE_PUT)
    throw new Error(
      `${entry.key} is ${entry.size} bytes; objects over 5 GiB are not synced yet (use rclone for them)`,
    );
  const got = await from.send(
    new GetObjectCommand({ Bucket: source.bucket, Key: entry.key, IfMatch: `"${entry.etag}"` }),
  );
  await to.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: entry.key,
      Body: got.Body as Readable,
      ContentLength: entry.size,
      ContentType: got.ContentType,
      CacheControl: got.CacheControl,
      ContentEncoding: got.ContentEncoding,
      ContentDisposition: got.ContentDisposition,
      Metadata: { ...got.Metadata, [SOURCE_ETAG_METADATA]: entry.etag },
    }),
  );
}

/**
 * Copies a bucket's objects to another S3 bucket (any endpoints), then lists both and throws a
 * SyncVerificationError when they still differ.
 */
export async function syncBuckets(
  source: S3Location,
  target: S3Location,
  options: SyncOptions = {},
): Promise<SyncReport> {
  if (
    source.endpoint.replace(/\/+$/, "") === target.endpoint.replace(/\/+$/, "") &&
    source.bucket === target.bucket
  )
    throw new Error(
      `source and target are the same bucket (${source.bucket} at ${source.endpoint}); sync to another bucket or endpoint`,
    );
  const started = Date.now();
  const concurrency = options.concurrency ?? 16;
  const from = s3Client(source);
  const to = s3Client(target);
  try {
    const sourceObjects = await listObjects(from, source.bucket);
    const plan = planSync(
      sourceObjects,
      await targetListing(to, target.bucket, sourceObjects, concurrency),
      options,
    );
    await inParallel(plan.copy, concurrency, (entry) => copyObject(from, to, source, target, entry));
    for (let i = 0; i < plan.remove.length; i += 1000) {
      const batch = plan.remove.slice(i, i + 1000);
      await to.send(
        new DeleteObjectsCommand({
          Bucket: target.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
    // Verify from fresh listings of both sides: count, sizes and checksums.
    const sourceAfter = await listObjects(from, source.bucket);
    const targetAfter = await targetListing(to, target.bucket, sourceAfter, concurrency);
    const sourceKeys = new Set(sourceAfter.map((o) => o.key));
    const compared =
      options.mirror === false ? targetAfter.filter((t) => sourceKeys.has(t.key)) : targetAfter;
    const differences = compareListings(sourceAfter, compared);
    if (differences.length) throw new SyncVerificationError(differences);
    return {
      copied: plan.copy.length,
      copiedBytes: plan.copyBytes,
      removed: plan.remove.length,
      unchanged: plan.unchanged,
      objects: sourceAfter.length,
      bytes: sourceAfter.reduce((n, o) => n + o.size, 0),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    from.destroy();
    to.destroy();
  }
}
