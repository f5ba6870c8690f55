/**
 * Pure warm-standby decisions: which of a site's state items a standby keeps current, which
 * pre-seed steps a promotion may skip, and how the lag reads.
 *
 * A standby replicates what can be replicated while the primary serves: ZFS datasets (incremental
 * sends), databases (a logical replica) and buckets (sync). Small directories copied whole with
 * the app stopped (stop-then-rsync) have nothing to keep warm; a promotion copies them in its
 * write window like any migration.
 */
import type { ReplicationStrategy } from "../apps/types";
import { itemLabel, type MigrationItem } from "./plan";

const KEPT_WARM: ReadonlySet<ReplicationStrategy> = new Set<ReplicationStrategy>([
  "zfs-send-receive",
  "db-streaming-replication",
  "s3-copy",
]);

/** The items a standby keeps current. */
export function standbyItems(items: readonly MigrationItem[]): MigrationItem[] {
  return items.filter((item) => KEPT_WARM.has(item.state.strategy));
}

/**
 * The labels of items whose pre-seed is already done for a move to `target`: those a standby at
 * `target` keeps current, when the previous deployment named `target` as the standby. Otherwise
 * none (a plain migration pre-seeds everything).
 */
export function preseededItems(
  items: readonly MigrationItem[],
  previousStandby: string | undefined,
  target: string,
): string[] {
  if (previousStandby === undefined || previousStandby !== target) return [];
  return standbyItems(items).map(itemLabel);
}

/** The lag a standby's outputs show, per item label. */
export interface StandbyLag {
  /**
   * Per database, by item label, read at the primary's replication slot: `bytes` of WAL the
   * replica has not confirmed, `seconds` of replay lag (0 when idle), and `streaming`, whether the
   * replica is connected.
   */
  readonly databases: Record<
    string,
    {
      /** Bytes of WAL the primary wrote that the replica has not confirmed yet. */
      bytes: number;
      /** Seconds between a change at the primary and its replay at the standby (0 when idle). */
      seconds: number;
      /** The replica is connected and streaming; false when stopped or not started yet. */
      streaming: boolean;
    }
  >;
  /**
   * Per ZFS dataset that has a snapshot at the standby, by item label: `snapshotAgeSeconds`, the
   * age in seconds of the newest snapshot it holds, and `snapshot`, that snapshot's name.
   */
  readonly datasets: Record<
    string,
    {
      /** Age of the newest snapshot the standby holds, in seconds. */
      snapshotAgeSeconds: number;
      /** That snapshot's name (the part after `@`). */
      snapshot: string;
    }
  >;
  /**
   * Per bucket, by item label: `differing`, the objects missing, extra or changed at the standby
   * (0 when it is current).
   */
  readonly buckets: Record<
    string,
    {
      /** Objects that differ between primary and standby (missing, extra or changed); 0 is current. */
      differing: number;
    }
  >;
}

/** Items whose replica is current: a streaming database, a received snapshot, an equal bucket. */
export function currentItems(lag: StandbyLag): string[] {
  return [
    ...Object.entries(lag.databases)
      .filter(([, d]) => d.streaming)
      .map(([label]) => label),
    ...Object.keys(lag.datasets),
    ...Object.entries(lag.buckets)
      .filter(([, b]) => b.differing === 0)
      .map(([label]) => label),
  ].sort();
}
