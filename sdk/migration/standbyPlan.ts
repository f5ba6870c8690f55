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
  readonly databases: Record<string, { bytes: number; seconds: number; streaming: boolean }>;
  /** Age of the newest snapshot the standby holds (seconds), and its name. */
  readonly datasets: Record<string, { snapshotAgeSeconds: number; snapshot: string }>;
  /** Objects that differ between primary and standby (missing, extra or changed). */
  readonly buckets: Record<string, { differing: number }>;
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
