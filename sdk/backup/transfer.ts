/**
 * Moving one state item between a datacenter (through sdk/migration/siteData's handles: SSH for
 * ZFS and plain directories, PostgreSQL, Garage) and files of an archive's staging directory, in
 * both directions. Everything is streamed: `zfs send` / `tar` over SSH into a file, pg_dump into a
 * file, each object's body into a file, and back.
 */
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import type { Readable } from "stream";
import { GetObjectCommand, PutObjectCommand, DeleteObjectsCommand } from "@aws-sdk/client-s3";
import type { Executor } from "../replication/executor";
import { detectCapabilities, inspectDataset, takeSnapshot } from "../replication/zfsRunner";
import { listObjects, s3Client } from "../storage/s3Sync";
import type { MigrationItem } from "../migration/plan";
import type { SiteData } from "../migration/siteData";
import { fileChecksums } from "../migration/steps";
import { streamToFile } from "./archive";
import { backupDatabase, restoreDatabase } from "./databaseTransfer";
import { databaseSpec } from "../replication/databaseSpec";
import {
  changedFiles,
  changedObjects,
  itemDir,
  parseChecksumLines,
  type ArchiveEntry,
  type BackedUpObject,
  type ItemBackup,
} from "./manifest";

export const BACKUP_SNAPSHOT_PREFIX = "sov_backup_";

/** Runs `argv` on the host with its stdout streamed into `file`; `input` goes to its stdin. */
async function fromHost(host: Executor, argv: string[], file: string, input?: string) {
  const child = host.spawn(argv);
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  child.stdin?.end(input ?? "");
  const digest = await streamToFile(child.stdout as Readable, file);
  const code = await exited;
  if (code !== 0) throw new Error(`${host.description}: '${argv.join(" ")}' failed (${code}): ${err.trim()}`);
  return digest;
}

/** Runs `argv` on the host with `file` streamed into its stdin. */
async function toHost(host: Executor, argv: string[], file: string): Promise<void> {
  const child = host.spawn(argv);
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  child.stdout?.resume();
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  await pipeline(fs.createReadStream(file), child.stdin!).catch(() => undefined);
  const code = await exited;
  if (code !== 0) throw new Error(`${host.description}: '${argv.join(" ")}' failed (${code}): ${err.trim()}`);
}

/** What a backup wrote of one item. */
export interface ItemResult {
  readonly backup: ItemBackup;
  readonly entries: readonly ArchiveEntry[];
  /** What the log says besides the entry count (which tables went in, for a database). */
  readonly note?: string;
}

/**
 * Writes the item's data under `staging`. With `previous` (the item in the base archive), only
 * what changed since: a ZFS incremental stream from the base's snapshot, objects whose ETag
 * changed, files whose checksum changed, the rows of tables whose checksum changed.
 */
export async function backupItem(
  data: SiteData,
  item: MigrationItem,
  label: string,
  staging: string,
  previous?: ItemBackup,
): Promise<ItemResult> {
  const dir = itemDir(label);
  const entry = async (name: string, write: (file: string) => Promise<{ sha256: string; bytes: number }>) => {
    const rel = `${dir}/${name}`;
    const d = await write(path.join(staging, rel));
    return { path: rel, ...d };
  };
  const s = item.state;
  if (s.kind === "database") return backupDatabase(data.database(item), dir, staging, previous);
  if (s.kind === "bucket") return backupBucket(data, item, dir, staging, previous);
  if (s.strategy === "stop-then-rsync") {
    const root = await data.plainDirectory(item);
    const files = parseChecksumLines(await fileChecksums(data, root));
    const before = previous?.kind === "files" ? previous.files : undefined;
    const changed = changedFiles(files, before);
    const e = await entry("files.tar", (file) =>
      fromHost(
        data.ssh,
        ["tar", "-C", root, "--null", "-T", "-", "-cf", "-"],
        file,
        changed.map((f) => `./${f}\0`).join(""),
      ),
    );
    return { backup: { kind: "files", files, entry: e.path }, entries: [e] };
  }
  const dataset = data.where(item);
  const snapshot = await takeSnapshot({ executor: data.ssh, dataset }, BACKUP_SNAPSHOT_PREFIX);
  const state = await inspectDataset(data.ssh, dataset, await detectCapabilities(data.ssh, dataset));
  const guid = state.snapshots.find((x) => x.name === snapshot)?.guid ?? "";
  let from: string | undefined;
  if (previous?.kind === "zfs") {
    if (!state.snapshots.some((x) => x.name === previous.snapshot))
      throw new Error(
        `${dataset}@${previous.snapshot}, where the previous backup ended, is gone at ${data.side.name}; take a full backup (without --since)`,
      );
    from = previous.snapshot;
  }
  const send = ["zfs", "send", ...(from ? ["-i", `@${from}`] : []), `${dataset}@${snapshot}`];
  const e = await entry("zfs.stream", (file) => fromHost(data.ssh, send, file));
  return { backup: { kind: "zfs", snapshot, guid, ...(from ? { from } : {}), entry: e.path }, entries: [e] };
}

