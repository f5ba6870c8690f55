/**
 * Garage (admin API v2) dynamic providers: buckets, access keys and bucket-key permissions, the
 * client typed from Garage's own OpenAPI document, and the pure rules they use.
 */
export * from "./client";
export * from "./validate";
export * from "./owner";
export { GarageAdmin } from "./api";
export {
  GarageBucketResource,
  GarageAccessKey,
  GarageBucketPermission,
  GarageBucketCollection,
  ownerOf,
} from "./resources";
export type {
  GarageConnectionArgs,
  GarageBucketResourceArgs,
  GarageAccessKeyArgs,
  GarageBucketPermissionArgs,
  GarageBucketCollectionArgs,
  GarageCollectionBucket,
} from "./resources";
