/**
 * Builders for the state declarations the catalog entries share, so that every entry says the same
 * thing the same way: a PostgreSQL database travels by streaming replication, a media bucket by S3
 * copy, a directory by ZFS send/receive (or stop-then-rsync where the host has no ZFS).
 */
import type { BucketState, DatabaseState, DirectoryState } from "../types";

/** A PostgreSQL database on the site's cluster: replicated live, promoted at the cut-over. */
export function postgresDatabase(name: string, stop: readonly string[], locale?: string): DatabaseState {
  return {
    kind: "database",
    engine: "postgresql",
    name,
    ...(locale ? { locale } : {}),
    strategy: "db-streaming-replication",
    why: "asynchronous streaming replication keeps a standby seconds behind, so the cut-over only waits for the last WAL",
    stopForFinalCopy: stop,
  };
}

/** A MySQL/MariaDB database the app's module creates on its own host. */
export function mysqlDatabase(name: string, stop: readonly string[]): DatabaseState {
  return {
    kind: "database",
    engine: "mysql",
    name,
    strategy: "db-streaming-replication",
    why: "binlog replication to a replica in the target datacenter keeps it current; the final step waits for the replica to catch up",
    stopForFinalCopy: stop,
  };
}

/** A directory of many files that change while the app runs (media, repositories, mail spools). */
export function zfsDirectory(path: string, what: string, stop: readonly string[]): DirectoryState {
  return {
    kind: "directory",
    path,
    strategy: "zfs-send-receive",
    why: `${what}: incremental ZFS snapshots send only changed blocks and are consistent at the instant of the snapshot`,
    stopForFinalCopy: stop,
  };
}

/** A small directory (configuration, keys, a local database file): cheap to copy whole, once stopped. */
export function rsyncDirectory(path: string, what: string, stop: readonly string[]): DirectoryState {
  return {
    kind: "directory",
    path,
    strategy: "stop-then-rsync",
    why: `${what}: small, so an rsync while running plus a final rsync with the app stopped is simplest`,
    stopForFinalCopy: stop,
  };
}

/** Objects in the site's Garage (media, attachments, uploads). */
export function mediaBucket(name: string, stop: readonly string[]): BucketState {
  return {
    kind: "bucket",
    name,
    strategy: "s3-copy",
    why: "objects are immutable once written, so a bucket-to-bucket S3 copy (rclone) can run ahead and a last pass copies the few new ones",
    stopForFinalCopy: stop,
  };
}
