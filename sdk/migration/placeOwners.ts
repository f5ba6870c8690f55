/**
 * Owner markers on the places a migration makes at a datacenter (providers/shared/ownership.ts):
 * a database carries `COMMENT ON DATABASE ... IS 'sovereign-owner:<owner>'`, a bucket the Garage
 * provider's marker (a permissionless key named after the owner holding the bucket's reserved
 * local alias, providers/garage/owner.ts). Making a place continues only the same owner's work and
 * refuses one someone else (or no one) holds; retiring removes only what the owner still holds.
 */
import { GarageAdmin } from "../../providers/garage/api";
import { bucketOwner, describeOwner, markerKeyName } from "../../providers/garage/owner";
import { RESERVED_OWNER_ALIAS } from "../../providers/garage/validate";
import { encodeOwner, parseOwner } from "../../providers/shared/ownership";
import {
  databaseSettings,
  dropDatabase,
  ident,
  literal,
  psql,
  type PostgresConnection,
} from "../replication/postgresCopy";
import { createDatabaseSql, databaseSpecMismatch, type DatabaseSpec } from "../replication/databaseSpec";
import { databaseObjectCount } from "../replication/databaseContents";

/** Whose the database is: `undefined` absent, `null` present without a marker. */
export async function databaseOwner(c: PostgresConnection): Promise<string | null | undefined> {
  const row = await psql(
    c,
    `SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = ${literal(c.database)}`,
    "postgres",
  );
  if (row === "") return undefined;
  return parseOwner(row.trim()) ?? null;
}

/**
 * Creates the database with the owner's marker, made as `spec` asks (the app's collation, ctype
 * and encoding, whatever the cluster's default), or continues the owner's own. The owner's own
 * database made with other settings (by an earlier version) is made again while it is empty, and
 * refused, naming the difference, once it holds objects.
 */
export async function claimDatabase(
  c: PostgresConnection,
  owner: string,
  where: string,
  spec: DatabaseSpec = {},
): Promise<void> {
  const current = await databaseOwner(c);
  if (current === owner) {
    const settings = await databaseSettings(c);
    const mismatch = settings && databaseSpecMismatch(spec, settings);
    if (!mismatch) return;
    if ((await databaseObjectCount(c)) > 0)
      throw new Error(
        `database ${c.database} at ${where} is ${owner}'s but its ${mismatch}, and it already holds objects; drop it (the next run makes it again with the app's settings)`,
      );
    await dropDatabase(c);
  } else if (current !== undefined)
    throw new Error(
      `database ${c.database} at ${where} already exists and ${describeOwner(current ?? undefined)}; the migration does not overwrite it. Drop or rename it, or choose another site name`,
    );
  await psql(c, createDatabaseSql(c.database, spec), "postgres");
  await psql(c, `COMMENT ON DATABASE ${ident(c.database)} IS ${literal(encodeOwner(owner))}`, "postgres");
}

/** The bucket's owner id for the marker: one marker key per bucket. */
export const bucketMarkerOwner = (owner: string, bucket: string): string => `${owner}/${bucket}`;

/** Creates the bucket marked as the owner's, or continues the owner's own. */
export async function claimBucket(
  garage: GarageAdmin,
  alias: string,
  owner: string,
  where: string,
): Promise<void> {
  const marked = bucketMarkerOwner(owner, alias);
  const existing = await garage.bucketByAlias(alias);
  if (existing) {
    const found = bucketOwner(existing)?.owner;
    if (found === marked) return;
    throw new Error(
      `bucket ${alias} at ${where} already exists and ${describeOwner(found)}; the migration does not write into it. Remove it or choose another site name`,
    );
  }
  const markerName = markerKeyName(marked);
  const marker =
    (await garage.listKeys()).find((k) => k.name === markerName)?.id ??
    (await garage.createKey(markerName)).accessKeyId;
  await garage.createBucket({
    globalAlias: alias,
    localAlias: { accessKeyId: marker, alias: RESERVED_OWNER_ALIAS },
  });
}

/** Whether the owner still holds the bucket (a retire leaves a taken-over bucket alone). */
export async function holdsBucket(garage: GarageAdmin, alias: string, owner: string): Promise<boolean> {
  const existing = await garage.bucketByAlias(alias);
  return !!existing && bucketOwner(existing)?.owner === bucketMarkerOwner(owner, alias);
}
