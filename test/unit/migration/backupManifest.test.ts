import * as assert from "assert";
import fc from "fast-check";
import { parse } from "yaml";
import {
  chainProblems,
  changedFiles,
  changedObjects,
  configuredDatacenter,
  entryProblems,
  itemDir,
  MANIFEST_FORMAT,
  parseChecksumLines,
  parseManifest,
  withDatacenter,
  type BackupManifest,
} from "../../../sdk/backup/manifest";

const manifest = (id: string, over: Partial<BackupManifest> = {}): BackupManifest => ({
  format: MANIFEST_FORMAT,
  id,
  createdAt: "2026-11-26T00:00:00Z",
  stack: "s",
  project: "p",
  site: "site",
  datacenter: "dc-a",
  datacenters: {},
  items: [],
  config: "config/Pulumi.s.yaml",
  state: "state/stack.json",
  entries: [],
  ...over,
});

describe("backup manifest decisions", () => {
  const objectArb = fc.record({
    key: fc.stringMatching(/^[a-z]{1,4}$/),
    etag: fc.constantFrom("a", "b", "c"),
    size: fc.integer({ min: 0, max: 3 }),
  });

  it("an incremental backup carries exactly the objects that are new or whose ETag or size changed", () => {
    const listing = fc.uniqueArray(objectArb, { selector: (o) => o.key });
    fc.assert(
      fc.property(listing, listing, (now, before) => {
        const changed = changedObjects(now, before);
        for (const o of now) {
          const b = before.find((x) => x.key === o.key);
          assert.strictEqual(changed.has(o.key), !b || b.etag !== o.etag || b.size !== o.size, o.key);
        }
        assert.ok(
          [...changed].every((k) => now.some((o) => o.key === k)),
          "only keys that exist now",
        );
        assert.strictEqual(changedObjects(now, now).size, 0, "nothing when nothing changed");
        assert.strictEqual(changedObjects(now, undefined).size, now.length, "everything without a base");
      }),
    );
  });

  it("changed files are the new ones and those with another checksum, sorted", () => {
    assert.deepStrictEqual(changedFiles({ a: "1", b: "2", c: "3" }, { a: "1", b: "9", d: "4" }), ["b", "c"]);
    assert.deepStrictEqual(changedFiles({ b: "2", a: "1" }, undefined), ["a", "b"]);
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,3}$/), fc.constantFrom("x", "y")), (files) =>
        assert.deepStrictEqual(changedFiles(files, files), []),
      ),
    );
  });

  it("reads sha256sum output as relative paths", () => {
    const h = "a".repeat(64);
    assert.deepStrictEqual(parseChecksumLines(`${h}  ./dir/one file.txt\n${h} *./b\nnoise\n`), {
      "dir/one file.txt": h,
      b: h,
    });
  });

  it("names an item's directory from its label, path-safe", () => {
    assert.strictEqual(
      itemDir("pixelfed:directory:/var/lib/pixelfed"),
      "data/pixelfed-directory-var-lib-pixelfed",
    );
  });

  it("refuses a missing, corrupted or unlisted entry, naming it", () => {
    const m = {
      entries: [
        { path: "a", sha256: "1", bytes: 1 },
        { path: "b", sha256: "2", bytes: 2 },
      ],
    };
    const seen = new Map([
      ["a", { sha256: "1", bytes: 1 }],
      ["c", { sha256: "3", bytes: 3 }],
      ["manifest.json", { sha256: "0", bytes: 0 }],
    ]);
    assert.deepStrictEqual(entryProblems(m, seen), ["entry b is missing", "entry c is not in the manifest"]);
    seen.set("b", { sha256: "x", bytes: 2 });
    seen.delete("c");
    assert.match(entryProblems(m, seen).join(), /^entry b is corrupted \(sha256 x/);
    seen.set("b", { sha256: "2", bytes: 2 });
    assert.deepStrictEqual(entryProblems(m, seen), []);
  });

  it("a chain starts with a full archive and each link names the one before", () => {
    const full = manifest("1");
    const incr = manifest("2", { base: { id: "1", file: "full.tar" } });
    assert.deepStrictEqual(chainProblems([full, incr]), []);
    assert.match(chainProblems([incr]).join(), /oldest archive \(2\) is incremental: its base full\.tar/);
    assert.match(
      chainProblems([full, manifest("3", { base: { id: "9", file: "x" } })]).join(),
      /not based on 1/,
    );
    assert.match(
      chainProblems([full, manifest("4", { base: { id: "1", file: "f" }, site: "other" })]).join(),
      /is of site other/,
    );
  });

  it("refuses a file that is not a manifest", () => {
    assert.throws(() => parseManifest("{", "f.tar"), /f\.tar: manifest\.json is not JSON/);
    assert.throws(() => parseManifest('{"format":"x"}', "f.tar"), /not a sovereign-site-backup\/2 manifest/);
    assert.throws(
      () => parseManifest('{"format":"sovereign-site-backup/1"}', "old.tar"),
      /old\.tar: a sovereign-site-backup\/1 archive \(whole database dumps/,
    );
    assert.strictEqual(parseManifest(JSON.stringify(manifest("7")), "f").id, "7");
  });

  it("changes only the site's datacenter in the config, keeping the salt and encrypted secrets", () => {
    const asString = [
      "encryptionsalt: v1:abc",
      "config:",
      "  sovereign:key:",
      "    secure: v1:cipher",
      `  sovereign:site: '${JSON.stringify({ name: "s", datacenter: "dc-a" })}'`,
      "",
    ].join("\n");
    const out = withDatacenter(asString, "dc-b");
    const parsed = parse(out) as { encryptionsalt: string; config: Record<string, unknown> };
    assert.strictEqual(parsed.encryptionsalt, "v1:abc");
    assert.deepStrictEqual(parsed.config["sovereign:key"], { secure: "v1:cipher" });
    assert.strictEqual(configuredDatacenter(out), "dc-b");
    const asMapping = "config:\n  sovereign:site:\n    name: s\n    datacenter: dc-a\n";
    assert.strictEqual(configuredDatacenter(withDatacenter(asMapping, "dc-b")), "dc-b");
    assert.strictEqual(withDatacenter(asMapping, undefined), asMapping);
    assert.throws(() => withDatacenter("config: {}\n", "dc-b"), /no sovereign:site, so --datacenter/);
  });
});
