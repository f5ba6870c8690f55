/**
 * Backups as deployments to a file, through the real engine: a site runs at dc-a with files (ZFS
 * and a plain directory), rows and objects; `backupSite` writes one archive, then an incremental
 * one (age-encrypted) with only the change (of the database, only the table whose rows changed),
 * then one after a table was added and another dropped; the site is lost (its stack destroyed);
 * `restoreSite` deploys the chain of three as a new stack at dc-b and loads the data, which is
 * checked by checksum.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { useService } from "../harness";
import type { DatacenterService } from "../harness/datacenter";
import { dig } from "../harness/dig";
import { createTestStack, type TestStack } from "../harness/workspace";
import { parseSiteConfig } from "../../sdk/config";
import { appDefinition } from "../../sdk/apps/catalog";
import { Migration } from "../../sdk/migration";
import type { MigrationItem } from "../../sdk/migration/plan";
import { DATACENTER_SECRETS_CONFIG, type DatacenterSide } from "../../sdk/migration/sides";
import { SiteData, type AppControl } from "../../sdk/migration/siteData";
import { psql, tableChecksums } from "../../sdk/replication/postgresCopy";
import { listObjects, s3Client } from "../../sdk/storage/s3Sync";
import { backupSite, readManifest, restoreSite, SiteStacks, type BackupManifest } from "../../sdk/backup";
import { PowerDnsClient } from "../../providers/powerdns/client";
import { PowerDnsRecordSet, PowerDnsZone } from "../../providers/powerdns";
import { dependentSteps } from "../support/steps";

const PORT = 8081;
const run = randomBytes(3).toString("hex");
const SITE = `bak${run}`;
const DOMAIN = `${SITE}.coop.test`;
const pidFile = `/tmp/sovereign-backup-app-${run}-{datacenter}.pid`;
/** The "app": a web server on the datacenter's address serving the site's datasets. */
const app: AppControl = {
  start: [
    "sh",
    "-c",
    `cd "$1" || exit 1; nohup python3 -m http.server --bind "$2" ${PORT} </dev/null >/dev/null 2>&1 & echo $! > "$3"`,
    "sh",
    "{root}",
    "{address}",
    pidFile,
  ],
  stop: ["sh", "-c", 'if [ -f "$1" ]; then kill "$(cat "$1")" || true; rm -f "$1"; fi', "sh", pidFile],
};

/** Each datacenter's description and credentials, as the site's stack config holds them. */
function datacenterConfig(dcs: DatacenterService[]) {
  const sides: Record<string, DatacenterSide> = {};
  const secrets: Record<
    string,
    { sshPrivateKey: string; postgresPassword: string; garageAdminToken: string }
  > = {};
  for (const dc of dcs) {
    const { sshd, postgres, garage } = dc;
    sides[dc.datacenter] = {
      name: dc.datacenter,
      address: dc.address,
      ssh: { host: sshd.host, port: sshd.port, user: sshd.user, knownHostsPath: sshd.knownHostsPath },
      zfsRoot: `${dc.pool.name}/${SITE}`,
      postgres: { host: postgres.host, port: postgres.port, user: postgres.user },
      garage: { s3Endpoint: garage.s3Endpoint, adminUrl: garage.adminUrl, region: garage.region },
    };
    secrets[dc.datacenter] = {
      sshPrivateKey: sshd.privateKey,
      postgresPassword: postgres.password,
      garageAdminToken: garage.adminToken,
    };
  }
  return { sides, secrets };
}

/** The site program: where it runs follows `sovereign:site`'s datacenter. */
function siteProgram(pdnsApiUrl: string) {
  return async () => {
    const config = new pulumi.Config("sovereign");
    const site = parseSiteConfig(config.requireObject("site"));
    const migration = new Migration("site-location", {
      site: site.name,
      datacenter: site.datacenter,
      datacenters: config.requireObject<Record<string, DatacenterSide>>("datacenters"),
      items: site.apps.flatMap((a) => appDefinition(a.app).state.map((state) => ({ app: a.name, state }))),
      keepSource: false,
      app,
      dns: {
        apiUrl: pdnsApiUrl,
        serverId: "localhost",
        zone: `${site.domain}.`,
        names: [`www.${site.domain}.`],
        ttl: site.dns.ttl,
        switchTtl: 5,
        ttlWaitCapSeconds: 2,
      },
    });
    const zone = new PowerDnsZone("zone", {
      apiUrl: pdnsApiUrl,
      name: `${site.domain}.`,
      nameservers: [`ns1.${site.domain}.`],
      forceDelete: true,
    });
    new PowerDnsRecordSet("www", {
      apiUrl: pdnsApiUrl,
      zone: zone.name,
      name: `www.${site.domain}.`,
      type: "A",
      ttl: site.dns.ttl,
      records: [migration.servingAddress],
    });
    return { servingAt: migration.servingAt };
  };
}

