/**
 * Pure input checking and diffing for the Garage providers: what `check` returns (normalised inputs
 * or failures naming the field and the fix) and what `diff` decides.
 */
import * as net from "net";

/** The engine's placeholder for a value not known yet (preview): such fields are not validated. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const isUnknown = (v: unknown): boolean => v === UNKNOWN;

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface ConnectionInputs {
  adminUrl: string;
  adminToken: string;
  /** Who owns what this resource creates: "<project>/<stack>/<resource name>". */
  owner: string;
  adopt: boolean;
}

export interface LocalAlias {
  accessKeyId: string;
  alias: string;
}

export interface WebsiteInputs {
  indexDocument: string;
  errorDocument?: string;
}

export interface Quotas {
  /** Bytes, or null for no limit. */
  maxSize: number | null;
  maxObjects: number | null;
}

export interface CorsRule {
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number | null;
}

export interface BucketInputs extends ConnectionInputs {
  /** Global aliases: the names S3 clients use. The first is the bucket's name. */
  globalAliases: string[];
  localAliases: LocalAlias[];
  /** Fields left out are not managed: adopt keeps Garage's value, refresh does not compare them. */
  website?: WebsiteInputs;
  quotas?: Quotas;
  cors?: CorsRule[];
}

export const PERMISSIONS = ["read", "write", "owner"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface KeyInputs extends ConnectionInputs {
  name: string;
  /** Take over this existing key (with adopt) instead of creating one. */
  accessKeyId: string;
}

export interface PermissionInputs extends ConnectionInputs {
  bucketId: string;
  accessKeyId: string;
  permissions: Permission[];
}

export interface CheckResult<T> {
  inputs: T;
  failures: CheckFailure[];
}

type Raw = Record<string, unknown>;

/**
 * Why `name` is not a valid S3 bucket name (Garage applies the AWS rules), or undefined when it is.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long (it has ${name.length})`;
  const bad = [...name].filter((c) => !/[a-z0-9.-]/.test(c));
  if (bad.length)
    return `may hold only lowercase letters, digits, "." and "-" (not ${[...new Set(bad)].map((c) => JSON.stringify(c)).join(", ")})`;
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "must start and end with a letter or a digit";
  if (name.includes("..")) return 'must not contain two dots in a row ("..")';
  if (net.isIP(name)) return "must not look like an IP address";
  if (name.startsWith("xn--")) return 'must not start with "xn--"';
  if (name.endsWith("-s3alias")) return 'must not end with "-s3alias"';
  return undefined;
}

/** "10GiB", "512 MB", "1000" or 1000 → bytes; undefined when not a size. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/i.exec(value);
  if (!m) return undefined;
  const units: Record<string, number> = {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 2 ** 10,
    mib: 2 ** 20,
    gib: 2 ** 30,
    tib: 2 ** 40,
  };
  const bytes = Number(m[1]) * units[(m[2] ?? "b").toLowerCase()];
  return Number.isSafeInteger(Math.round(bytes)) ? Math.round(bytes) : undefined;
}

function checkConnection(news: Raw, failures: CheckFailure[]): ConnectionInputs {
  const adminUrl = news.adminUrl;
  if (!isUnknown(adminUrl)) {
    let good = false;
    if (typeof adminUrl === "string") {
      try {
        const u = new URL(adminUrl);
        good = (u.protocol === "http:" || u.protocol === "https:") && u.search === "" && u.hash === "";
      } catch {
        good = false;
      }
    }
    if (!good)
      failures.push({
        property: "adminUrl",
        reason: `adminUrl ${JSON.stringify(adminUrl)} is not an http(s) URL; give Garage's admin API address ([admin] api_bind_addr), e.g. "http://127.0.0.1:3903"`,
      });
  }
  const adminToken = news.adminToken;
  if (!isUnknown(adminToken) && (typeof adminToken !== "string" || adminToken === ""))
    failures.push({
      property: "adminToken",
      reason: "adminToken is required: Garage's [admin] admin_token, as a secret (pulumi config set --secret)",
    });
  const owner = news.owner;
  if (!isUnknown(owner) && (typeof owner !== "string" || owner === ""))
    failures.push({ property: "owner", reason: "owner is set by the resource class; do not clear it" });
  return {
    adminUrl: typeof adminUrl === "string" ? adminUrl.replace(/\/+$/, "") : (adminUrl as string),
    adminToken: adminToken as string,
    owner: owner as string,
    adopt: news.adopt === true,
  };
}

function stringList(value: unknown, property: string, failures: CheckFailure[], example: string): string[] {
  if (value === undefined || value === null) return [];
  if (isUnknown(value)) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" && !isUnknown(v))) {
    failures.push({ property, reason: `${property} must be a list of strings, e.g. ${example}` });
    return [];
  }
  return value as string[];
}

function checkQuota(value: unknown, property: string, failures: CheckFailure[], size: boolean): number | null {
  if (value === undefined || value === null || isUnknown(value)) return null;
  const parsed = size
    ? parseSize(value)
    : typeof value === "number" && Number.isSafeInteger(value) && value >= 0
      ? value
      : undefined;
  if (parsed === undefined) {
    failures.push({
      property,
      reason: `${property} ${JSON.stringify(value)} is not ${size ? "a size" : "a number of objects"}: give a whole number ≥ 0${size ? ' of bytes or a size such as "10GiB"' : " such as 10000"}, or leave it out for no limit`,
    });
    return null;
  }
  return parsed;
}

function checkCors(value: unknown, failures: CheckFailure[]): CorsRule[] {
  if (value === undefined || value === null || isUnknown(value)) return [];
  if (!Array.isArray(value)) {
    failures.push({
      property: "cors",
      reason: 'cors must be a list of rules, e.g. [{ allowedOrigins: ["https://app.example"], allowedMethods: ["GET"] }]',
    });
    return [];
  }
  const methods = ["GET", "PUT", "POST", "DELETE", "HEAD"];
  return value.map((raw: unknown, i) => {
    const rule = (typeof raw === "object" && raw !== null ? raw : {}) as Raw;
    const p = `cors[${i}]`;
    const allowedOrigins = stringList(rule.allowedOrigins, `${p}.allowedOrigins`, failures, '["https://app.example"]');
    const allowedMethods = stringList(rule.allowedMethods, `${p}.allowedMethods`, failures, '["GET", "PUT"]').map(
      (m) => m.toUpperCase(),
    );
    if (allowedOrigins.length === 0)
      failures.push({ property: `${p}.allowedOrigins`, reason: `${p}.allowedOrigins must name at least one origin (or "*")` });
    if (allowedMethods.length === 0 || allowedMethods.some((m) => !methods.includes(m)))
      failures.push({
        property: `${p}.allowedMethods`,
        reason: `${p}.allowedMethods must be a non-empty list of ${methods.join(", ")}`,
      });
    const maxAge = rule.maxAgeSeconds;
    if (maxAge !== undefined && maxAge !== null && !(Number.isSafeInteger(maxAge) && (maxAge as number) >= 0))
      failures.push({ property: `${p}.maxAgeSeconds`, reason: `${p}.maxAgeSeconds must be a whole number of seconds ≥ 0` });
    return {
      allowedOrigins,
      allowedMethods,
      allowedHeaders: stringList(rule.allowedHeaders, `${p}.allowedHeaders`, failures, '["*"]'),
      exposeHeaders: stringList(rule.exposeHeaders, `${p}.exposeHeaders`, failures, '["ETag"]'),
      maxAgeSeconds: typeof maxAge === "number" ? maxAge : null,
    };
  });
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

export function checkBucketInputs(news: Raw): CheckResult<BucketInputs> {
  const failures: CheckFailure[] = [];
  const conn = checkConnection(news, failures);
  const globalAliases = stringList(news.globalAliases, "globalAliases", failures, '["coop-media"]');
  globalAliases.forEach((alias, i) => {
    const problem = isUnknown(alias) ? undefined : bucketNameProblem(alias);
    if (problem)
      failures.push({
        property: `globalAliases[${i}]`,
        reason: `bucket name ${JSON.stringify(alias)} ${problem}; S3 bucket names are like "coop-media-2024"`,
      });
  });
  for (const dup of duplicates(globalAliases))
    failures.push({ property: "globalAliases", reason: `alias "${dup}" is listed twice; list each alias once` });

  const localAliases: LocalAlias[] = [];
  const rawLocal = news.localAliases;
  if (Array.isArray(rawLocal)) {
    rawLocal.forEach((raw: unknown, i) => {
      const la = (typeof raw === "object" && raw !== null ? raw : {}) as Raw;
      const alias = la.alias;
      const accessKeyId = la.accessKeyId;
      if (typeof alias !== "string" || (!isUnknown(alias) && bucketNameProblem(alias)))
        failures.push({
          property: `localAliases[${i}].alias`,
          reason: `local alias ${JSON.stringify(alias)} ${typeof alias === "string" ? bucketNameProblem(alias) : "is required"}; it follows the S3 bucket name rules`,
        });
      if (alias === RESERVED_OWNER_ALIAS)
        failures.push({
          property: `localAliases[${i}].alias`,
          reason: `"${RESERVED_OWNER_ALIAS}" is reserved for the owner marker; choose another alias`,
        });
      if (typeof accessKeyId !== "string" || accessKeyId === "")
        failures.push({ property: `localAliases[${i}].accessKeyId`, reason: "the key whose namespace holds the alias is required" });
      localAliases.push({ alias: alias as string, accessKeyId: accessKeyId as string });
    });
  } else if (rawLocal !== undefined && rawLocal !== null && !isUnknown(rawLocal)) {
    failures.push({ property: "localAliases", reason: 'localAliases must be a list of { accessKeyId, alias }' });
  }
  localAliases.sort((a, b) => `${a.accessKeyId}/${a.alias}`.localeCompare(`${b.accessKeyId}/${b.alias}`));
  for (const dup of duplicates(localAliases.map((l) => `${l.accessKeyId}/${l.alias}`)))
    failures.push({ property: "localAliases", reason: `local alias ${dup} is listed twice; list each once` });
  if (globalAliases.length === 0 && localAliases.length === 0 && !isUnknown(news.globalAliases))
    failures.push({
      property: "globalAliases",
      reason: 'a bucket needs a name: give at least one global alias, e.g. globalAliases: ["coop-media"]',
    });

  let website: WebsiteInputs | undefined;
  const rawWebsite = news.website;
  if (rawWebsite !== undefined && rawWebsite !== null && !isUnknown(rawWebsite)) {
    const w = (typeof rawWebsite === "object" ? rawWebsite : {}) as Raw;
    const indexDocument = w.indexDocument ?? "index.html";
    if (typeof indexDocument !== "string" || indexDocument === "" || indexDocument.includes("/"))
      failures.push({
        property: "website.indexDocument",
        reason: 'website.indexDocument must be a file name such as "index.html"',
      });
    if (w.errorDocument !== undefined && typeof w.errorDocument !== "string")
      failures.push({ property: "website.errorDocument", reason: 'website.errorDocument must be a key such as "404.html"' });
    if (globalAliases.length === 0 && !isUnknown(news.globalAliases))
      failures.push({
        property: "website",
        reason:
          "a website is served at the bucket's global alias (<alias>.<root domain>), and this bucket has none: add a global alias or remove website",
      });
    website = {
      indexDocument: indexDocument as string,
      ...(typeof w.errorDocument === "string" ? { errorDocument: w.errorDocument } : {}),
    };
  }

  let quotas: Quotas | undefined;
  if (news.quotas !== undefined && news.quotas !== null && !isUnknown(news.quotas)) {
    if (typeof news.quotas !== "object")
      failures.push({ property: "quotas", reason: 'quotas must be a mapping such as { maxSize: "10GiB", maxObjects: 100000 }' });
    const rawQuotas = (typeof news.quotas === "object" ? news.quotas : {}) as Raw;
    quotas = {
      maxSize: checkQuota(rawQuotas.maxSize, "quotas.maxSize", failures, true),
      maxObjects: checkQuota(rawQuotas.maxObjects, "quotas.maxObjects", failures, false),
    };
  }
  const cors = news.cors === undefined || news.cors === null ? undefined : checkCors(news.cors, failures);
  return {
    inputs: {
      ...conn,
      globalAliases,
      localAliases,
      ...(website ? { website } : {}),
      ...(quotas ? { quotas } : {}),
      ...(cors ? { cors } : {}),
    },
    failures,
  };
}

export function checkKeyInputs(news: Raw): CheckResult<KeyInputs> {
  const failures: CheckFailure[] = [];
  const conn = checkConnection(news, failures);
  const name = news.name;
  if (!isUnknown(name) && (typeof name !== "string" || name.trim() === "" || /[[\]]/.test(name)))
    failures.push({
      property: "name",
      reason: `key name ${JSON.stringify(name)} must be a non-empty text without "[" or "]" (the owner is recorded in brackets after it)`,
    });
  const accessKeyId = news.accessKeyId ?? "";
  if (!isUnknown(accessKeyId) && (typeof accessKeyId !== "string" || (accessKeyId !== "" && !/^GK[0-9a-f]{24}$/.test(accessKeyId))))
    failures.push({
      property: "accessKeyId",
      reason: `accessKeyId ${JSON.stringify(accessKeyId)} is not a Garage key id ("GK" and 24 hex digits); leave it out to create a new key`,
    });
  if (accessKeyId !== "" && !conn.adopt)
    failures.push({
      property: "adopt",
      reason: "taking over an existing key (accessKeyId) needs adopt: true",
    });
  return { inputs: { ...conn, name: name as string, accessKeyId: accessKeyId as string }, failures };
}

export function checkPermissionInputs(news: Raw): CheckResult<PermissionInputs> {
  const failures: CheckFailure[] = [];
  const conn = checkConnection(news, failures);
  for (const field of ["bucketId", "accessKeyId"] as const) {
    const v = news[field];
    if (!isUnknown(v) && (typeof v !== "string" || v === ""))
      failures.push({ property: field, reason: `${field} is required (the ${field === "bucketId" ? "bucket's id" : "key's access key id"})` });
  }
  const raw = stringList(news.permissions, "permissions", failures, '["read", "write"]');
  const unknown = raw.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length)
    failures.push({
      property: "permissions",
      reason: `unknown permission ${unknown.map((p) => JSON.stringify(p)).join(", ")}; use any of ${PERMISSIONS.join(", ")}`,
    });
  if (raw.length === 0 && !isUnknown(news.permissions))
    failures.push({ property: "permissions", reason: 'permissions must grant at least one of read, write, owner (to remove access, delete the resource)' });
  const permissions = PERMISSIONS.filter((p) => raw.includes(p));
  return {
    inputs: {
      ...conn,
      bucketId: news.bucketId as string,
      accessKeyId: news.accessKeyId as string,
      permissions,
    },
    failures,
  };
}

/** The local alias that marks a bucket's owner (in the namespace of the owner's marker key). */
export const RESERVED_OWNER_ALIAS = "sovereign-owner";

export interface DiffResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace?: boolean;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Fields whose change is an update: endpoint spelling and credentials are never replacements. */
function diffFields(olds: Raw, news: Raw, fields: readonly string[], replaceOn: readonly string[]): DiffResult {
  const changed = fields.filter((f) => !same(olds[f], news[f]));
  return { changes: changed.length > 0, replaces: changed.filter((f) => replaceOn.includes(f)) };
}

export const diffBucket = (olds: Raw, news: Raw): DiffResult =>
  diffFields(olds, news, ["adminUrl", "adminToken", "globalAliases", "localAliases", "website", "quotas", "cors"], []);

export const diffKey = (olds: Raw, news: Raw): DiffResult =>
  diffFields(olds, news, ["adminUrl", "adminToken", "name", "accessKeyId"], ["accessKeyId"]);

export function diffPermission(olds: Raw, news: Raw): DiffResult {
  const d = diffFields(olds, news, ["adminUrl", "adminToken", "bucketId", "accessKeyId", "permissions"], ["bucketId", "accessKeyId"]);
  return d.replaces.length ? { ...d, deleteBeforeReplace: false } : d;
}
