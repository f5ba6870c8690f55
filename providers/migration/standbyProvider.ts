/**
 * The Standby resource's provider: keeps a warm copy of a site's data at a second datacenter.
 * Every `pulumi up` (diff always reports a change) runs one round: the databases' logical
 * replicas are started (or joined by new tables) and stream continuously between rounds, each
 * ZFS dataset gets an incremental send, each bucket a sync. `read` (`pulumi refresh`) and every
 * round put the lag in the outputs: WAL bytes and replay seconds per database, the age of the
 * newest snapshot at the standby per dataset, the number of differing objects per bucket.
 * Deleting the resource ends the replicas it started (the standby's copy stays, stateful data is kept).
 */
import type * as pulumi from "@pulumi/pulumi";
import { SNAPSHOT_PREFIX } from "../../sdk/migration/steps";
import { itemLabel, type MigrationItem } from "../../sdk/migration/plan";
import { currentItems, standbyItems, type StandbyLag } from "../../sdk/migration/standbyPlan";
import type { SiteData } from "../../sdk/migration/siteData";
import { sideProblems, type DatacenterSide } from "../../sdk/migration/sides";
import { abandonReplica, replicaLag, startReplica } from "../../sdk/replication/logicalReplica";
import { databaseSpec } from "../../sdk/replication/databaseSpec";
import { ownerProblem } from "../shared/ownership";
import { detectCapabilities, inspectDataset, replicate } from "../../sdk/replication/zfsRunner";
import { compareListings } from "../../sdk/storage/syncPlan";
import { listObjects, s3Client, syncBuckets } from "../../sdk/storage/s3Sync";
import { siteData } from "./migrationProvider";

export { configure } from "../shared/credentials";

export interface StandbyInputs {
  readonly site: string;
  /** The datacenter that serves (the replicas' source). */
  readonly primary: string;
  /** The datacenter holding the warm copy. */
  readonly standby: string;
  readonly datacenters: Record<string, DatacenterSide>;
  readonly items: readonly MigrationItem[];
  /**
   * Marks the standby's databases and its replicas as this owner's (providers/shared ownership):
   * removing the Standby then ends only its own replicas. None when unset.
   */
  readonly owner?: string;
}

export interface StandbyOutputs extends StandbyInputs {
  readonly lag: StandbyLag;
  /** Labels of the items whose copy at the standby is current (a promotion skips their pre-seed). */
  readonly current: readonly string[];
  /** When the lag was read (ISO 8601). */
  readonly readAt: string;
  /** What the last round did, one line per item. */
  readonly lastRound: readonly string[];
}

export async function check(
  _olds: Partial<StandbyInputs>,
  news: StandbyInputs,
): Promise<pulumi.dynamic.CheckResult> {
  const failures: { property: string; reason: string }[] = [];
  const dcs = news.datacenters ?? {};
  for (const field of ["primary", "standby"] as const)
    if (typeof news[field] !== "string" || !dcs[news[field]])
      failures.push({
        property: field,
        reason: `"${String(news[field])}" is not one of the described datacenters (${Object.keys(dcs).join(", ") || "none"})`,
      });
  if (news.primary === news.standby)
    failures.push({
      property: "standby",
      reason: `is the primary datacenter "${news.primary}" itself; name another datacenter or remove the standby`,
    });
  for (const [name, side] of Object.entries(dcs))
    for (const reason of sideProblems(`datacenters.${name}`, side))
      failures.push({ property: "datacenters", reason });
  const badOwner = news.owner === undefined ? undefined : ownerProblem(news.owner);
  if (badOwner) failures.push({ property: "owner", reason: badOwner });
  return { inputs: news, failures };
}

export async function diff(): Promise<pulumi.dynamic.DiffResult> {
  // Each up is a replication round (ZFS sends and bucket syncs run on up, databases stream).
  return { changes: true, replaces: [], deleteBeforeReplace: false };
}

async function newestSnapshot(data: SiteData, dataset: string) {
  const state = await inspectDataset(data.ssh, dataset, await detectCapabilities(data.ssh, dataset));
  return state.exists ? state.snapshots[state.snapshots.length - 1] : undefined;
}

