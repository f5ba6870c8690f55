/**
 * The ZfsReplication component through the real Pulumi engine (inline program, local backend):
 * its immediate run replicates between two hosts over real SSH, runs again only when triggered,
 * keeps the keys out of the state in plain text, and deleting it leaves the data alone.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { useService, type SshdService, type ZfsPool } from "../harness";
import { createTestStack, decryptedState, type TestStack } from "../harness/workspace";
import { backendFilesText, cliStackExport } from "../harness/stateFiles";
import { SshExecutor } from "../../sdk/replication/executor";
import { ZfsReplication } from "../../sdk/replication/zfsReplication";
import { inspectDataset } from "../../sdk/replication/zfsRunner";

const hostKeyOf = (ssh: SshdService): string =>
  fs.readFileSync(ssh.knownHostsPath, "utf8").trim().split(" ").slice(1).join(" ");

describe("ZfsReplication through the real engine", function () {
  this.timeout(600_000);
  const stacks: TestStack[] = [];
  after(async () => {
    for (const t of stacks) await t.dispose();
  });
  const zfs = useService("zfs", { timeoutMs: 180_000 });
  const sshA = useService("sshd");
  const sshB = useService("sshd", { instance: "b" });
  let poolA: ZfsPool;
  let poolB: ZfsPool;

  before(async () => {
    poolA = await zfs().createPool("engA", 128);
    poolB = await zfs().createPool("engB", 128);
  });

  it("replicates on up, reruns only when runId changes, keeps keys secret, and delete leaves data", async () => {
    const a = new SshExecutor({
      host: "127.0.0.1",
      port: sshA().port,
      privateKey: sshA().privateKey,
      hostKey: hostKeyOf(sshA()),
    });
    try {
      const source = `${poolA.name}/site`;
      const target = `${poolB.name}/site`;
      await a.run(["zfs", "create", source]);
      fs.writeFileSync(path.join(poolA.mountpoint, "site", "index.html"), "<p>through the engine</p>\n");

      let runId = "first";
      const host = (ssh: SshdService, dataset: string) => ({
        host: ssh.host,
        port: ssh.port,
        user: ssh.user,
        privateKey: pulumi.secret(ssh.privateKey),
        hostKey: hostKeyOf(ssh),
        dataset,
      });
      const t = await createTestStack("zfs-replication", async () => {
        const repl = new ZfsReplication("site-data", {
          source: host(sshA(), source),
          target: host(sshB(), target),
          retention: { hourly: 3, daily: 1, weekly: 1, monthly: 1 },
          runId,
        });
        return { guid: repl.replicatedGuid, timer: repl.systemdTimer };
      });
      stacks.push(t);

      const first = await t.stack.up({ color: "never" });
      const guid = first.outputs.guid.value as string;
      const caps = { resumable: false, written: false };
      const src = await inspectDataset(a, source, caps);
      assert.strictEqual(guid, src.snapshots[src.snapshots.length - 1].guid);
      assert.match(first.outputs.timer.value as string, /OnCalendar=hourly/);
      const copied = path.join(poolB.mountpoint, "site", "index.html");
      assert.strictEqual(fs.readFileSync(copied, "utf8"), "<p>through the engine</p>\n");

      // Keys: encrypted in every file the backend wrote, and in a user's `pulumi stack export`.
      const keyBody = sshA().privateKey.split("\n")[1];
      const onDisk = backendFilesText(t.engine.backendDir);
      assert.ok(onDisk.includes("site-data"), "the state files were found");
      assert.ok(!onDisk.includes(keyBody), "a private key appears in plain text in the backend's files");
      const exported = cliStackExport(t.engine.env, t.workDir);
      assert.ok(exported.includes("ciphertext"));
      assert.ok(!exported.includes(keyBody), "a private key appears in plain text in `pulumi stack export`");
      assert.ok((await decryptedState(t.stack)).includes(keyBody), "(--show-secrets does decrypt it)");

      const again = await t.stack.up({ color: "never" });
      assert.strictEqual(again.outputs.guid.value, guid, "no trigger changed: no new run");
      assert.strictEqual((await inspectDataset(a, source, caps)).snapshots.length, src.snapshots.length);

      runId = "second";
      const third = await t.stack.up({ color: "never" });
      assert.notStrictEqual(third.outputs.guid.value, guid, "a new runId replicates again");
      const report = (await t.stack.outputs()).guid.value as string;
      assert.strictEqual(report, third.outputs.guid.value);

      await t.stack.destroy({ color: "never" });
      assert.ok(fs.existsSync(copied), "destroying the stack deletes no replicated data");
    } finally {
      a.close();
    }
  });

  it("force is a token: it overwrites a diverged target in one run, and the same token later is refused", async () => {
    const b = new SshExecutor({
      host: "127.0.0.1",
      port: sshB().port,
      privateKey: sshB().privateKey,
      hostKey: hostKeyOf(sshB()),
    });
    try {
      const source = `${poolA.name}/forced`;
      const target = `${poolB.name}/forced`;
      // Both "hosts" are this machine: B's connection can create A's dataset too.
      await b.run(["zfs", "create", source]);
      let runId = "1";
      let force: string | undefined = undefined;
      const host = (ssh: SshdService, dataset: string) => ({
        host: ssh.host,
        port: ssh.port,
        user: ssh.user,
        privateKey: pulumi.secret(ssh.privateKey),
        hostKey: hostKeyOf(ssh),
        dataset,
      });
      const t = await createTestStack("zfs-force", async () => {
        const repl = new ZfsReplication("forced", {
          source: host(sshA(), source),
          target: host(sshB(), target),
          runId,
          force,
        });
        return { guid: repl.replicatedGuid };
      });
      stacks.push(t);
      const diverge = async (name: string) => {
        await b.run(["zfs", "set", "readonly=off", target]);
        await b.run(["zfs", "snapshot", `${target}@${name}`]);
      };
      await t.stack.up({ color: "never" });
      await diverge("written-on-target-1");
      runId = "2";
      await assert.rejects(
        t.stack.up({ color: "never" }),
        /refusing to receive into .*Snapshots that would be lost: .*@written-on-target-1/s,
      );

      force = "overwrite-1";
      runId = "3";
      await t.stack.up({ color: "never" });
      const caps = { resumable: false, written: false };
      assert.ok(
        !(await inspectDataset(b, target, caps)).snapshots.some((s) => s.name === "written-on-target-1"),
      );

      // The token stays in the program; the next run (new runId) with a new divergence is refused.
      await diverge("written-on-target-2");
      runId = "4";
      await assert.rejects(
        t.stack.up({ color: "never" }),
        /Snapshots that would be lost: .*@written-on-target-2/s,
      );
      assert.ok(
        (await inspectDataset(b, target, caps)).snapshots.some((s) => s.name === "written-on-target-2"),
      );
    } finally {
      b.close();
    }
  });

  it("trust on first use is warned about at preview", async () => {
    const t = await createTestStack("zfs-tofu", async () => {
      new ZfsReplication("tofu", {
        source: {
          host: "127.0.0.1",
          privateKey: pulumi.secret("k"),
          hostKey: hostKeyOf(sshA()),
          dataset: "p/a",
        },
        target: {
          host: "127.0.0.1",
          port: 2222,
          privateKey: pulumi.secret("k"),
          trustOnFirstUse: true,
          dataset: "p/b",
        },
        runNow: false,
      });
      return {};
    });
    stacks.push(t);
    const preview = await t.stack.preview({ color: "never" });
    assert.match(
      preview.stdout,
      /warning: ZfsReplication tofu target: the SSH host key of 127\.0\.0\.1 is not pinned/,
    );
  });
});
