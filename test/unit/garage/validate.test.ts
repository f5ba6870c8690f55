import * as assert from "assert";
import fc from "fast-check";
import {
  bucketNameProblem,
  checkBucketInputs,
  checkKeyInputs,
  checkPermissionInputs,
  diffBucket,
  diffKey,
  diffPermission,
  parseSize,
} from "../../../providers/garage/validate";
import { bucketOwner, keyNameWithOwner, markerKeyName, ownerOfKeyName, displayKeyName } from "../../../providers/garage/owner";
import { serverErrorText } from "../../../providers/garage/client";

const conn = { adminUrl: "http://127.0.0.1:3903", adminToken: "t0ken", owner: "proj/dev/media" };
const reasons = (failures: { property: string; reason: string }[]): string[] => failures.map((f) => `${f.property}: ${f.reason}`);

describe("Garage input checks", () => {
  it("accepts S3 bucket names and refuses the rest, saying why", () => {
    for (const good of ["abc", "coop-media", "a.b.c", "x".repeat(63), "files.coop.example"]) assert.strictEqual(bucketNameProblem(good), undefined, good);
    const bad: Record<string, RegExp> = {
      ab: /3 to 63 characters/,
      ["x".repeat(64)]: /3 to 63 characters/,
      Media: /lowercase letters.*"M"/,
      "my_bucket": /"_"/,
      "-abc": /start and end/,
      "abc.": /start and end/,
      "a..b": /two dots/,
      "192.168.1.1": /IP address/,
      "xn--abc": /xn--/,
      "data-s3alias": /-s3alias/,
    };
    for (const [name, why] of Object.entries(bad)) assert.match(bucketNameProblem(name) ?? "", why, name);
  });

  it("valid names are exactly what Garage's own rule accepts (property)", () => {
    // Garage's is_valid_bucket_name, transcribed for the comparison.
    const garage = (n: string) =>
      n.length >= 3 && n.length <= 63 && /^[a-z0-9.-]+$/.test(n) && !/^[-.]/.test(n) && !/[-.]$/.test(n) &&
      !/^\d+\.\d+\.\d+\.\d+$/.test(n) && !n.startsWith("xn--") && !n.includes(".xn--") && !n.endsWith("-s3alias");
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9.-]{1,70}$/), (n) => {
        if (bucketNameProblem(n) === undefined) assert.ok(garage(n), `${n} accepted by us but not by Garage`);
      }),
    );
  });

  it("reads sizes with units and refuses negative or non-numeric quotas", () => {
    assert.strictEqual(parseSize("10GiB"), 10 * 2 ** 30);
    assert.strictEqual(parseSize("512 MB"), 512e6);
    assert.strictEqual(parseSize(1000), 1000);
    assert.strictEqual(parseSize(-1), undefined);
    assert.strictEqual(parseSize("lots"), undefined);
    const { failures } = checkBucketInputs({ ...conn, globalAliases: ["media"], quotas: { maxSize: -5, maxObjects: "many" } });
    assert.deepStrictEqual(reasons(failures), [
      'quotas.maxSize: quotas.maxSize -5 is not a size: give a whole number ≥ 0 of bytes or a size such as "10GiB", or leave it out for no limit',
      'quotas.maxObjects: quotas.maxObjects "many" is not a number of objects: give a whole number ≥ 0 such as 10000, or leave it out for no limit',
    ]);
  });

  it("refuses a bad bucket name, an alias listed twice, a website without a global alias", () => {
    assert.match(reasons(checkBucketInputs({ ...conn, globalAliases: ["Bad_Name"] }).failures).join("\n"), /^globalAliases\[0\]: bucket name "Bad_Name" may hold only lowercase/);
    assert.match(reasons(checkBucketInputs({ ...conn, globalAliases: ["media", "media"] }).failures).join("\n"), /alias "media" is listed twice/);
    const website = checkBucketInputs({
      ...conn,
      localAliases: [{ accessKeyId: "GK0123456789abcdef01234567", alias: "mine" }],
      website: { indexDocument: "index.html" },
    });
    assert.match(reasons(website.failures).join("\n"), /^website: a website is served at the bucket's global alias.*add a global alias or remove website/);
    assert.match(
      reasons(checkBucketInputs({ ...conn, localAliases: [{ accessKeyId: "GKx", alias: "sovereign-owner" }] }).failures).join("\n"),
      /reserved for the owner marker/,
    );
  });

  it("keeps left-out fields unmanaged (absent), and given ones normalised", () => {
    const { inputs, failures } = checkBucketInputs({ ...conn, globalAliases: ["media"], quotas: { maxSize: "1KiB" } });
    assert.deepStrictEqual(failures, []);
    assert.deepStrictEqual(inputs.quotas, { maxSize: 1024, maxObjects: null });
    assert.ok(!("website" in inputs) && !("cors" in inputs));
  });

  it("refuses an unknown permission and an empty one, naming the ones that exist", () => {
    const base = { ...conn, bucketId: "b1", accessKeyId: "GK1" };
    assert.deepStrictEqual(reasons(checkPermissionInputs({ ...base, permissions: ["read", "admin"] }).failures), [
      'permissions: unknown permission "admin"; use any of read, write, owner',
    ]);
    assert.match(reasons(checkPermissionInputs({ ...base, permissions: [] }).failures)[0], /at least one of read, write, owner/);
    assert.deepStrictEqual(checkPermissionInputs({ ...base, permissions: ["write", "read"] }).inputs.permissions, ["read", "write"]);
  });

  it("refuses a bad admin URL and a missing token, and adopting a key without adopt", () => {
    assert.deepStrictEqual(
      checkKeyInputs({ adminUrl: "127.0.0.1:3903", adminToken: "", owner: "p/s/r", name: "app" }).failures.map((f) => f.property),
      ["adminUrl", "adminToken"],
    );
    assert.match(reasons(checkKeyInputs({ ...conn, name: "app", accessKeyId: "GK0123456789abcdef01234567" }).failures)[0], /needs adopt: true/);
    assert.match(reasons(checkKeyInputs({ ...conn, name: "app", accessKeyId: "nope", adopt: true }).failures)[0], /not a Garage key id/);
  });

  it("diff: endpoint spelling and token are updates; a permission's bucket or key replaces it", () => {
    const olds = { ...conn, globalAliases: ["a"] };
    assert.deepStrictEqual(diffBucket(olds, { ...olds, adminUrl: "http://localhost:3903", adminToken: "new" }), { changes: true, replaces: [] });
    assert.deepStrictEqual(diffBucket(olds, { ...olds }), { changes: false, replaces: [] });
    assert.deepStrictEqual(diffKey({ ...conn, name: "a", accessKeyId: "" }, { ...conn, name: "b", accessKeyId: "" }), { changes: true, replaces: [] });
    assert.deepStrictEqual(diffPermission({ ...conn, bucketId: "1", accessKeyId: "k", permissions: ["read"] }, { ...conn, bucketId: "2", accessKeyId: "k", permissions: ["read"] }).replaces, ["bucketId"]);
  });
});

