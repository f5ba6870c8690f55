/**
 * A bucket's managed fields as Garage reports them, and the UpdateBucket body that brings them to
 * the inputs (pure; shared by GarageBucketResource and GarageBucketCollection).
 */
import type { UpdateBucketBody } from "./api";
import type { BucketInfo } from "./client";
import type { CorsRule, Quotas, WebsiteInputs } from "./validate";

/** The managed fields as Garage reports them. */
export function bucketState(info: BucketInfo, markerKeyId?: string) {
  const website: WebsiteInputs | undefined = info.websiteAccess
    ? {
        indexDocument: info.websiteConfig?.indexDocument ?? "index.html",
        ...(info.websiteConfig?.errorDocument ? { errorDocument: info.websiteConfig.errorDocument } : {}),
      }
    : undefined;
  const quotas: Quotas = { maxSize: info.quotas.maxSize ?? null, maxObjects: info.quotas.maxObjects ?? null };
  // Garage's CORS rules are its S3 XML structure in JSON (values are plain strings).
  const strings = (v: unknown[] | undefined): string[] => (v ?? []).map(String);
  const cors: CorsRule[] = (info.corsRules ?? []).map((r) => ({
    allowedOrigins: strings(r.AllowedOrigin),
    allowedMethods: strings(r.AllowedMethod),
    allowedHeaders: strings(r.AllowedHeader),
    exposeHeaders: strings(r.ExposeHeader),
    maxAgeSeconds: r.MaxAgeSeconds ?? null,
  }));
  const localAliases = info.keys
    .filter((k) => k.accessKeyId !== markerKeyId)
    .flatMap((k) => k.bucketLocalAliases.map((alias) => ({ accessKeyId: k.accessKeyId, alias })))
    .sort((a, b) => `${a.accessKeyId}/${a.alias}`.localeCompare(`${b.accessKeyId}/${b.alias}`));
  return { globalAliases: [...info.globalAliases].sort(), localAliases, website, quotas, cors };
}

export type BucketState = ReturnType<typeof bucketState>;

/** The fields of a bucket's settings that a resource may manage. */
export interface BucketSettings {
  website?: WebsiteInputs;
  quotas?: Quotas;
  cors?: CorsRule[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const NO_QUOTAS: Quotas = { maxSize: null, maxObjects: null };

/**
 * The UpdateBucket body that brings `now` to the inputs, or undefined when nothing differs. Fields
 * the inputs leave out are kept as Garage has them, unless `olds` managed them (then they go back
 * to Garage's default: no website, no quotas, no CORS).
 */
export function settingsUpdate(
  i: BucketSettings,
  now: Pick<BucketState, "website" | "quotas" | "cors">,
  olds?: BucketSettings,
): UpdateBucketBody | undefined {
  const body: UpdateBucketBody = {};
  const website = i.website ?? (olds?.website ? undefined : now.website);
  if (!same(website, now.website))
    body.websiteAccess = website
      ? { enabled: true, indexDocument: website.indexDocument, errorDocument: website.errorDocument ?? null }
      : { enabled: false };
  const quotas = i.quotas ?? (olds?.quotas ? NO_QUOTAS : now.quotas);
  if (!same(quotas, now.quotas)) body.quotas = quotas;
  const cors = i.cors ?? (olds?.cors ? [] : now.cors);
  if (!same(cors, now.cors))
    body.corsRules = cors.map((r) => ({
      AllowedOrigin: r.allowedOrigins,
      AllowedMethod: r.allowedMethods,
      AllowedHeader: r.allowedHeaders,
      ExposeHeader: r.exposeHeaders,
      ...(r.maxAgeSeconds === null ? {} : { MaxAgeSeconds: r.maxAgeSeconds }),
    }));
  return Object.keys(body).length ? body : undefined;
}