const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

describe("backups as deployments to a file (real engine, two datacenters)", function () {
  this.timeout(600_000);
  dependentSteps(this); // each test builds on the one before
  const pdns = useService("powerdns");
  const [dcA, dcB] = ["dc-a", "dc-b"].map((instance) =>
    useService("datacenter", { instance, timeoutMs: 300_000 }),
  );
  let test: TestStack;
  let stacks: SiteStacks;
  let data: { a: SiteData; b: SiteData };
  let work: string;
  const files: Record<string, string> = {};
  const objects: Record<string, string> = {};
  let configText = "";
  let full: BackupManifest;
  const items: MigrationItem[] = [
    ...appDefinition("pixelfed").state.map((state) => ({ app: "pixelfed", state })),
    ...appDefinition("edumeet").state.map((state) => ({ app: "edumeet", state })),
  ];
  const item = (kind: string, strategy?: string) =>
    items.find((i) => i.state.kind === kind && (!strategy || i.state.strategy === strategy))!;
  const [dbItem, zfsItem, bucketItem, plainItem] = [
    item("database"),
    item("directory", "zfs-send-receive"),
    item("bucket"),
    item("directory", "stop-then-rsync"),
  ];
  const archive = (name: string) => path.join(work, name);
  const ageKey = () => path.join(work, "age.key");
  const siteConfig = {
    name: SITE,
    domain: DOMAIN,
    datacenter: "dc-a",
    protect: false,
    dns: { endpoint: "local", ttl: 60 },
    hosts: [{ name: "web1", kind: "existing", address: "127.0.10.1" }],
    apps: [
      { app: "pixelfed", host: "web1", domain: DOMAIN },
      { app: "edumeet", host: "web1" },
    ],
    externalServices: ["postgresql", "redis", "smtp", "objectStorage", "oidc"],
  };
  const putObject = async (key: string, body: Buffer) => {
    const location = await data.a.bucket(bucketItem);
    const client = s3Client(location);
    try {
      await client.send(new PutObjectCommand({ Bucket: location.bucket, Key: key, Body: body }));
      objects[key] = sha(body);
    } finally {
      client.destroy();
    }
  };
  const writeFile = async (name: string, text: string) => {
    fs.writeFileSync(path.join(await data.a.mountpoint(data.a.where(zfsItem)), name), text);
    files[name] = sha(text);
  };

  before(async function () {
    this.timeout(300_000);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-backup-test-"));
    execFileSync("age-keygen", ["-o", ageKey()], { stdio: "ignore" });
    const p = pdns();
    test = await createTestStack("backup", siteProgram(p.apiUrl));
    stacks = new SiteStacks(test.stack.workspace as LocalWorkspace);
    const { sides, secrets } = datacenterConfig([dcA(), dcB()]);
    await test.stack.setConfig("sovereign:powerdnsApiKey", { value: p.apiKey, secret: true });
    await test.stack.setConfig(DATACENTER_SECRETS_CONFIG, { value: JSON.stringify(secrets), secret: true });
    await test.stack.setConfig("sovereign:datacenters", { value: JSON.stringify(sides) });
    await test.stack.setConfig("sovereign:site", { value: JSON.stringify(siteConfig) });
    data = {
      a: new SiteData(SITE, sides["dc-a"], secrets["dc-a"]),
      b: new SiteData(SITE, sides["dc-b"], secrets["dc-b"]),
    };
  });

  after(async function () {
    this.timeout(300_000);
    if (stacks && (await stacks.exists("restored"))) {
      const restored = await stacks.open("restored");
      await restored.destroy({ color: "never" }).catch(() => undefined);
      await test.stack.workspace.removeStack("restored").catch(() => undefined);
    }
    for (const d of data ? [data.a, data.b] : []) {
      await d.runApp(app, "stop").catch(() => undefined);
      await d.retire(items).catch(() => undefined);
      await d.ssh.run(["zfs", "destroy", "-r", d.side.zfsRoot], { allowFailure: true });
      d.close();
    }
    await test?.dispose();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("runs at dc-a with files on ZFS and in a plain directory, rows and objects", async () => {
    await test.stack.up({ color: "never" });
    for (let i = 0; i < 20; i++) await writeFile(`photo-${i}.txt`, randomBytes(3000 + i).toString("base64"));
    configText = JSON.stringify({ listenPort: 443, note: randomBytes(8).toString("hex") });
    fs.writeFileSync(path.join(await data.a.plainDirectory(plainItem), "config.json"), configText);
    await psql(
      data.a.database(dbItem),
      `CREATE TABLE posts (id serial primary key, body text);
       INSERT INTO posts (body) SELECT 'post ' || g FROM generate_series(1, 500) g;
       CREATE TABLE comments (id serial primary key, post_id int NOT NULL REFERENCES posts (id), body text);
       INSERT INTO comments (post_id, body) SELECT 1 + g % 500, repeat('comment ' || g || ' ', 12) FROM generate_series(1, 3000) g;
       CREATE TABLE old_notes (note text); INSERT INTO old_notes VALUES ('dropped before the last backup');`,
    );
    for (let i = 0; i < 10; i++) await putObject(`media/${i}.bin`, randomBytes(4096 + i));
    // A record the stack does not declare: it comes back from the archived zone.
    await new PowerDnsClient({
      apiUrl: pdns().apiUrl,
      serverId: "localhost",
      apiKey: pdns().apiKey,
    }).patchRRSets(`${DOMAIN}.`, [
      {
        name: `_verify.${DOMAIN}.`,
        type: "TXT",
        ttl: 60,
        changetype: "REPLACE",
        records: [{ content: '"kept-by-backup"', disabled: false }],
      },
    ]);
    assert.deepStrictEqual(await dig(pdns(), `www.${DOMAIN}`, "A"), [dcA().address]);
  });

  it("refuses bad input before anything is read or changed", async () => {
    await assert.rejects(
      backupSite(stacks, { stack: "nope", file: archive("x.tar") }),
      /no stack named "nope".*test/,
    );
    await assert.rejects(
      backupSite(stacks, { stack: "test", file: archive("x.tar"), since: archive("missing.tar") }),
      /--since .*missing\.tar: no such archive/,
    );
    await assert.rejects(
      backupSite(stacks, { stack: "test", file: archive("x.tar"), ageRecipient: "not-a-recipient" }),
      /--age-recipient "not-a-recipient" is not usable/,
    );
    await assert.rejects(
      restoreSite(stacks, { file: archive("missing.tar"), as: "restored" }),
      /no archive at/,
    );
    fs.writeFileSync(archive("some.tar"), "");
    await assert.rejects(
      restoreSite(stacks, { file: archive("some.tar"), as: "test" }),
      /stack "test" exists already/,
    );
    assert.deepStrictEqual(fs.readdirSync(work).sort(), ["age.key", "some.tar"], "nothing was written");
    assert.ok(!(await stacks.exists("restored")));
  });

  it("backup writes one archive with a manifest of checksums and no plaintext secret", async () => {
    full = await backupSite(stacks, { stack: "test", file: archive("full.tar") });
    const paths = full.entries.map((e) => e.path);
    for (const p of ["config/Pulumi.test.yaml", "state/stack.json", "dns/zone.json"])
      assert.ok(paths.includes(p), p);
    assert.strictEqual(full.entries.filter((e) => e.path.includes("/objects/")).length, 10);
    assert.ok(full.entries.every((e) => /^[0-9a-f]{64}$/.test(e.sha256)));
    assert.ok(
      full.items.some((i) => i.backup.kind === "zfs" && !i.backup.from),
      "a full ZFS stream",
    );
    assert.deepStrictEqual(full.datacenter, "dc-a");
    const db = databaseBackup(full);
    assert.deepStrictEqual(
      Object.entries(db.tables).map(([t, b]) => [t, Boolean(b.entry)]),
      [
        ["comments", true],
        ["old_notes", true],
        ["posts", true],
      ],
      "a full backup carries the rows of every table",
    );
    assert.match(db.tables.posts.checksum, /^500 h128:-?\d+\.-?\d+$/);
    const bytes = fs.readFileSync(archive("full.tar")).toString("latin1");
    assert.ok(
      bytes.includes(configText),
      "the archive holds the site's files (so the search below can find text)",
    );
    const keyLines = dcA().sshd.privateKey.trim().split("\n");
    const secrets = {
      "dc-a PostgreSQL password": dcA().postgres.password,
      "dc-b Garage admin token": dcB().garage.adminToken,
      "PowerDNS API key": pdns().apiKey,
      "dc-a SSH private key": keyLines.slice(2, -1).join(""),
    };
    for (const [what, secret] of Object.entries(secrets))
      assert.ok(!bytes.replace(/\\n|\n/g, "").includes(secret), `the ${what} is in the archive`);
  });

  it("a corrupted archive or an unknown datacenter is refused, naming it, before anything changes", async () => {
    const copy = archive("corrupt.tar");
    const bytes = fs.readFileSync(archive("full.tar"));
    const at = bytes.indexOf("post 250");
    assert.ok(at > 0, "the dump's rows are in the archive");
    bytes[at] = "P".charCodeAt(0);
    fs.writeFileSync(copy, bytes);
    await assert.rejects(
      restoreSite(stacks, { file: copy, as: "restored", datacenter: "dc-b" }),
      /damaged, refused: entry data\/pixelfed-database-pixelfed\/tables\/posts\.copy is corrupted/,
    );
    await assert.rejects(
      restoreSite(stacks, { file: archive("full.tar"), as: "restored", datacenter: "dc-z" }),
      /--datacenter dc-z is not one the site describes \(dc-a, dc-b\)/,
    );
    assert.ok(!(await stacks.exists("restored")), "no stack was made");
    assert.ok(!fs.existsSync(await stacks.configFile("restored")), "no stack config was written");
    fs.rmSync(copy);
  });

  it("an incremental backup (age-encrypted) carries only the change, of the database only the changed table", async () => {
    await writeFile("photo-new.txt", "a photo added after the full backup");
    await putObject("media/3.bin", randomBytes(5000));
    configText = JSON.stringify({ listenPort: 8443 });
    fs.writeFileSync(path.join(await data.a.plainDirectory(plainItem), "config.json"), configText);
    fs.writeFileSync(path.join(await data.a.plainDirectory(plainItem), "extra.txt"), "new file");
    await psql(data.a.database(dbItem), "INSERT INTO posts (body) VALUES ('after the full backup');");
    const recipient = execFileSync("age-keygen", ["-y", ageKey()], { encoding: "utf8" }).trim();
    const incr = await backupSite(stacks, {
      stack: "test",
      file: archive("incr.tar.age"),
      since: archive("full.tar"),
      ageRecipient: recipient,
    });
    assert.deepStrictEqual(incr.base, { id: full.id, file: "full.tar" });
    const objectEntries = incr.entries.filter((e) => e.path.includes("/objects/"));
    assert.strictEqual(objectEntries.length, 1, "only the changed object");
    const zfsBackup = (m: BackupManifest) => m.items.find((i) => i.backup.kind === "zfs")!.backup;
    const fullZfs = zfsBackup(full);
    const incrZfs = zfsBackup(incr);
    assert.ok(incrZfs.kind === "zfs" && fullZfs.kind === "zfs");
    assert.strictEqual(
      incrZfs.from,
      fullZfs.snapshot,
      "a ZFS incremental stream from the full backup's snapshot",
    );
    const size = (m: BackupManifest, p: string) => m.entries.find((e) => e.path === p)!.bytes;
    assert.ok(
      size(incr, incrZfs.entry) * 4 < size(full, fullZfs.entry),
      `incremental stream ${size(incr, incrZfs.entry)} bytes, full ${size(full, fullZfs.entry)}`,
    );
    const filesBackup = incr.items.find((i) => i.backup.kind === "files")!.backup;
    assert.ok(filesBackup.kind === "files");
    const listing = execFileSync("tar", ["-tf", "-"], {
      input: await extractEntry(archive("incr.tar.age"), filesBackup.entry, ageKey()),
      encoding: "utf8",
    });
    assert.deepStrictEqual(listing.split("\n").filter(Boolean).sort(), ["./config.json", "./extra.txt"]);

    const dbDir = "data/pixelfed-database-pixelfed/";
    const inArchive = (await listArchive(archive("incr.tar.age"), ageKey())).filter((p) =>
      p.startsWith(dbDir),
    );
    assert.deepStrictEqual(
      inArchive.map((p) => p.slice(dbDir.length)).sort(),
      ["post-schema.sql", "schema.sql", "sequences.sql", "tables/posts.copy"],
      "of the database, the schema, the sequences and the rows of the one table that changed",
    );
    const tables = databaseBackup(incr).tables;
    assert.deepStrictEqual(Object.keys(tables), ["comments", "old_notes", "posts"]);
    assert.ok(
      !tables.comments.entry && tables.comments.checksum === databaseBackup(full).tables.comments.checksum,
    );
    assert.match(tables.posts.checksum, /^501 /);
    const dbBytes = (m: BackupManifest) =>
      m.entries.filter((e) => e.path.startsWith(dbDir)).reduce((n, e) => n + e.bytes, 0);
    assert.ok(
      dbBytes(incr) * 4 < dbBytes(full),
      `database entries ${dbBytes(incr)} bytes, full ${dbBytes(full)}`,
    );
    assert.ok(
      fs.statSync(archive("incr.tar.age")).size * 4 < fs.statSync(archive("full.tar")).size,
      "the incremental archive is a fraction of the full one",
    );
  });

  it("a table added and one dropped since: the next incremental carries only the new table", async () => {
    await psql(
      data.a.database(dbItem),
      "DROP TABLE old_notes; CREATE TABLE tags (name text primary key); INSERT INTO tags VALUES ('cats'), ('dogs');",
    );
    const incr2 = await backupSite(stacks, {
      stack: "test",
      file: archive("incr2.tar"),
      since: archive("incr.tar.age"),
      ageIdentity: ageKey(),
    });
    const tables = databaseBackup(incr2).tables;
    assert.deepStrictEqual(Object.keys(tables), ["comments", "posts", "tags"], "old_notes is gone");
    assert.deepStrictEqual(
      Object.keys(tables).filter((t) => tables[t].entry),
      ["tags"],
      "only the new table's rows",
    );
    assert.deepStrictEqual(
      (await listArchive(archive("incr2.tar"))).filter((p) => p.includes("/tables/")),
      ["data/pixelfed-database-pixelfed/tables/tags.copy"],
    );
  });

  it("a chain whose base is missing or another backup is refused, naming the archives", async () => {
    const lone = path.join(work, "lone");
    fs.mkdirSync(lone);
    fs.copyFileSync(archive("incr2.tar"), path.join(lone, "incr2.tar"));
    await assert.rejects(
      restoreSite(stacks, { file: path.join(lone, "incr2.tar"), as: "restored", ageIdentity: ageKey() }),
      /incr2\.tar is incremental: its base incr\.tar\.age \(backup [0-9a-f-]+\) must lie beside it/,
    );
    // The base's file name, but another backup (the full one) under it.
    fs.copyFileSync(archive("full.tar"), path.join(lone, "incr.tar.age"));
    await assert.rejects(
      restoreSite(stacks, { file: path.join(lone, "incr2.tar"), as: "restored", ageIdentity: ageKey() }),
      new RegExp(
        `incr2\\.tar is incremental on backup [0-9a-f-]+, but .*incr\\.tar\\.age beside it is backup ${full.id}`,
      ),
    );
    assert.ok(!(await stacks.exists("restored")), "no stack was made");
    fs.rmSync(lone, { recursive: true });
  });

  it("the age-encrypted archive is unreadable without the identity", async () => {
    const bytes = fs.readFileSync(archive("incr.tar.age")).toString("latin1");
    assert.ok(!bytes.includes("sovereign-site-backup") && !bytes.includes(configText), "no plaintext inside");
    await assert.rejects(
      readManifest(archive("incr.tar.age")),
      /encrypted with age: give the identity file with --age-identity/,
    );
    const other = path.join(work, "other.key");
    execFileSync("age-keygen", ["-o", other], { stdio: "ignore" });
    await assert.rejects(readManifest(archive("incr.tar.age"), other), /cannot read .*no identity matched/);
    assert.strictEqual((await readManifest(archive("incr.tar.age"), ageKey())).base?.id, full.id);
  });

  it("restore of the chain as a new stack at dc-b gives the same data, checked by checksum", async () => {
    const expectedRows = await tableChecksums(data.a.database(dbItem));
    // The site is lost: its stack is destroyed (the data the stack kept at dc-a stays, unused).
    await test.stack.destroy({ color: "never" });
    await restoreSite(stacks, {
      file: archive("incr2.tar"),
      as: "restored",
      datacenter: "dc-b",
      ageIdentity: ageKey(),
      log: (line) => console.log(`      ${line}`),
    });
    const restored = await stacks.open("restored");
    assert.strictEqual((await restored.outputs()).servingAt.value, "dc-b");
    const config = fs.readFileSync(await stacks.configFile("restored"), "utf8");
    assert.match(config, /datacenter\\?":\\?"dc-b/);
    assert.ok(!config.includes(pdns().apiKey), "the restored config keeps its secrets encrypted");

    const mount = await data.b.mountpoint(data.b.where(zfsItem));
    assert.deepStrictEqual(fs.readdirSync(mount).sort(), Object.keys(files).sort());
    for (const [file, digest] of Object.entries(files))
      assert.strictEqual(sha(fs.readFileSync(path.join(mount, file))), digest, file);
    const plain = await data.b.plainDirectory(plainItem);
    assert.strictEqual(fs.readFileSync(path.join(plain, "config.json"), "utf8"), configText);
    assert.strictEqual(fs.readFileSync(path.join(plain, "extra.txt"), "utf8"), "new file");
    assert.deepStrictEqual(await tableChecksums(data.b.database(dbItem)), expectedRows);
    assert.match(expectedRows.posts, /^501 /);
    assert.deepStrictEqual(Object.keys(expectedRows), ["comments", "posts", "tags"]);
    assert.deepStrictEqual(await objectDigests(data.b, bucketItem), objects);
    assert.deepStrictEqual(await dig(pdns(), `www.${DOMAIN}`, "A"), [dcB().address]);
    assert.deepStrictEqual(await dig(pdns(), `_verify.${DOMAIN}`, "TXT"), ['"kept-by-backup"']);
    const answer = await fetch(`http://${dcB().address}:${PORT}/`, { signal: AbortSignal.timeout(5000) });
    assert.strictEqual(answer.status, 200, "the app answers at dc-b");
  });
});

/** sha256 of every object in the item's bucket, by key. */
async function objectDigests(data: SiteData, bucket: MigrationItem): Promise<Record<string, string>> {
  const location = await data.bucket(bucket);
  const client = s3Client(location);
  const out: Record<string, string> = {};
  try {
    for (const o of await listObjects(client, location.bucket)) {
      const got = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: o.key }));
      out[o.key] = sha(Buffer.from(await got.Body!.transformToByteArray()));
    }
    return out;
  } finally {
    client.destroy();
  }
}

/** The database backup of a manifest. */
function databaseBackup(m: BackupManifest) {
  const b = m.items.find((i) => i.backup.kind === "database")?.backup;
  assert.ok(b?.kind === "database", "the archive holds a database");
  return b;
}

/** The entries of an archive (`tar -t`), through age when an identity is given. */
async function listArchive(file: string, identity?: string): Promise<string[]> {
  const script = identity ? 'age -d -i "$2" "$1" | tar -tf -' : 'tar -tf "$1"';
  return execFileSync("bash", ["-c", `set -o pipefail; ${script}`, "bash", file, identity ?? ""], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
}

/** One entry of an archive, read through age. */
async function extractEntry(file: string, entry: string, identity: string): Promise<Buffer> {
  return execFileSync(
    "bash",
    ["-c", 'age -d -i "$1" "$2" | tar -xOf - "$3"', "bash", identity, file, entry],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
}
