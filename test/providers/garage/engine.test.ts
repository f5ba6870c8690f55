/**
 * The Garage providers and GarageBucket through the real Pulumi engine (Automation API, inline
 * programs, local backend) against a real Garage; data-plane checks with the AWS SDK's S3 client.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { startGarage, useService } from "../../harness";
import type { GarageService } from "../../harness/types";
import { assertNoPlaintextSecrets } from "../../harness/stateFiles";
import type { TestStack } from "../../harness/workspace";
import { GarageAccessKey, GarageBucketPermission, GarageBucketResource } from "../../../providers/garage";
import { BucketReplication, GarageBucket } from "../../../sdk/storage";
import {
  adminFor,
  emptyBucket,
  getText,
  garageStack,
  getWithHost,
  location,
  putText,
  restartGarage,
  s3Client,
  stopGarage,
} from "./helpers";
import { fails } from "../../support/failure";

const quiet = { color: "never" as const };

interface Spec {
  bucket?: { globalAliases?: unknown; quotas?: unknown; website?: unknown; cors?: unknown; adopt?: boolean };
  key?: boolean;
  permissions?: unknown;
}

/** bucket + key + permission, as the raw resources, read from `spec()` at run time. */
function program(garage: () => GarageService, spec: () => Spec) {
  return async (): Promise<Record<string, unknown>> => {
    const g = garage();
    const p = spec();
    const conn = { adminUrl: g.adminUrl };
    const out: Record<string, unknown> = {};
    const bucket = p.bucket
      ? new GarageBucketResource("bucket", { ...conn, ...(p.bucket as object) } as never)
      : undefined;
    const key = p.key ? new GarageAccessKey("key", { ...conn, name: "app" }) : undefined;
    if (bucket) out.bucketId = bucket.bucketId;
    if (key) Object.assign(out, { accessKeyId: key.keyId, secretAccessKey: key.secretAccessKey });
    if (bucket && key && p.permissions)
      new GarageBucketPermission("perm", {
        ...conn,
        bucketId: bucket.bucketId,
        accessKeyId: key.keyId,
        permissions: p.permissions as string[],
      });
    return out;
  };
}

