/**
 * What each kind of plan step does, with the replication code the SDK already has: ZFS
 * send/receive (replication/zfsRunner), bucket sync (storage/s3Sync), pg_dump | psql
 * (replication/postgresCopy), PowerDNS rrset changes. executor.ts calls these in plan order.
 */
import { PowerDnsClient } from "../../providers/powerdns/client";
import { copyDatabase } from "../replication/postgresCopy";
import { databaseSpec } from "../replication/databaseSpec";
import { catchUp, promoteReplica, replicaExists, startReplica } from "../replication/logicalReplica";
import { detectCapabilities, inspectDataset, replicate } from "../replication/zfsRunner";
import { streamBetween } from "../replication/executor";
import { compareListings, describeDifferences } from "../storage/syncPlan";
import { listObjects, s3Client, syncBuckets } from "../storage/s3Sync";
import type { MigrationItem, MigrationStep } from "./plan";
import { itemLabel } from "./plan";
import { compareTables, describeTableDifferences } from "./tableVerify";
import { endCheckpoint, sideSums, takeCheckpoint, type TableCheckpoint } from "./tableCheckpoint";
import type { AppControl, SiteData } from "./siteData";

export interface DnsSwitch {
  readonly apiUrl: string;
  readonly serverId: string;
  readonly apiKey: string;
  /** "coop.example." */
  readonly zone: string;
  /** Fully qualified names whose A record follows the serving datacenter. */
  readonly names: readonly string[];
  readonly ttl: number;
  readonly switchTtl: number;
  /** Longest wait for caches to drop the old TTL (a drill or test shortens it). */
  readonly ttlWaitCapSeconds: number;
}

export interface StepContext {
  readonly items: readonly MigrationItem[];
  readonly source: SiteData;
  readonly target: SiteData;
  readonly app: AppControl;
  readonly dns: DnsSwitch;
  /** Records the site at the target in the inventory (NetBox), when the site has one. */
  readonly updateInventory?: (datacenter: string) => Promise<void>;
  readonly log: (line: string) => void;
  /** Runs the hook step with this id (hookRunner.ts); needed when the plan has hooks. */
  readonly runHook?: (stepId: string) => Promise<string>;
  /** When the TTL was lowered (ms since the epoch), so the switch waits out the old one. */
  ttlLoweredAt?: number;
  /** The source side of items' verify, read from their final sync on (see `sourceSide`). */
  sourceReadings?: Map<string, Promise<unknown>>;
  /** Streamed databases' checkpoints, by item label, from this run's pre-verify steps. */
  checkpoints?: Map<string, TableCheckpoint>;
}

/** Snapshots a migration takes carry this prefix (its retention never prunes other jobs' bases). */
export const SNAPSHOT_PREFIX = "sov_migrate_";

export class VerifyError extends Error {
  constructor(item: string, detail: string) {
    super(`verify ${item}: ${detail}; the target is not used and the source keeps serving`);
    this.name = "VerifyError";
  }
}

/**
 * The source side of an item's verify, read once per run: the final sync starts it (the apps are
 * stopped, so the source no longer changes) and the verify then waits only for the target's side.
 * At 512 MiB the source's checksum of a 135 MB table overlaps the replica's catch-up instead of
 * following it. A run that fails restarts the source, and the next run reads it again.
 */
function sourceSide<T>(ctx: StepContext, item: MigrationItem, read: () => Promise<T>): Promise<T> {
  const readings = (ctx.sourceReadings ??= new Map());
  const key = itemLabel(item);
  if (!readings.has(key)) {
    const reading = read();
    reading.catch(() => undefined); // awaited by the verify, which reports the error
    readings.set(key, reading);
  }
  return readings.get(key) as Promise<T>;
}

const sourceTables = (ctx: StepContext, item: MigrationItem) => {
  const checkpoint = ctx.checkpoints?.get(itemLabel(item));
  return sourceSide(ctx, item, () =>
    sideSums(ctx.source.database(item), "source", checkpoint?.sums, checkpoint?.schema.source),
  );
};
const sourceFiles = (ctx: StepContext, item: MigrationItem) =>
  sourceSide(ctx, item, () => ctx.source.plainDirectory(item).then((dir) => fileChecksums(ctx.source, dir)));