async function backupBucket(
  data: SiteData,
  item: MigrationItem,
  dir: string,
  staging: string,
  previous?: ItemBackup,
): Promise<ItemResult> {
  const location = await data.bucket(item);
  const client = s3Client(location);
  try {
    const listing = await listObjects(client, location.bucket);
    const changed = changedObjects(listing, previous?.kind === "bucket" ? previous.objects : undefined);
    const objects: BackedUpObject[] = [];
    const entries: ArchiveEntry[] = [];
    for (const [i, o] of listing.entries()) {
      if (!changed.has(o.key)) {
        objects.push({ key: o.key, etag: o.etag, size: o.size });
        continue;
      }
      const rel = `${dir}/objects/${i}`;
      const got = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: o.key }));
      const d = await streamToFile(got.Body as Readable, path.join(staging, rel));
      entries.push({ path: rel, ...d });
      objects.push({ key: o.key, etag: o.etag, size: o.size, entry: rel });
    }
    return { backup: { kind: "bucket", objects }, entries };
  } finally {
    client.destroy();
  }
}

/** One archive of a restore chain: its extracted directory and what it holds of the item. */
export interface ChainLink {
  readonly dir: string;
  /** The archive's file (named in errors). */
  readonly file: string;
  readonly backup?: ItemBackup;
}

/**
 * Loads the item at the datacenter from a chain of archives (oldest first): every ZFS stream in
 * order, the database table by table (databaseTransfer.ts), each object from the newest archive that carries it, the file tars in
 * order with files the newest listing does not have removed. Returns a note for the log.
 */
export async function restoreItem(data: SiteData, item: MigrationItem, chain: readonly ChainLink[]) {
  const links = chain.filter((l) => l.backup);
  const newest = links[links.length - 1]?.backup;
  if (!newest) return "not in the archive";
  const at = (l: ChainLink, rel: string) => path.join(l.dir, rel);
  switch (newest.kind) {
    case "database":
      return restoreDatabase(data.database(item), links, {
        owner: data.owner,
        database: databaseSpec(item.state),
      });
    case "zfs": {
      const dataset = data.where(item);
      await clearFreshDataset(data, dataset);
      for (const l of links)
        if (l.backup?.kind === "zfs")
          await toHost(data.ssh, ["zfs", "receive", dataset], at(l, l.backup.entry));
      await data.ssh.run(["zfs", "set", "readonly=off", dataset]);
      return `${links.length} ZFS stream(s) received into ${dataset}`;
    }
    case "files": {
      const root = await data.plainDirectory(item);
      await data.ssh.run(["mkdir", "-p", root]);
      for (const l of links)
        if (l.backup?.kind === "files")
          await toHost(data.ssh, ["tar", "-C", root, "-xpf", "-"], at(l, l.backup.entry));
      const present = parseChecksumLines(await fileChecksums(data, root));
      const gone = Object.keys(present).filter((f) => !(f in newest.files));
      if (gone.length > 0) await data.ssh.run(["rm", "-f", "--", ...gone.map((f) => `${root}/${f}`)]);
      return `${Object.keys(newest.files).length} files`;
    }
    case "bucket":
      return restoreBucket(data, item, links, newest.objects);
  }
}

/**
 * A full stream is received as a new dataset: the empty one the restored stack's deployment just
 * made is destroyed first (zfs-fuse cannot receive over an existing one). A dataset that holds
 * files or snapshots is never destroyed: the restore stops there.
 */
async function clearFreshDataset(data: SiteData, dataset: string): Promise<void> {
  const found = await data.ssh.run(["zfs", "list", "-H", "-t", "all", "-r", "-o", "name", dataset], {
    allowFailure: true,
  });
  if (found.code !== 0) return;
  const mount = await data.mountpoint(dataset);
  const content = await data.ssh.run(["find", mount, "-mindepth", "1", "-maxdepth", "1"]);
  if (found.stdout.trim().split("\n").length > 1 || content.stdout.trim())
    throw new Error(`${dataset} at ${data.side.name} already holds data; the restore does not overwrite it`);
  for (let attempt = 1; ; attempt++) {
    const r = await data.ssh.run(["zfs", "destroy", dataset], { allowFailure: true });
    if (r.code === 0) return;
    if (attempt >= 5)
      throw new Error(`could not replace the empty ${dataset} at ${data.side.name}: ${r.stderr.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
  }
}

async function restoreBucket(
  data: SiteData,
  item: MigrationItem,
  links: readonly ChainLink[],
  objects: readonly BackedUpObject[],
): Promise<string> {
  const location = await data.bucket(item);
  const client = s3Client(location);
  try {
    for (const o of objects) {
      const holder = [...links]
        .reverse()
        .map((l) => ({
          l,
          found: l.backup?.kind === "bucket" ? l.backup.objects.find((x) => x.key === o.key) : undefined,
        }))
        .find((x) => x.found?.entry && x.found.etag === o.etag);
      if (!holder?.found?.entry) throw new Error(`object ${o.key} is in no archive of the chain`);
      const file = path.join(holder.l.dir, holder.found.entry);
      await client.send(
        new PutObjectCommand({
          Bucket: location.bucket,
          Key: o.key,
          Body: fs.createReadStream(file),
          ContentLength: fs.statSync(file).size,
        }),
      );
    }
    const keep = new Set(objects.map((o) => o.key));
    const extra = (await listObjects(client, location.bucket)).filter((o) => !keep.has(o.key));
    if (extra.length > 0)
      await client.send(
        new DeleteObjectsCommand({
          Bucket: location.bucket,
          Delete: { Objects: extra.map((o) => ({ Key: o.key })), Quiet: true },
        }),
      );
    return `${objects.length} objects`;
  } finally {
    client.destroy();
  }
}
