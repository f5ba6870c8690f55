/**
 * One datacenter's copy of a site's data, reached with that datacenter's credentials: its ZFS
 * datasets (over SSH), its PostgreSQL databases, its Garage buckets, and the commands that start
 * and stop the site's apps on its host. The migration steps (steps.ts) move data between two of
 * these with the replication code the SDK already has (ZFS send/receive, bucket sync, pg_dump).
 */
import { GarageAdmin } from "../../providers/garage/api";
import { SshExecutor, type CommandResult } from "../replication/executor";
import { ensureDatabase, type PostgresConnection } from "../replication/postgresCopy";
import { databaseSpec } from "../replication/databaseSpec";
import type { S3Location } from "../storage/s3Sync";
import type { MigrationItem } from "./plan";
import { markerKeyName } from "../../providers/garage/owner";
import { bucketMarkerOwner, claimBucket, claimDatabase, databaseOwner, holdsBucket } from "./placeOwners";
import { expandCommand, locationOf, type DatacenterSecrets, type DatacenterSide } from "./sides";

export interface AppControl {
  /** argv run on the datacenter's host; `{address}`, `{datacenter}`, `{root}` are replaced. */
  readonly start: readonly string[];
  readonly stop: readonly string[];
}

export class SiteData {
  readonly ssh: SshExecutor;
  private readonly garage: GarageAdmin;
  private s3Key?: { accessKeyId: string; secretAccessKey: string };
  private readonly buckets = new Map<string, S3Location>();

  constructor(
    readonly site: string,
    readonly side: DatacenterSide,
    private readonly secrets: DatacenterSecrets,
    /** Marks the databases and buckets it makes as this owner's (placeOwners.ts); none when unset. */
    readonly owner?: string,
  ) {
    this.ssh = new SshExecutor({
      host: side.ssh.host,
      port: side.ssh.port,
      user: side.ssh.user,
      knownHostsPath: side.ssh.knownHostsPath,
      privateKey: secrets.sshPrivateKey,
      // A migration runs dozens of short commands per side: one shared connection (closed by close()).
      multiplex: true,
    });
    this.garage = new GarageAdmin({ adminUrl: side.garage.adminUrl, adminToken: secrets.garageAdminToken });
  }

  where(item: MigrationItem): string {
    return locationOf(this.site, this.side, item);
  }

  database(item: MigrationItem): PostgresConnection {
    return { ...this.side.postgres, password: this.secrets.postgresPassword, database: this.where(item) };
  }

  /** The site's S3 key at this Garage (made on first use), allowed on the item's bucket. */
  async bucket(item: MigrationItem): Promise<S3Location> {
    const name = this.where(item);
    const known = this.buckets.get(name);
    if (known) return known;
    const bucket = await this.garage.bucketByAlias(name);
    if (!bucket)
      throw new Error(`bucket ${name} does not exist at ${this.side.name} (${this.side.garage.adminUrl})`);
    const key = await this.siteKey();
    await this.garage.allow(bucket.id, key.accessKeyId, { read: true, write: true, owner: true });
    const location = {
      endpoint: this.side.garage.s3Endpoint,
      region: this.side.garage.region,
      bucket: name,
      ...key,
    };
    this.buckets.set(name, location);
    return location;
  }

  private async siteKey(): Promise<{ accessKeyId: string; secretAccessKey: string }> {
    if (this.s3Key) return this.s3Key;
    const keyName = `sovereign-site-${this.site}`;
    const existing = (await this.garage.listKeys()).find((k) => k.name === keyName);
    const info = existing ? await this.garage.key(existing.id, true) : await this.garage.createKey(keyName);
    if (!info?.secretAccessKey)
      throw new Error(`Garage at ${this.side.name} did not return the secret of key ${keyName}`);
    this.s3Key = { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey };
    return this.s3Key;
  }

  /**
   * Makes the places the site's data goes to: the ZFS parent, each database (with the collation,
   * ctype and encoding its app's catalog entry asks for, not the cluster's default), each bucket.
   */
  async provision(items: readonly MigrationItem[], withDatasets: boolean): Promise<void> {
    await this.ssh.run(["zfs", "create", "-p", this.side.zfsRoot]);
    for (const item of items) {
      const s = item.state;
      if (this.owner && s.kind !== "directory") {
        if (s.kind === "database")
          await claimDatabase(this.database(item), this.owner, this.side.name, databaseSpec(s));
        else await claimBucket(this.garage, this.where(item), this.owner, this.side.name);
        continue;
      }
      if (s.kind === "database") await ensureDatabase(this.database(item), databaseSpec(s));
      if (s.kind === "bucket" && !(await this.garage.bucketByAlias(this.where(item))))
        await this.garage.createBucket({ globalAlias: this.where(item) });
      if (s.kind === "directory" && s.strategy === "stop-then-rsync") {
        await this.ssh.run(["mkdir", "-p", await this.plainDirectory(item)]);
        continue;
      }
      if (s.kind === "directory" && withDatasets) {
        const exists = await this.ssh.run(["zfs", "list", "-H", this.where(item)], { allowFailure: true });
        if (exists.code !== 0) await this.ssh.run(["zfs", "create", this.where(item)]);
      }
    }
  }

