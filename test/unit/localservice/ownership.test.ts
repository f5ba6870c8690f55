import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { create, delete as remove } from "../../../providers/localservice/serviceProvider";
import { encodeOwner } from "../../../providers/shared/ownership";

describe("LocalService owner marker", () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-localservice-"))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const inputs = (dir: string, adopt = false) => ({
    name: "svc",
    dir,
    files: [],
    prepare: [],
    start: { command: "/bin/false", args: [] },
    healthUrl: "http://127.0.0.1:9/",
    owner: "proj/stack/svc",
    adopt,
  });

  it("refuses a dir another stack made, naming its owner, before anything runs", async () => {
    const dir = path.join(root, "svc");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, ".sovereign-owner"), encodeOwner("other/stack/svc"));
    fs.writeFileSync(path.join(dir, "data"), "theirs");
    await assert.rejects(
      create(inputs(dir)),
      /svc: .*belongs to "other\/stack\/svc", not to "proj\/stack\/svc".*adopt: true/,
    );
    assert.strictEqual(fs.readFileSync(path.join(dir, "data"), "utf8"), "theirs");
  });

  it("delete leaves a dir that now belongs to someone else", async () => {
    const dir = path.join(root, "svc");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, ".sovereign-owner"), encodeOwner("other/stack/svc"));
    await remove("svc", { name: "svc", dir, owner: "proj/stack/svc" });
    assert.ok(fs.existsSync(dir));
    fs.writeFileSync(path.join(dir, ".sovereign-owner"), encodeOwner("proj/stack/svc"));
    await remove("svc", { name: "svc", dir, owner: "proj/stack/svc" });
    assert.ok(!fs.existsSync(dir), "its own dir is removed");
  });
});
