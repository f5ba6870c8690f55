/**
 * What an app gets from the site's services, through the real engine: PeerTube (PostgreSQL, object
 * storage, SMTP) as a FediService on a real PostgreSQL and a real Garage. Its database is owned by
 * its own role (which logs in with the generated password), its bucket's own key writes and reads
 * over S3, its SMTP sender account is listed by the site's MailDomain, and no password or key is in
 * the state in plain text.
 */
import * as assert from "assert";
import { Client } from "pg";
import * as pulumi from "@pulumi/pulumi";
import { appSenderMailboxes, FediService } from "../../sdk/apps";
import { MailDomain } from "../../sdk/mail";
import { builtinSecrets } from "../../sdk/secrets";
import { startGarage, startPowerDns, useService } from "../harness";
import { backendFilesText } from "../harness/stateFiles";
import type { TestStack } from "../harness/workspace";
import { emptyBucket, garageStack, getText, location, putText } from "../providers/garage/helpers";
import { setPowerDnsKey } from "../providers/powerdns/helpers";
import { s3Client } from "../../sdk/storage/s3Sync";
import { testZone } from "./zone";

const quiet = { color: "never" as const };

describe("an app's database, bucket and SMTP account (real engine, PostgreSQL, Garage)", function () {
  this.timeout(600_000);
  let t: TestStack;
  let outputs: Record<string, { value: unknown; secret: boolean }>;
  // Before the services' own hooks: the stack is destroyed while they still run.
  after(async () => {
    const bucket = outputs?.bucket?.value as { name: string; accessKeyId: string; secretAccessKey: string };
    if (bucket) await emptyBucket(location(garage(), bucket.name, bucket)).catch(() => undefined);
    await t?.dispose();
  });
  const pdns = useService(() => startPowerDns());
  const pg = useService("postgres");
  const garage = useService(() => startGarage());

  before(async () => {
    t = await garageStack("apps-resources", garage(), async () => {
      const zone = testZone(pdns(), "appres", { media1: "127.0.0.1" });
      const secrets = builtinSecrets();
      const g = garage();
      const fedi = new FediService("video", {
        app: "peertube",
        host: "media1",
        zone,
        domain: "appres.test",
        secrets,
        postgres: { host: pg().host, port: pg().port, adminUser: pg().user },
        garage: { adminUrl: g.adminUrl, s3Endpoint: g.s3Endpoint, region: g.region },
        smtp: { host: "mail.appres.test", domain: "appres.test" },
        protect: false,
      });
      const video = fedi.app;
      // The site's mail domain lists the apps' sender accounts beside the people's mailboxes.
      const mail = new MailDomain("mail", {
        zone,
        mailHost: "mail",
        dkim: { selectors: [{ selector: "s1" }], signWith: "s1" },
        secrets,
        mailboxes: [{ address: "alice" }, ...appSenderMailboxes([video])],
        protect: false,
      });
      const db = video.databases.video;
      const [bucket] = Object.values(video.buckets);
      return {
        database: { name: db.name, user: db.user, password: db.password },
        bucket: {
          name: bucket.bucketName,
          accessKeyId: bucket.accessKeyId,
          secretAccessKey: bucket.secretAccessKey,
        },
        smtp: pulumi.secret({
          username: video.smtp?.username,
          password: video.smtp?.password,
          from: video.smtp?.from,
          port: video.smtp?.port,
        }),
        mailboxes: mail.mailboxes.mailboxes.map((m) => m.address),
      };
    });
    await setPowerDnsKey(t, pdns().apiKey);
    await t.stack.setConfig("sovereign:postgresAdminPassword", { value: pg().password, secret: true });
  });

  it("up makes the app's database owned by its own role, which logs in with the generated password", async () => {
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.summary.result, "succeeded");
    outputs = up.outputs;
    const db = outputs.database.value as { name: string; user: string; password: string };
    assert.deepStrictEqual([db.name, db.user], ["video", "video"]);
    const c = new Client({
      host: pg().host,
      port: pg().port,
      user: db.user,
      password: db.password,
      database: db.name,
    });
    await c.connect();
    try {
      const row = (
        await c.query(
          "SELECT current_user, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()",
        )
      ).rows[0] as Record<string, string>;
      assert.deepStrictEqual(row, { current_user: "video", owner: "video" });
    } finally {
      await c.end();
    }
  });

  it("its media bucket is on Garage and the bucket's own key writes and reads it", async () => {
    const bucket = outputs.bucket.value as { name: string; accessKeyId: string; secretAccessKey: string };
    assert.strictEqual(bucket.name, "video-videos");
    const s3 = s3Client(location(garage(), bucket.name, bucket));
    await putText(s3, bucket.name, "probe.txt", "a video");
    assert.strictEqual(await getText(s3, bucket.name, "probe.txt"), "a video");
  });

  it("its SMTP sender account: user name, generated password, sender; the MailDomain lists the mailbox", () => {
    const smtp = outputs.smtp.value as { username: string; password: string; from: string; port: number };
    assert.strictEqual(smtp.username, "video-noreply@appres.test");
    assert.strictEqual(smtp.from, "video-noreply@appres.test");
    assert.strictEqual(smtp.port, 587);
    assert.match(smtp.password, /^[0-9a-f]{64}$/);
    assert.deepStrictEqual(outputs.mailboxes.value, ["alice@appres.test", "video-noreply@appres.test"]);
  });

  it("a second up changes nothing; no password or key in the state in plain text", async () => {
    const again = await t.stack.up(quiet);
    assert.deepStrictEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"]);
    const state = backendFilesText(t.engine.backendDir);
    const db = outputs.database.value as { password: string };
    const bucket = outputs.bucket.value as { secretAccessKey: string };
    const smtp = outputs.smtp.value as { password: string };
    for (const secret of [db.password, bucket.secretAccessKey, smtp.password, pg().password])
      assert.ok(!state.includes(secret), "a secret is in the state in plain text");
  });
});
