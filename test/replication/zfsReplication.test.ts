/**
 * ZFS replication against real ZFS (zfs-fuse pools from the harness) between two "hosts" reached
 * over real SSH on loopback: two sshd instances, host A owns pool A (source), host B owns pool B.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { execFile } from "child_process";
import { startSshd, startZfs, useService, type SshdService, type ZfsPool } from "../harness";
import { SshExecutor, StreamError } from "../../sdk/replication/executor";
import { DivergedTargetError } from "../../sdk/replication/zfsPlan";
import {
  detectCapabilities,
  finalSync,
  inspectDataset,
  prune,
  replicate,
  takeSnapshot,
  type ReplicationJob,
} from "../../sdk/replication/zfsRunner";

function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else
        out[path.relative(root, full)] = crypto
          .createHash("sha256")
          .update(fs.readFileSync(full))
          .digest("hex");
    }
  };
  walk(root);
  return out;
}

describe("ZfsReplication over real SSH between two hosts (zfs-fuse)", function () {
  this.timeout(600_000);
  const zfs = useService(() => startZfs(), { timeoutMs: 180_000 });
  const sshA = useService(() => startSshd());
  const sshB = useService(() => startSshd());
  let poolA: ZfsPool;
  let poolB: ZfsPool;
  const executors: SshExecutor[] = [];

  const executorFor = (ssh: SshdService): SshExecutor => {
    const executor = new SshExecutor({
      host: ssh.host,
      port: ssh.port,
      user: ssh.user,
      privateKey: ssh.privateKey,
      knownHostsPath: ssh.knownHostsPath,
    });
    executors.push(executor);
    return executor;
  };

  /**
   * zfs-fuse mounts with FUSE entry/attr caches of an hour (/etc/zfs/zfsrc): names looked up before
   * a receive can stay stale after it. Remounting the target before reading it shows what ZFS holds.
   */
  const targetTree = async (job: ReplicationJob, dir: string) => {
    await job.target.executor.run(["zfs", "umount", job.target.dataset]);
    await job.target.executor.run(["zfs", "mount", job.target.dataset]);
    return hashTree(dir);
  };

  /** A job from A/<name> to B/<name>, plus the two mountpoints. */
  const pair = async (name: string, extra: Partial<ReplicationJob> = {}, targetName = name) => {
    const a = executorFor(sshA());
    const b = executorFor(sshB());
    await a.run(["zfs", "create", `${poolA.name}/${name}`]);
    const job: ReplicationJob = {
      source: { executor: a, dataset: `${poolA.name}/${name}` },
      target: { executor: b, dataset: `${poolB.name}/${targetName}` },
      ...extra,
    };
    return {
      job,
      a,
      b,
      src: path.join(poolA.mountpoint, name),
      dst: path.join(poolB.mountpoint, targetName),
    };
  };

  before(async function () {
    poolA = await zfs().createPool("sovA", 256);
    poolB = await zfs().createPool("sovB", 256);
  });

  after(() => executors.forEach((e) => e.close()));

  it("detects that zfs-fuse has no resumable receive and no `written`", async () => {
    const caps = await detectCapabilities(executorFor(sshA()), poolA.name);
    assert.deepStrictEqual(caps, { resumable: false, written: false });
  });

  it("sends full, then incremental from the newest common snapshot, with file contents on the target", async () => {
    const { job, src, dst } = await pair("app");
    fs.writeFileSync(path.join(src, "index.html"), "<h1>hello</h1>\n");
    fs.mkdirSync(path.join(src, "uploads"));
    fs.writeFileSync(path.join(src, "uploads", "photo.bin"), crypto.randomBytes(2 * 1024 * 1024));

    const first = await replicate(job);
    assert.strictEqual(first.steps.length, 1);
    assert.strictEqual(first.steps[0].kind, "full");
    assert.ok(first.bytes > 2 * 1024 * 1024, `full send carried ${first.bytes} bytes`);
    assert.deepStrictEqual(await targetTree(job, dst), hashTree(src));

    fs.writeFileSync(path.join(src, "index.html"), "<h1>hello again</h1>\n");
    fs.writeFileSync(path.join(src, "uploads", "new.txt"), "a new upload\n");
    const second = await replicate(job);
    assert.strictEqual(second.steps.length, 1);
    assert.strictEqual(second.steps[0].kind, "incremental");
    assert.strictEqual(second.steps[0].from, `${job.source.dataset}@${first.snapshotTaken}`);
    assert.ok(second.bytes < first.bytes / 4, `incremental ${second.bytes} bytes vs full ${first.bytes}`);
    assert.deepStrictEqual(await targetTree(job, dst), hashTree(src));

    const caps = { resumable: false, written: false };
    const source = await inspectDataset(job.source.executor, job.source.dataset, caps);
    const target = await inspectDataset(job.target.executor, job.target.dataset, caps);
    assert.deepStrictEqual(
      target.snapshots.map((s) => s.guid),
      source.snapshots.map((s) => s.guid),
    );
    assert.strictEqual(second.finalGuid, source.snapshots[source.snapshots.length - 1].guid);

    const third = await replicate(job, { snapshot: false });
    assert.strictEqual(third.upToDate, true);
    assert.strictEqual(third.bytes, 0);
  });

  it("refuses to receive into a diverged target, names what would be lost, and overwrites only with force", async () => {
    const { job, b, src, dst } = await pair("diverge");
    fs.writeFileSync(path.join(src, "data.txt"), "v1\n");
    await replicate(job);

    // Someone writes on the target.
    await b.run(["zfs", "set", "readonly=off", job.target.dataset]);
    fs.writeFileSync(path.join(dst, "written-on-target.txt"), "only here\n");
    fs.writeFileSync(path.join(src, "data.txt"), "v2\n");
    await assert.rejects(replicate(job), (error: Error) => {
      assert.ok(error instanceof DivergedTargetError, String(error));
      assert.match(error.message, /changed since @sov_/);
      assert.deepStrictEqual(error.divergence.snapshotsLost, []);
      return true;
    });
    assert.ok(
      fs.existsSync(path.join(dst, "written-on-target.txt")),
      "the refused run must not touch the target",
    );

    // ...and snapshots it.
    await b.run(["zfs", "snapshot", `${job.target.dataset}@local-work`]);
    await assert.rejects(replicate(job, { snapshot: false }), (error: Error) => {
      assert.ok(error instanceof DivergedTargetError, String(error));
      assert.deepStrictEqual(error.divergence.snapshotsLost, [`${job.target.dataset}@local-work`]);
      assert.match(error.message, /Snapshots that would be lost: .*@local-work/);
      return true;
    });
    const target = await inspectDataset(b, job.target.dataset, { resumable: false, written: false });
    assert.ok(
      target.snapshots.some((s) => s.name === "local-work"),
      "refusal kept the target snapshot",
    );

    const forced = await replicate({ ...job, force: true }, { snapshot: false });
    assert.deepStrictEqual(forced.destroyedOnTarget, [`${job.target.dataset}@local-work`]);
    assert.ok(forced.rolledBack);
    assert.deepStrictEqual(await targetTree(job, dst), hashTree(src));
    assert.strictEqual(fs.readFileSync(path.join(dst, "data.txt"), "utf8"), "v2\n");
  });

  it("prunes by retention on both sides and keeps the newest common snapshot", async () => {
    const { job, a, b, src, dst } = await pair("retain");
    for (let i = 0; i < 4; i++) {
      fs.writeFileSync(path.join(src, `f${i}.txt`), `${i}\n`);
      await replicate(job);
    }
    await a.run(["zfs", "snapshot", `${job.source.dataset}@manual-keep`]);
    const common = await replicate(job); // carries @manual-keep along (-I), ends at a new sov_ snapshot
    // Two more source snapshots the target has not received yet.
    fs.writeFileSync(path.join(src, "late.txt"), "late\n");
    const lateA = await takeSnapshot(job.source);
    const lateB = await takeSnapshot(job.source);

    const report = await prune(job, { hourly: 1, daily: 0, weekly: 0, monthly: 0 });
    const caps = { resumable: false, written: false };
    const source = await inspectDataset(a, job.source.dataset, caps);
    const target = await inspectDataset(b, job.target.dataset, caps);
    const commonName = common.finalSnapshot.split("@")[1];
    assert.deepStrictEqual(
      source.snapshots.map((s) => s.name),
      ["manual-keep", commonName, lateB],
      `source kept: the foreign snapshot, the common base, the newest (pruned ${report.destroyed.join(", ")})`,
    );
    assert.deepStrictEqual(
      target.snapshots.map((s) => s.name),
      ["manual-keep", commonName],
    );
    assert.ok(report.destroyed.includes(`${job.source.dataset}@${lateA}`));

    // The base survived, so the next run is an increment, not a full resend.
    const next = await replicate(job, { snapshot: false });
    assert.strictEqual(next.steps[0].kind, "incremental");
    assert.deepStrictEqual(await targetTree(job, dst), hashTree(src));
  });

  it("final sync: warm passes while the app writes, then stop it, last increment, nothing lost", async () => {
    const { job, a, src, dst } = await pair("final");
    fs.writeFileSync(path.join(src, "static.txt"), "static\n");
    const logFile = path.join(src, "journal.log");
    // The "app": appends a line every 20 ms to a file in the dataset, on host A.
    const started = await a.run([
      "sh",
      "-c",
      `i=0; while :; do i=$((i+1)); echo "entry $i" >> ${logFile}; sleep 0.02; done >/dev/null 2>&1 & echo $!`,
    ]);
    const appPid = started.stdout.trim();
    assert.match(appPid, /^\d+$/);
    await new Promise((r) => setTimeout(r, 300));

    const report = await finalSync(job, {
      warmPasses: 2,
      stopApp: ["sh", "-c", `kill ${appPid}; while kill -0 ${appPid} 2>/dev/null; do sleep 0.05; done`],
      promoteTarget: true,
    });
    assert.strictEqual(report.warm[0].steps[0].kind, "full");
    assert.strictEqual(report.warm[1].steps[0].kind, "incremental");
    assert.strictEqual(report.final.steps[0].kind, "incremental");
    assert.strictEqual(report.sourceQuiesced, true);
    const lines = fs.readFileSync(logFile, "utf8").trim().split("\n");
    assert.ok(lines.length > 5, `the app wrote ${lines.length} lines`);
    assert.deepStrictEqual(await targetTree(job, dst), hashTree(src));
    // Promoted: the target is writable now.
    fs.writeFileSync(path.join(dst, "after-cutover.txt"), "new primary\n");
  });

  it("the CLI that the component's command runs replicates with the job and keys on stdin", async () => {
    // The target's parent (sites/) does not exist yet: the runner creates it, never the target itself.
    const { job, src, dst } = await pair("cli", {}, "sites/cli");
    fs.writeFileSync(path.join(src, "via-cli.txt"), "through the command line\n");
    const endpoint = (ssh: SshdService, dataset: string) => ({
      dataset,
      ssh: {
        host: ssh.host,
        port: ssh.port,
        user: ssh.user,
        privateKey: ssh.privateKey,
        knownHostsPath: ssh.knownHostsPath,
      },
    });
    const spec = {
      action: "replicate",
      source: endpoint(sshA(), job.source.dataset),
      target: endpoint(sshB(), job.target.dataset),
      retention: { hourly: 2, daily: 1, weekly: 1, monthly: 1 },
    };
    const cli = path.join(__dirname, "../../sdk/replication/cli.js");
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, [cli], (error, out, err) =>
        error ? reject(new Error(`cli failed: ${err}`)) : resolve(out),
      );
      child.stdin?.end(JSON.stringify(spec));
    });
    const result = JSON.parse(stdout) as {
      action: string;
      report: { steps: { kind: string }[]; finalGuid: string };
    };
    assert.strictEqual(result.action, "replicate");
    assert.strictEqual(result.report.steps[0].kind, "full");
    assert.match(result.report.finalGuid, /^\d+$/);
    assert.deepStrictEqual(await targetTree(job, dst), hashTree(src));
  });

  it("a send killed mid-stream leaves the target at its previous snapshot; a retry completes it", async () => {
    const { job, b, src, dst } = await pair("interrupt");
    fs.writeFileSync(path.join(src, "small.txt"), "before\n");
    const first = await replicate(job);
    fs.writeFileSync(path.join(src, "big.bin"), crypto.randomBytes(48 * 1024 * 1024));
    fs.writeFileSync(path.join(src, "small.txt"), "after\n");

    const controller = new AbortController();
    let abortedAt = 0;
    await assert.rejects(
      replicate(job, {
        signal: controller.signal,
        onProgress: (bytes) => {
          if (bytes > 8 * 1024 * 1024 && !controller.signal.aborted) {
            abortedAt = bytes;
            controller.abort();
          }
        },
      }),
      (error: Error) => {
        assert.ok(error instanceof StreamError && error.aborted, String(error));
        return true;
      },
    );
    assert.ok(abortedAt > 0);
    const caps = { resumable: false, written: false };
    const after = await inspectDataset(b, job.target.dataset, caps);
    assert.strictEqual(after.snapshots[after.snapshots.length - 1].guid, first.finalGuid);
    assert.deepStrictEqual(Object.keys(await targetTree(job, dst)), ["small.txt"]);
    assert.strictEqual(fs.readFileSync(path.join(dst, "small.txt"), "utf8"), "before\n");

    const retry = await replicate(job, { snapshot: false });
    assert.strictEqual(
      retry.steps[0].kind,
      "incremental",
      "no resume token on zfs-fuse: the increment is redone",
    );
    assert.ok(retry.bytes > 48 * 1024 * 1024);
    assert.deepStrictEqual(await targetTree(job, dst), hashTree(src));
  });
});