describe("Garage providers through the real engine", function () {
  this.timeout(600_000);
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks) await t.dispose().catch(() => undefined);
  });
  const garage = useService(() => startGarage());
  async function stackFor(name: string, spec: () => Spec): Promise<TestStack> {
    const t = await garageStack(name, garage(), program(garage, spec));
    stacks.push(t);
    return t;
  }

  it("bucket, key and permission: the key reads and writes over S3, loses access when the permission goes; no secret in state", async () => {
    const g = garage();
    let spec: Spec = {
      bucket: { globalAliases: ["lifecycle"], quotas: { maxSize: "1GiB", maxObjects: 1000 } },
      key: true,
      permissions: ["read", "write"],
    };
    const t = await stackFor("garage-lifecycle", () => spec);
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.summary.resourceChanges?.create, 4);
    const bucketId = up.outputs.bucketId.value as string;
    const creds = {
      accessKeyId: up.outputs.accessKeyId.value as string,
      secretAccessKey: up.outputs.secretAccessKey.value as string,
    };
    assert.ok(up.outputs.secretAccessKey.secret, "the secret key is a secret output");
    const info = await adminFor(g).bucketById(bucketId);
    assert.deepStrictEqual(info?.globalAliases, ["lifecycle"]);
    assert.deepStrictEqual(info?.quotas, { maxSize: 2 ** 30, maxObjects: 1000 });

    const s3 = s3Client(location(g, "lifecycle", creds));
    await putText(s3, "lifecycle", "hello.txt", "hello garage");
    assert.strictEqual(await getText(s3, "lifecycle", "hello.txt"), "hello garage");

    const same = await t.stack.up(quiet);
    assert.deepStrictEqual(same.summary.resourceChanges, { same: 4 });
    const refreshed = await t.stack.refresh(quiet);
    assert.deepStrictEqual(refreshed.summary.resourceChanges, { same: 4 });

    spec = { ...spec, permissions: ["read"] };
    const readOnly = await t.stack.up(quiet);
    assert.deepStrictEqual(readOnly.summary.resourceChanges, { same: 3, update: 1 });
    assert.strictEqual(await getText(s3, "lifecycle", "hello.txt"), "hello garage");
    assert.match(
      await fails(putText(s3, "lifecycle", "nope.txt", "x")),
      /Forbidden|Access ?Denied|not allowed/i,
    );

    spec = { ...spec, permissions: undefined };
    await t.stack.up(quiet);
    assert.match(await fails(getText(s3, "lifecycle", "hello.txt")), /Forbidden|Access ?Denied|not allowed/i);

    // Neither the admin token nor the secret key in plain text: backend files and `pulumi stack export`.
    assertNoPlaintextSecrets(t, "lifecycle", {
      "admin token": g.adminToken,
      "secret key": creds.secretAccessKey,
    });

    spec = { ...spec, permissions: ["read", "write"] };
    await t.stack.up(quiet);
    await emptyBucket(location(g, "lifecycle", creds));
    s3.destroy();
    await t.stack.destroy(quiet);
    assert.strictEqual(await adminFor(g).bucketByAlias("lifecycle"), undefined, "destroy removed the bucket");
    assert.strictEqual(await adminFor(g).key(creds.accessKeyId), undefined, "destroy removed the key");
    const leftovers = (await adminFor(g).listKeys()).filter((k) => k.name.includes("garage-lifecycle/"));
    assert.deepStrictEqual(leftovers, [], "no marker key is left behind");
  });

  it("refresh finds a bucket changed behind the stack's back, and up repairs it", async () => {
    const g = garage();
    const spec: Spec = {
      bucket: {
        globalAliases: ["drift"],
        quotas: { maxSize: 10_000_000, maxObjects: 50 },
        website: { indexDocument: "index.html", errorDocument: "404.html" },
        cors: [{ allowedOrigins: ["https://app.example"], allowedMethods: ["GET"] }],
      },
    };
    const t = await stackFor("garage-drift", () => spec);
    const up = await t.stack.up(quiet);
    const id = up.outputs.bucketId.value as string;
    const admin = adminFor(g);
    const before = await admin.bucketById(id);
    await admin.updateBucket(id, {
      quotas: { maxSize: null, maxObjects: 5 },
      websiteAccess: { enabled: false },
      corsRules: [],
    });
    await admin.addGlobalAlias(id, "drift-extra");

    const refresh = await t.stack.refresh(quiet);
    assert.deepStrictEqual(refresh.summary.resourceChanges, { same: 1, update: 1 });
    const preview = await t.stack.preview(quiet);
    assert.deepStrictEqual(preview.changeSummary, { same: 1, update: 1 }, preview.stdout);
    await t.stack.up(quiet);
    const after = await admin.bucketById(id);
    assert.deepStrictEqual(
      [
        after?.globalAliases,
        after?.quotas,
        after?.websiteAccess,
        after?.websiteConfig?.errorDocument,
        after?.corsRules,
      ],
      [before?.globalAliases, before?.quotas, true, "404.html", before?.corsRules],
    );
    const again = await t.stack.preview(quiet);
    assert.deepStrictEqual(again.changeSummary, { same: 2 });
  });

  it("every bad input fails at preview, naming the field and the fix, and nothing is created", async () => {
    const g = garage();
    const admin = adminFor(g);
    const taken = await admin.createBucket({ globalAlias: "taken" });
    const keysBefore = (await admin.listKeys()).length;
    const cases: [Spec, RegExp][] = [
      [
        { bucket: { globalAliases: ["Bad_Name"] } },
        /globalAliases\[0\].*bucket name "Bad_Name" may hold only lowercase letters/,
      ],
      [{ bucket: { globalAliases: ["dup", "dup"] } }, /alias "dup" is listed twice/],
      [
        { bucket: { globalAliases: ["taken"] } },
        /the name "taken" is already taken .* not created by any sovereign stack .*Choose another name, or set "adopt: true"/,
      ],
      [
        { bucket: { globalAliases: ["quota1"], quotas: { maxSize: -1 } } },
        /quotas\.maxSize -1 is not a size: give a whole number ≥ 0/,
      ],
      [
        { bucket: { globalAliases: ["quota2"], quotas: { maxObjects: "lots" } } },
        /quotas\.maxObjects "lots" is not a number of objects/,
      ],
      [
        { bucket: { globalAliases: ["perm1"] }, key: true, permissions: ["read", "admin"] },
        /unknown permission "admin"; use any of read, write, owner/,
      ],
      [
        { bucket: { globalAliases: [], website: { indexDocument: "index.html" } } },
        /website: a website is served at the bucket's global alias.*add a global alias or remove website/,
      ],
    ];
    for (const [i, [spec, expected]] of cases.entries()) {
      const t = await stackFor(`garage-bad-${i}`, () => spec);
      assert.match(await fails(t.stack.preview(quiet)), expected);
      // up refuses too (a permission's bucket and key would be made before its own check runs).
      if (!spec.permissions) assert.match(await fails(t.stack.up(quiet)), expected, "up refuses too");
    }
    assert.strictEqual((await admin.listKeys()).length, keysBefore, "no key was made");
    assert.deepStrictEqual((await admin.bucketByAlias("taken"))?.id, taken.id);
    for (const name of ["bad_name", "dup", "quota1", "quota2", "perm1"])
      assert.strictEqual(await admin.bucketByAlias(name), undefined);
  });

  it("replication specs fail at preview: no scheme, onto itself; plain-text credentials draw a warning", async () => {
    const g = garage();
    const side = {
      endpoint: g.s3Endpoint,
      region: g.region,
      bucket: "media",
      accessKeyId: "GK1",
      secretAccessKey: pulumi.secret("x"),
    };
    let target: Record<string, unknown> = { ...side, endpoint: "s3.backup.example" };
    const t = await garageStack("garage-bad-replication", g, async () => {
      new BucketReplication("media", { source: side, target: target as never, host: "web1" });
    });
    stacks.push(t);
    assert.match(
      await fails(t.stack.preview(quiet)),
      /target\.endpoint: "s3\.backup\.example" has no scheme; write the full URL, e.g. "https:\/\/s3\.backup\.example"/,
    );
    target = { ...side, endpoint: g.s3Endpoint.replace("127.0.0.1", "localhost") };
    assert.match(
      await fails(t.stack.preview(quiet)),
      /target: is the source bucket itself \(media at .*\); replicate to another bucket or another endpoint/,
    );
    target = { ...side, bucket: "media-copy", secretAccessKey: "plain-text-secret" };
    const warnings: string[] = [];
    await t.stack.preview({
      ...quiet,
      onEvent: (e: EngineEvent) =>
        e.diagnosticEvent?.severity === "warning" && warnings.push(e.diagnosticEvent.message),
    });
    assert.ok(
      warnings.some((w) =>
        /target\.secretAccessKey is given in plain text; pass it as a secret instead/.test(w),
      ),
      warnings.join("\n"),
    );
  });

  it("refuses a bucket someone else made unless adopted; adopting keeps its objects", async () => {
    const g = garage();
    const admin = adminFor(g);
    const existing = await admin.createBucket({ globalAlias: "adoptme" });
    const key = await admin.createKey("setup");
    await admin.allow(existing.id, key.accessKeyId, { read: true, write: true });
    const s3 = s3Client(
      location(g, "adoptme", { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey ?? "" }),
    );
    await putText(s3, "adoptme", "keep.txt", "kept");
    let spec: Spec = { bucket: { globalAliases: ["adoptme"], quotas: { maxObjects: 10 } } };
    const t = await stackFor("garage-adopt", () => spec);
    assert.match(await fails(t.stack.up(quiet)), /not created by any sovereign stack.*set "adopt: true"/s);
    spec = { bucket: { ...spec.bucket, adopt: true } };
    const up = await t.stack.up(quiet);
    assert.strictEqual(up.outputs.bucketId.value, existing.id);
    assert.strictEqual(await getText(s3, "adoptme", "keep.txt"), "kept");
    assert.strictEqual((await admin.bucketById(existing.id))?.quotas.maxObjects, 10);

    // A second stack cannot take it without adopt, and the refusal names the owner.
    const other = await stackFor("garage-other", () => ({ bucket: { globalAliases: ["adoptme"] } }));
    assert.match(
      await fails(other.stack.preview(quiet)),
      /belongs to stack "test" of project "garage-adopt" \(resource "bucket"\)/,
    );
    await emptyBucket(
      location(g, "adoptme", { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey ?? "" }),
    );
    s3.destroy();
  });

  it("Garage stopped mid-up gives a clear error; a later up converges with no duplicate", async () => {
    const g = garage();
    // Many buckets, few at a time, Garage killed (SIGKILL, sent synchronously) when the first is
    // made: the outage lands mid-up even with a fast Garage (a graceful stop let every create of
    // 24 buckets finish first once admin requests took milliseconds).
    const names = Array.from({ length: 40 }, (_, i) => `outage-${i}`);
    const t = await garageStack("garage-outage", g, async () => {
      const conn = { adminUrl: g.adminUrl };
      for (const name of names) new GarageBucketResource(name, { ...conn, globalAliases: [name] });
    });
    stacks.push(t);
    let stopping: Promise<void> | undefined;
    let created = 0;
    let message: string;
    try {
      message = await fails(
        t.stack.up({
          ...quiet,
          parallel: 2,
          onEvent: (e) => {
            if (e.resOutputsEvent?.metadata.type.endsWith(":Bucket") && ++created === 1)
              stopping = stopGarage(g, "SIGKILL");
          },
        }),
      );
    } finally {
      // The run's shared Garage must serve the next tests whatever happened here.
      await stopping;
      if (stopping) await restartGarage(g);
    }
    assert.match(
      message,
      /Garage admin API \w+ at http:\/\/127\.0\.0\.1:\d+ did not answer: .*Is Garage running/,
    );
    assert.ok(!message.includes(g.adminToken), "the error does not show the token");
    await t.stack.up(quiet);
    const admin = adminFor(g);
    for (const name of names) assert.ok(await admin.bucketByAlias(name), `${name} exists`);
    const markers = (await admin.listKeys()).filter((k) => k.name.includes("garage-outage/"));
    assert.strictEqual(
      markers.length,
      names.length,
      "one owner marker per bucket: no duplicate bucket or key",
    );
    assert.strictEqual(new Set(markers.map((k) => k.name)).size, names.length);
    const again = await t.stack.preview(quiet);
    assert.deepStrictEqual(again.changeSummary, { same: names.length + 1 });
  });

  it("GarageBucket: bucket + key + permission, credentials as outputs, website served by Garage", async () => {
    const g = garage();
    const t = await garageStack("garage-component", g, async () => {
      const b = new GarageBucket("site", {
        garage: {
          adminUrl: g.adminUrl,
          s3Endpoint: g.s3Endpoint,
          region: g.region,
        },
        name: "component-site",
        website: { indexDocument: "index.html" },
        protect: false,
      });
      return {
        endpoint: b.endpoint,
        bucket: b.bucketName,
        accessKeyId: b.accessKeyId,
        secretAccessKey: b.secretAccessKey,
      };
    });
    stacks.push(t);
    const up = await t.stack.up(quiet);
    assert.ok(up.outputs.secretAccessKey.secret);
    const loc = location(g, "component-site", {
      accessKeyId: up.outputs.accessKeyId.value as string,
      secretAccessKey: up.outputs.secretAccessKey.value as string,
    });
    assert.strictEqual(up.outputs.endpoint.value, g.s3Endpoint);
    const s3 = s3Client(loc);
    await s3.send(
      new (await import("@aws-sdk/client-s3")).PutObjectCommand({
        Bucket: "component-site",
        Key: "index.html",
        Body: "<h1>coop</h1>",
        ContentType: "text/html",
      }),
    );
    const page = await getWithHost(`${g.webEndpoint}/`, `component-site.${g.webRootDomain}`);
    assert.deepStrictEqual(page, { status: 200, body: "<h1>coop</h1>" });
    await emptyBucket(loc);
    s3.destroy();
  });
});