/**
 * Ends the change watches of the run's checkpoints (a failed run forgets its pre-verify, and the
 * next run takes new ones; until then the watches would hold WAL at both sides).
 */
export async function releaseCheckpoints(ctx: StepContext): Promise<void> {
  const taken = ctx.checkpoints;
  ctx.checkpoints = undefined;
  await Promise.all(
    ctx.items
      .filter((item) => taken?.has(itemLabel(item)))
      .map((item) =>
        endCheckpoint(ctx.source.database(item), ctx.target.database(item)).catch((e: Error) =>
          ctx.log(`could not end the change watches of ${itemLabel(item)}: ${e.message}`),
        ),
      ),
  );
}

function itemOf(ctx: StepContext, step: MigrationStep): MigrationItem {
  const item = ctx.items.find((i) => itemLabel(i) === step.item);
  if (!item) throw new Error(`step ${step.id} names an item the site no longer declares`);
  return item;
}

async function copyItem(ctx: StepContext, item: MigrationItem, phase: "preseed" | "final"): Promise<string> {
  const s = item.state;
  const passes = phase === "preseed" ? 2 : 1;
  switch (s.strategy) {
    case "zfs-send-receive": {
      const job = {
        source: { executor: ctx.source.ssh, dataset: ctx.source.where(item) },
        target: { executor: ctx.target.ssh, dataset: ctx.target.where(item) },
        snapshotPrefix: SNAPSHOT_PREFIX,
        log: ctx.log,
      };
      let bytes = 0;
      // The final pass leaves the check of the newest snapshot to the verify step, which reads both sides.
      for (let i = 0; i < passes; i++)
        bytes += (await replicate(job, { checkReceived: phase === "preseed" })).bytes;
      return `${bytes} bytes sent`;
    }
    case "db-streaming-replication": {
      const [from, to] = [ctx.source.database(item), ctx.target.database(item)];
      if (phase === "preseed")
        return startReplica(from, to, { owner: ctx.target.owner, database: databaseSpec(item.state) });
      void sourceTables(ctx, item);
      // A checkpoint of this run means the replica confirmed the source's WAL position: it runs.
      if (ctx.checkpoints?.has(itemLabel(item)) || (await replicaExists(to)))
        return `replica caught up: ${await catchUp(from, to)} bytes of WAL were left to replay`;
      const bytes = await copyDatabase(from, to);
      return `${bytes} bytes of dump (no replica was running)`;
    }
    case "s3-copy": {
      const report = await syncBuckets(await ctx.source.bucket(item), await ctx.target.bucket(item));
      return `${report.copied} objects (${report.copiedBytes} bytes) copied, ${report.objects} in all`;
    }
    case "stop-then-rsync": {
      // Copied whole through this process (rsync between the two hosts would need one to hold a
      // key for the other); unpacked beside the target and swapped in, so a cut stream leaves the
      // previous copy intact.
      if (phase === "final") void sourceFiles(ctx, item);
      const [from, to] = [await ctx.source.plainDirectory(item), await ctx.target.plainDirectory(item)];
      const incoming = `${to}.incoming`;
      const { bytes } = await streamBetween(
        ctx.source.ssh,
        ["tar", "-C", from, "-cf", "-", "."],
        ctx.target.ssh,
        ["sh", "-c", 'rm -rf "$1" && mkdir -p "$1" && exec tar -C "$1" -xpf -', "sh", incoming],
      );
      await ctx.target.ssh.run(["sh", "-c", 'rm -rf "$1" && mv "$2" "$1"', "sh", to, incoming]);
      return `${bytes} bytes (tar stream)`;
    }
  }
}

/** sha256 of every file under the directory, by relative path, sorted. */
export async function fileChecksums(data: SiteData, dir: string): Promise<string> {
  const script = 'cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum';
  return (await data.ssh.run(["sh", "-c", script, "sh", dir])).stdout;
}