async function bucketDifferences(primary: SiteData, standby: SiteData, item: MigrationItem): Promise<number> {
  const [from, to] = [await primary.bucket(item), await standby.bucket(item)];
  const [fc, tc] = [s3Client(from), s3Client(to)];
  try {
    return compareListings(await listObjects(fc, from.bucket), await listObjects(tc, to.bucket)).length;
  } finally {
    fc.destroy();
    tc.destroy();
  }
}

async function readLag(i: StandbyInputs, primary: SiteData, standby: SiteData): Promise<StandbyLag> {
  const lag: StandbyLag = { databases: {}, datasets: {}, buckets: {} };
  const now = Date.now() / 1000;
  for (const item of standbyItems(i.items)) {
    const label = itemLabel(item);
    switch (item.state.strategy) {
      case "db-streaming-replication":
        lag.databases[label] = (await replicaLag(primary.database(item))) ?? {
          bytes: 0,
          seconds: 0,
          streaming: false,
        };
        break;
      case "zfs-send-receive": {
        const newest = await newestSnapshot(standby, standby.where(item));
        if (newest)
          lag.datasets[label] = {
            snapshotAgeSeconds: Math.max(0, Math.round(now - newest.creation)),
            snapshot: newest.name,
          };
        break;
      }
      case "s3-copy":
        lag.buckets[label] = { differing: await bucketDifferences(primary, standby, item) };
        break;
      default:
        break;
    }
  }
  return lag;
}

async function withSides<T>(i: StandbyInputs, work: (p: SiteData, s: SiteData) => Promise<T>): Promise<T> {
  const [primary, standby] = [siteData(i, i.primary), siteData(i, i.standby)];
  try {
    return await work(primary, standby);
  } finally {
    primary.close();
    standby.close();
  }
}

/** One replication round, then the lag. */
async function round(i: StandbyInputs): Promise<StandbyOutputs> {
  return withSides(i, async (primary, standby) => {
    const items = standbyItems(i.items);
    await standby.provision(items, false);
    const lastRound: string[] = [];
    for (const item of items) {
      const label = itemLabel(item);
      switch (item.state.strategy) {
        case "db-streaming-replication":
          lastRound.push(
            `${label}: ${await startReplica(primary.database(item), standby.database(item), {
              owner: i.owner,
              database: databaseSpec(item.state),
            })}`,
          );
          break;
        case "zfs-send-receive": {
          const report = await replicate({
            source: { executor: primary.ssh, dataset: primary.where(item) },
            target: { executor: standby.ssh, dataset: standby.where(item) },
            snapshotPrefix: SNAPSHOT_PREFIX,
          });
          lastRound.push(`${label}: ${report.bytes} bytes sent`);
          break;
        }
        case "s3-copy": {
          const r = await syncBuckets(await primary.bucket(item), await standby.bucket(item));
          lastRound.push(`${label}: ${r.copied} objects copied, ${r.removed} removed, ${r.objects} in all`);
          break;
        }
        default:
          break;
      }
    }
    const lag = await readLag(i, primary, standby);
    return { ...i, lag, current: currentItems(lag), readAt: new Date().toISOString(), lastRound };
  });
}

export async function create(news: StandbyInputs): Promise<pulumi.dynamic.CreateResult> {
  return { id: `${news.site}-standby-${news.standby}`, outs: await round(news) };
}

export async function update(
  _id: string,
  _olds: StandbyOutputs,
  news: StandbyInputs,
): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: await round(news) };
}

/** `pulumi refresh`: the lag as it is now, without a replication round. */
export async function read(id: string, props: StandbyOutputs): Promise<pulumi.dynamic.ReadResult> {
  const lag = await withSides(props, (primary, standby) => readLag(props, primary, standby));
  return { id, props: { ...props, lag, current: currentItems(lag), readAt: new Date().toISOString() } };
}

/**
 * Ends the database replicas this Standby started (their slots would hold WAL at the primary
 * forever): the subscription at the standby, the slot and publication at the primary; a replica
 * another resource made is left alone. The standby's copies stay. After a promotion the replicas
 * are already gone and the old primary's databases may be too.
 */
async function remove(_id: string, props: StandbyOutputs): Promise<void> {
  await withSides(props, async (primary, standby) => {
    for (const item of standbyItems(props.items))
      if (item.state.strategy === "db-streaming-replication")
        await abandonReplica(primary.database(item), standby.database(item), props.owner);
  });
}
export { remove as delete };
