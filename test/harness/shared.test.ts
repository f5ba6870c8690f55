import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { isAlive, registerSharedService, startedSharedServices, startSshd, useService } from ".";
import { repoRoot } from "./repo";
import type { SshdServiceWithArgs } from "./sshd";

declare module "./shared" {
  interface SharedServices {
    countedSshd: SshdServiceWithArgs;
  }
}
let starts = 0;
registerSharedService("countedSshd", async () => {
  starts++;
  return startSshd();
});

describe("harness: shared services", () => {
  const seen: number[] = [];

  describe("a first suite", () => {
    const sshd = useService("countedSshd");
    it("gets the run's instance", () => seen.push(sshd().pids[0]));
  });

  describe("a second suite", () => {
    const sshd = useService("countedSshd");
    const second = useService("countedSshd", { instance: "second" });
    const own = useService(() => startSshd());
    it("gets the same instance, started once; other instances and private ones are separate", () => {
      assert.strictEqual(sshd().pids[0], seen[0]);
      assert.strictEqual(starts, 2, "one start for the default instance, one for 'second'");
      assert.notStrictEqual(second().port, sshd().port);
      assert.notStrictEqual(own().port, sshd().port);
      assert.ok(isAlive(sshd().pids[0]));
      assert.ok(startedSharedServices().includes("countedSshd#default"));
    });
  });

  // (A describe's own tests run before its child suites: this check is a suite of its own, after them.)
  describe("after both suites", () => {
    it("shared instances are still running (stopped once, by the root hook)", () => {
      assert.strictEqual(seen.length, 1);
      assert.ok(isAlive(seen[0]));
      const mocharc = JSON.parse(fs.readFileSync(path.join(repoRoot(), ".mocharc.json"), "utf8")) as {
        require: string[];
      };
      assert.ok(mocharc.require.includes("bin/test/harness/root-hooks.js"));
    });
  });

  it("an unknown shared service name fails with the names that exist", async () => {
    const { sharedService } = await import("./shared");
    assert.throws(
      () => sharedService("nope" as "countedSshd"),
      /no shared service "nope" .*known: .*powerdns/,
    );
  });
});