async function newestSnapshotGuid(data: SiteData, dataset: string): Promise<string> {
  const state = await inspectDataset(data.ssh, dataset, await detectCapabilities(data.ssh, dataset));
  const newest = [...state.snapshots].sort((x, y) => x.createtxg - y.createtxg).pop();
  if (!newest) throw new VerifyError(dataset, `no snapshot on ${data.side.name}`);
  return newest.guid;
}

async function verifyItem(ctx: StepContext, item: MigrationItem): Promise<string> {
  const label = itemLabel(item);
  switch (item.state.strategy) {
    case "zfs-send-receive": {
      const [a, b] = await Promise.all([
        newestSnapshotGuid(ctx.source, ctx.source.where(item)),
        newestSnapshotGuid(ctx.target, ctx.target.where(item)),
      ]);
      if (a !== b) throw new VerifyError(label, `newest snapshot GUIDs differ (source ${a}, target ${b})`);
      return `snapshot GUID ${a} on both sides`;
    }
    case "db-streaming-replication": {
      const checkpoint = ctx.checkpoints?.get(label);
      // The target keeps a checkpoint sum only where the source kept it too (and its own watch
      // saw no write): any other table is read at the target and compared. The watches end with
      // the replica (start-target's promotion), or with the run when it fails (releaseCheckpoints).
      const a = await sourceTables(ctx, item);
      const b = await sideSums(
        ctx.target.database(item),
        "target",
        checkpoint ? a.kept : undefined,
        checkpoint?.schema.target,
      );
      const verdict = compareTables(a.sums, b.sums);
      if (!verdict.match)
        throw new VerifyError(label, `tables differ: ${describeTableDifferences(verdict.differences)}`);
      const kept = Object.keys(b.kept).length;
      const unread = checkpoint ? ` (${kept} unwritten since the pre-verify, not read again)` : "";
      return `${verdict.tables} tables with equal row counts and checksums${unread}`;
    }
    case "s3-copy": {
      const [from, to] = await Promise.all([ctx.source.bucket(item), ctx.target.bucket(item)]);
      const [fc, tc] = [s3Client(from), s3Client(to)];
      try {
        const [a, b] = await Promise.all([listObjects(fc, from.bucket), listObjects(tc, to.bucket)]);
        const differences = compareListings(a, b);
        if (differences.length > 0) throw new VerifyError(label, describeDifferences(differences));
        return `${a.length} objects with equal sizes and checksums`;
      } finally {
        fc.destroy();
        tc.destroy();
      }
    }
    case "stop-then-rsync": {
      const [a, b] = await Promise.all([
        sourceFiles(ctx, item),
        ctx.target.plainDirectory(item).then((dir) => fileChecksums(ctx.target, dir)),
      ]);
      if (a !== b) throw new VerifyError(label, "file checksums differ between the two sides");
      return `${a.split("\n").filter(Boolean).length} files with equal sha256`;
    }
  }
}

async function setRecords(dns: DnsSwitch, address: string, ttl: number): Promise<void> {
  const client = new PowerDnsClient({ apiUrl: dns.apiUrl, serverId: dns.serverId, apiKey: dns.apiKey });
  await client.patchRRSets(
    dns.zone,
    dns.names.map((name) => ({
      name,
      type: "A",
      ttl,
      changetype: "REPLACE" as const,
      records: [{ content: address, disabled: false }],
    })),
  );
}

/**
 * How long (ms) the switch must still wait at `now` so that caches have dropped the answer with
 * the old TTL (`dns.ttl`, capped at `dns.ttlWaitCapSeconds`) since it was lowered at `loweredAt`;
 * 0 when the TTL was never lowered by this run or has run out.
 */
