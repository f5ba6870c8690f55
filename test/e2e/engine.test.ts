import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createTestStack, TestStack } from "../harness/workspace";
import { MarkerSet } from "./fileMarker";

/**
 * The real Pulumi engine (CLI + Node.js language host + dynamic-provider plugin) drives a
 * ComponentResource with dynamic-provider children through the whole life cycle.
 */
describe("real Pulumi engine: preview, up, refresh, destroy", function () {
  this.timeout(300_000);
  let dir: string;
  let contents: Record<string, string>;
  let test: TestStack;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-engine-"));
    contents = { "a.txt": "alpha", "b.txt": "beta" };
    test = await createTestStack("engine", async () => {
      const set = new MarkerSet("markers", { dir, contents });
      return { files: set.files, count: Object.keys(contents).length };
    });
  });

  after(async () => {
    await test?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("previews the creation of the stack, the component and each dynamic resource", async () => {
    const preview = await test.stack.preview({ color: "never" });
    assert.deepStrictEqual(preview.changeSummary, { create: 4 });
    assert.deepStrictEqual(fs.readdirSync(dir), [], "preview must not create anything");
  });

  it("up creates the files and returns the outputs", async () => {
    const up = await test.stack.up({ color: "never" });
    assert.strictEqual(up.summary.result, "succeeded");
    assert.deepStrictEqual(up.summary.resourceChanges, { create: 4 });
    assert.deepStrictEqual(up.outputs.files.value, [path.join(dir, "a.txt"), path.join(dir, "b.txt")]);
    assert.strictEqual(up.outputs.count.value, 2);
    assert.strictEqual(fs.readFileSync(path.join(dir, "a.txt"), "utf8"), "alpha");
  });

  it("a second preview shows no changes", async () => {
    const preview = await test.stack.preview({ color: "never" });
    assert.deepStrictEqual(preview.changeSummary, { same: 4 });
  });

  it("refresh detects a change made behind the stack's back, and up repairs it", async () => {
    fs.writeFileSync(path.join(dir, "b.txt"), "tampered");
    const refresh = await test.stack.refresh({ color: "never" });
    assert.strictEqual(refresh.summary.resourceChanges?.update, 1);
    const preview = await test.stack.preview({ color: "never" });
    assert.strictEqual(preview.changeSummary.update, 1, JSON.stringify(preview.changeSummary));
    await test.stack.up({ color: "never" });
    assert.strictEqual(fs.readFileSync(path.join(dir, "b.txt"), "utf8"), "beta");
  });

  it("destroy removes everything up created", async () => {
    const destroy = await test.stack.destroy({ color: "never" });
    assert.deepStrictEqual(destroy.summary.resourceChanges, { delete: 4 });
    assert.deepStrictEqual(fs.readdirSync(dir), []);
    const state = await test.stack.exportStack();
    assert.strictEqual((state.deployment.resources ?? []).length, 0);
  });
});