  /** A small directory copied whole (stop-then-rsync): a plain directory in the site's root dataset. */
  async plainDirectory(item: MigrationItem): Promise<string> {
    return `${await this.rootMountpoint()}/${this.where(item).split("/").pop()}`;
  }

  private rootMount?: Promise<string>;

  /**
   * The site's root dataset's mountpoint, asked once (it does not move while the site exists): a
   * migration's write window would otherwise spend a round trip on it for each directory and for
   * each app start and stop.
   */
  private rootMountpoint(): Promise<string> {
    if (!this.rootMount) {
      const asked = this.mountpoint(this.side.zfsRoot);
      this.rootMount = asked;
      asked.catch(() => {
        if (this.rootMount === asked) this.rootMount = undefined;
      });
    }
    return this.rootMount;
  }

  async mountpoint(dataset: string): Promise<string> {
    return (await this.ssh.run(["zfs", "get", "-H", "-o", "value", "mountpoint", dataset])).stdout.trim();
  }

  /**
   * Runs the apps' start or stop command on the host. `writable`: datasets made writable
   * (`readonly=off`) first, in the same SSH command (the migration's start at the target).
   */
  async runApp(app: AppControl, action: "start" | "stop", writable: readonly string[] = []): Promise<void> {
    if (writable.length === 0) {
      await this.runOnHost(app[action]);
      return;
    }
    const script =
      'n=$1; shift; for d in $(seq "$n"); do zfs set readonly=off "$1" || exit 1; shift; done; exec "$@"';
    await this.runOnHost(["sh", "-c", script, "sh", String(writable.length), ...writable, ...app[action]]);
  }

  /** argv on the site host, `{address}`, `{datacenter}`, `{root}` replaced; `input` on its stdin. */
  async runOnHost(argv: readonly string[], input?: string): Promise<CommandResult> {
    const vars = {
      address: this.side.address,
      datacenter: this.side.name,
      root: await this.rootMountpoint(),
    };
    return this.ssh.run(expandCommand(argv, vars), input === undefined ? {} : { input });
  }

  /** Deletes this datacenter's copy of the site's data (the retire step, after verification). */
  async retire(items: readonly MigrationItem[], warn: (line: string) => void = () => {}): Promise<void> {
    const { dropDatabase } = await import("../replication/postgresCopy");
    for (const item of items) {
      const s = item.state;
      if (this.owner && s.kind !== "directory" && !(await this.stillHolds(item))) {
        warn(`${this.where(item)} at ${this.side.name} is no longer ${this.owner}'s: left in place`);
        continue;
      }
      if (s.kind === "directory" && s.strategy === "stop-then-rsync")
        await this.ssh.run(["rm", "-rf", "--one-file-system", await this.plainDirectory(item)]);
      else if (s.kind === "directory") await this.destroyDataset(this.where(item));
      if (s.kind === "database") await dropDatabase(this.database(item));
      if (s.kind === "bucket") await this.emptyAndDeleteBucket(item);
    }
  }

  /**
   * Destroys a dataset and its snapshots. zfs-fuse may call a dataset busy for a moment after its
   * last writer stopped: retried, the last tries forcing the unmount (the apps here are stopped
   * and the copy verified). A destroy that did not happen fails the step, so the next up retries
   * it; it is never reported as done.
   */
  private async destroyDataset(dataset: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const force = attempt > 2 ? ["-f"] : [];
      const r = await this.ssh.run(["zfs", "destroy", "-r", ...force, "--", dataset], { allowFailure: true });
      if (r.code === 0 || /does not exist/.test(r.stderr)) return;
      if (attempt >= 6 || !/busy/i.test(r.stderr))
        throw new Error(`could not destroy ${dataset} at ${this.side.name}: ${r.stderr.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }

  private async stillHolds(item: MigrationItem): Promise<boolean> {
    if (item.state.kind === "database") {
      const owner = await databaseOwner(this.database(item));
      return owner === undefined || owner === this.owner;
    }
    const alias = this.where(item);
    return !(await this.garage.bucketByAlias(alias)) || holdsBucket(this.garage, alias, this.owner!);
  }

  private async emptyAndDeleteBucket(item: MigrationItem): Promise<void> {
    const found = await this.garage.bucketByAlias(this.where(item));
    if (!found) return;
    const { s3Client, listObjects } = await import("../storage/s3Sync");
    const { DeleteObjectsCommand } = await import("@aws-sdk/client-s3");
    const location = await this.bucket(item);
    const client = s3Client(location);
    try {
      const objects = await listObjects(client, location.bucket);
      for (let i = 0; i < objects.length; i += 1000)
        await client.send(
          new DeleteObjectsCommand({
            Bucket: location.bucket,
            Delete: { Objects: objects.slice(i, i + 1000).map((o) => ({ Key: o.key })), Quiet: true },
          }),
        );
    } finally {
      client.destroy();
    }
    await this.garage.deleteBucket(found.id);
    if (this.owner) {
      const markerName = markerKeyName(bucketMarkerOwner(this.owner, this.where(item)));
      const marker = (await this.garage.listKeys()).find((k) => k.name === markerName);
      if (marker) await this.garage.deleteKey(marker.id);
    }
  }

  close(): void {
    this.ssh.close();
  }
}
