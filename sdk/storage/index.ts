/**
 * Object storage: `GarageBucket` (bucket + key + permission on Garage), `BucketReplication` (the
 * continuous rclone job for a host), the one-shot verified sync used by migrations, and the pure
 * planner behind it.
 */
export * from "./garageBucket";
export * from "./bucketReplication";
export * from "./replicationJob";
export * from "./syncPlan";
export * from "./s3Sync";
export * from "./siteStorage";