describe("Garage ownership records", () => {
  it("a key's name carries its owner, and reads back", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[^[\]]{1,30}$/), fc.stringMatching(/^[a-z0-9-]{1,10}\/[a-z0-9-]{1,10}\/[a-z0-9-]{1,10}$/), (name, owner) => {
        const full = keyNameWithOwner(name, owner);
        assert.strictEqual(ownerOfKeyName(full), owner);
        assert.strictEqual(displayKeyName(full), name);
      }),
    );
    assert.strictEqual(ownerOfKeyName("someone's key"), undefined);
  });

  it("a bucket's owner is the marker key holding the reserved local alias", () => {
    const keys = [
      { accessKeyId: "GKa", name: "app key", bucketLocalAliases: [], permissions: { read: true } },
      { accessKeyId: "GKm", name: markerKeyName("p/s/media"), bucketLocalAliases: ["sovereign-owner"], permissions: {} },
    ];
    assert.deepStrictEqual(bucketOwner({ keys }), { owner: "p/s/media", markerKeyId: "GKm" });
    assert.strictEqual(bucketOwner({ keys: [keys[0]] }), undefined);
  });
});

describe("Garage client plumbing", () => {
  it("shows Garage's own error message", () => {
    assert.deepStrictEqual(serverErrorText('{"code":"BucketNotEmpty","message":"Bucket not empty","region":"garage","path":"/"}', "Conflict"), {
      code: "BucketNotEmpty",
      message: "Bucket not empty",
    });
    assert.deepStrictEqual(serverErrorText("", "Forbidden"), { code: "", message: "Forbidden" });
  });
});