export function ttlWaitMs(dns: DnsSwitch, loweredAt: number | undefined, now: number): number {
  if (loweredAt === undefined) return 0;
  return Math.max(0, Math.min(dns.ttl, dns.ttlWaitCapSeconds) * 1000 - (now - loweredAt));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits while caches may still hold the answer with the old TTL ({@link ttlWaitMs}), saying so. */
async function waitOutOldTtl(ctx: StepContext, before: string): Promise<void> {
  const waitMs = ttlWaitMs(ctx.dns, ctx.ttlLoweredAt, Date.now());
  if (waitMs === 0) return;
  ctx.log(`waiting ${(waitMs / 1000).toFixed(1)} s for caches to drop the old TTL before ${before}`);
  await sleep(waitMs);
}

/** Runs one step; returns a short note for the log (bytes moved, what was verified). */
export async function runStep(ctx: StepContext, step: MigrationStep): Promise<string> {
  switch (step.kind) {
    case "provision-target":
      await ctx.target.provision(ctx.items, false);
      return `datasets parent, databases and buckets ready at ${ctx.target.side.name}`;
    case "preseed":
      return copyItem(ctx, itemOf(ctx, step), "preseed");
    case "lower-ttl":
      await setRecords(ctx.dns, ctx.source.side.address, ctx.dns.switchTtl);
      ctx.ttlLoweredAt = Date.now();
      return `TTL ${ctx.dns.switchTtl}s on ${ctx.dns.names.join(", ")}`;
    case "stop-writes": {
      // Caches may hold the answer with the old TTL until it has run out since the lowering: wait
      // for that while the apps still serve, so the switch never waits inside the write window.
      // With databases the pre-verify has waited already.
      await waitOutOldTtl(ctx, "stopping");
      await ctx.source.runApp(ctx.app, "stop");
      return `apps stopped at ${ctx.source.side.name}`;
    }
    case "pre-verify": {
      const item = itemOf(ctx, step);
      // The TTL wait comes first: the checkpoint is then taken just before the stop, and the
      // verify inside the window decodes only the writes made since (not those of the whole wait).
      await waitOutOldTtl(ctx, `the pre-verify of ${itemLabel(item)}`);
      const taken = await takeCheckpoint(ctx.source.database(item), ctx.target.database(item));
      if (taken.checkpoint) (ctx.checkpoints ??= new Map()).set(itemLabel(item), taken.checkpoint);
      return taken.note;
    }
    case "final-sync":
      return copyItem(ctx, itemOf(ctx, step), "final");
    case "verify":
      return verifyItem(ctx, itemOf(ctx, step));
    case "switch-dns": {
      // Normally waited out before the stop (pre-verify, stop-writes); a resumed run may still have to.
      await waitOutOldTtl(ctx, "switching");
      await setRecords(ctx.dns, ctx.target.side.address, ctx.dns.switchTtl);
      return `${ctx.dns.names.join(", ")} -> ${ctx.target.side.address}`;
    }
    case "start-target": {
      // Received datasets stay read-only while they are replicas; now they are the primary: made
      // writable by the same command that starts the apps (one round trip in the downtime).
      const of = (strategy: string) => ctx.items.filter((i) => i.state.strategy === strategy);
      const datasets = of("zfs-send-receive").map((item) => ctx.target.where(item));
      await ctx.target.runApp(ctx.app, "start", datasets);
      // A subscriber's database is writable and the source's apps are stopped (nothing is left
      // to apply), so the apps start first and the replicas end after, outside the downtime.
      await Promise.all(
        of("db-streaming-replication").map(async (item) =>
          ctx.log(await promoteReplica(ctx.source.database(item), ctx.target.database(item))),
        ),
      );
      return `apps started at ${ctx.target.side.name}`;
    }
    case "update-inventory":
      if (!ctx.updateInventory) return "no inventory configured";
      await ctx.updateInventory(ctx.target.side.name);
      return `inventory says ${ctx.target.side.name}`;
    case "retire-source":
      await ctx.source.retire(ctx.items, ctx.log);
      return `${ctx.source.side.name}'s copy deleted`;
    case "keep-source-stopped":
      return `${ctx.source.side.name}'s copy kept, apps stopped`;
    case "hook":
      if (!ctx.runHook) throw new Error(`step ${step.id} is a hook but this run has no hook runner`);
      return ctx.runHook(step.id);
  }
}
