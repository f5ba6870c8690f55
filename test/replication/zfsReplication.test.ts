/**
 * ZFS replication against real ZFS (zfs-fuse pools from the harness) between two "hosts" reached
 * over real SSH on loopback: two sshd instances, host A owns pool A (source), host B owns pool B.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { execFile, spawn } from "child_process";
import { useService, type SshdService, type ZfsPool } from "../harness";
import { runJob } from "../../sdk/replication/cli";
import { SshExecutor, StreamError } from "../../sdk/replication/executor";
import { lockFileFor } from "../../sdk/replication/hostLock";
import type { JobSpec } from "../../sdk/replication/jobSpec";
import { DivergedTargetError } from "../../sdk/replication/zfsPlan";
import {
  detectCapabilities,
  finalSync,
  inspectDataset,
  jobSnapshotPrefix,
  prune,
  replicate,
  SourceNotQuiescedError,
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
  const zfs = useService("zfs", { timeoutMs: 180_000 });
  const sshA = useService("sshd");
  const sshB = useService("sshd", { instance: "b" });
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

  /**
   * The target refuses writes. (zfs-fuse reports a mounted dataset's `readonly` as "off
   * temporary" whatever it is set to, so the file system itself is asked.)
   */
  const assertReadOnly = (dir: string, message: string) =>
    assert.throws(
      () => fs.writeFileSync(path.join(dir, "written-after-cutover.txt"), "x"),
      /EROFS|read-only/i,
      message,
    );

  /** A job endpoint as the CLI reads it: over SSH with the server's known_hosts. */
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
    const lateA = await takeSnapshot(job.source, jobSnapshotPrefix(job));
    const lateB = await takeSnapshot(job.source, jobSnapshotPrefix(job));

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
      startApp: ["true"],
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

  it("refuses a host whose SSH key is not the pinned one, before running anything there", async () => {
    const marker = path.join(sshA().dir, "ran-on-wrong-key");
    // Host A's address and port, but host B's key pinned: what a man in the middle looks like.
    const wrong = new SshExecutor({
      host: sshA().host,
      port: sshA().port,
      privateKey: sshA().privateKey,
      hostKey: fs.readFileSync(sshB().knownHostsPath, "utf8").trim().split(" ").slice(1).join(" "),
    });
    executors.push(wrong);
    await assert.rejects(
      wrong.run(["touch", marker]),
      /Host key verification failed|REMOTE HOST IDENTIFICATION/,
    );
    assert.ok(!fs.existsSync(marker), "no command may run on a host with the wrong key");
    // The same host with its own key works (the refusal above was the key, not the connection).
    await executorFor(sshA()).run(["true"]);
  });

  it("refuses an option-like host (-o...) at validation: ssh never starts", async () => {
    const marker = path.join(sshA().dir, "proxy-command-ran");
    const spec: JobSpec = {
      action: "replicate",
      source: endpoint(sshA(), `${poolA.name}/never`),
      target: {
        dataset: `${poolB.name}/never`,
        ssh: { ...endpoint(sshB(), "").ssh, host: `-oProxyCommand=touch ${marker}` },
      },
    };
    await assert.rejects(
      runJob(spec, () => undefined),
      /target\.ssh\.host "-oProxyCommand=touch .*" starts with "-"/,
    );
    assert.throws(() => new SshExecutor(spec.target.ssh!), /refusing to connect over SSH/);
    assert.ok(!fs.existsSync(marker));
  });

  it("final sync with a source that will not stop: the target stays read-only and the app runs on", async () => {
    const { job, a, src, dst } = await pair("nostop");
    const journal = path.join(src, "journal.log");
    const restarted = path.join(sshA().dir, "app-restarted");
    const started = await a.run([
      "sh",
      "-c",
      `while :; do date +%s%N >> ${journal}; sleep 0.02; done >/dev/null 2>&1 & echo $!`,
    ]);
    const appPid = started.stdout.trim();
    try {
      await new Promise((r) => setTimeout(r, 300));
      await assert.rejects(
        finalSync(job, {
          warmPasses: 1,
          // "Stops" the app, says so, and does not: the app keeps writing.
          stopApp: ["true"],
          startApp: ["sh", "-c", `echo started >> ${restarted}`],
          promoteTarget: true,
        }),
        (error: Error) => {
          assert.ok(error instanceof SourceNotQuiescedError, String(error));
          assert.match(error.message, /changed after the final snapshot .*the app did not stop/);
          return true;
        },
      );
      assertReadOnly(dst, "the target must not be promoted");
      assert.strictEqual(fs.readFileSync(restarted, "utf8"), "started\n", "startApp ran once");
      assert.strictEqual(
        (await a.run(["kill", "-0", appPid], { allowFailure: true })).code,
        0,
        "the app still runs",
      );

      // A stop command that fails: the same, the app is started again and nothing is promoted.
      fs.rmSync(restarted);
      await assert.rejects(
        finalSync(job, {
          warmPasses: 0,
          stopApp: ["sh", "-c", "echo cannot stop >&2; exit 3"],
          startApp: ["sh", "-c", `echo started >> ${restarted}`],
          promoteTarget: true,
        }),
        /cannot stop/,
      );
      assert.strictEqual(fs.readFileSync(restarted, "utf8"), "started\n");
      assertReadOnly(dst, "a failed stop must not promote the target");
    } finally {
      await a.run(["kill", appPid], { allowFailure: true });
    }
  });

  it("two jobs from one source keep each other's base through retention", async () => {
    const { job: toOne, a, src } = await pair("shared", {}, "shared-one");
    const toTwo: ReplicationJob = {
      ...toOne,
      target: { ...toOne.target, dataset: `${poolB.name}/shared-two` },
    };
    assert.notStrictEqual(jobSnapshotPrefix(toOne), jobSnapshotPrefix(toTwo));
    const keepOne = { hourly: 1, daily: 0, weekly: 0, monthly: 0 };
    fs.writeFileSync(path.join(src, "a.txt"), "1\n");
    await replicate(toOne);
    const two = await replicate(toTwo);
    // Job one runs several times and prunes hard in between; job two's base must survive it.
    for (let i = 0; i < 3; i++) {
      fs.writeFileSync(path.join(src, `one-${i}.txt`), `${i}\n`);
      await replicate(toOne);
      await prune(toOne, keepOne);
    }
    const source = await inspectDataset(a, toOne.source.dataset, { resumable: false, written: false });
    assert.ok(
      source.snapshots.some((s) => s.guid === two.finalGuid),
      `job two's base ${two.finalSnapshot} was pruned by job one`,
    );
    fs.writeFileSync(path.join(src, "two.txt"), "two\n");
    const next = await replicate(toTwo);
    assert.strictEqual(next.steps[0].kind, "incremental", "job two continues from its base, no full resend");
    await prune(toTwo, keepOne);
    const again = await replicate(toOne);
    assert.strictEqual(again.steps[0].kind, "incremental", "and job one from its own");
  });

  it("a run waits for the lock on the source host: timer and pulumi-up runs do not interleave", async () => {
    const { job } = await pair("locked");
    const spec: JobSpec = {
      action: "replicate",
      source: endpoint(sshA(), job.source.dataset),
      target: endpoint(sshB(), job.target.dataset),
      lockTimeoutSeconds: 1,
    };
    // Another run (here: flock itself, as the scheduled job would hold it) holds the lock.
    fs.mkdirSync("/run/lock", { recursive: true });
    const holder = spawn("flock", [lockFileFor(job.source.dataset), "sleep", "60"], {
      stdio: "ignore",
      detached: true,
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      await assert.rejects(
        runJob(spec, () => undefined),
        /another replication run holds .*sovereign-zfs-.*\.lock/,
      );
      const state = await inspectDataset(job.source.executor, job.source.dataset, {
        resumable: false,
        written: false,
      });
      assert.strictEqual(state.snapshots.length, 0, "the refused run took no snapshot");
    } finally {
      // flock's child (sleep) holds the lock too: end the whole group.
      const exited = new Promise((r) => holder.once("exit", r));
      process.kill(-holder.pid!, "SIGTERM");
      await exited;
    }
    const result = (await runJob(spec, () => undefined)) as { report: { steps: { kind: string }[] } };
    assert.strictEqual(result.report.steps[0].kind, "full");
  });

  it("a force token forces one run only; the same token later is refused again", async () => {
    const { job, b, src, dst } = await pair("token");
    const spec = (forceToken?: string): JobSpec => ({
      action: "replicate",
      source: endpoint(sshA(), job.source.dataset),
      target: endpoint(sshB(), job.target.dataset),
      forceToken,
    });
    const diverge = async (what: string) => {
      await b.run(["zfs", "set", "readonly=off", job.target.dataset]);
      await b.run(["zfs", "snapshot", `${job.target.dataset}@${what}`]);
    };
    fs.writeFileSync(path.join(src, "f.txt"), "1\n");
    await runJob(spec("first-overwrite"), () => undefined); // nothing to force: the token is used up
    await diverge("local-1");
    await assert.rejects(
      runJob(spec("first-overwrite"), () => undefined),
      DivergedTargetError,
    );
    await runJob(spec("second-overwrite"), () => undefined);
    await diverge("local-2");
    await assert.rejects(
      runJob(spec("second-overwrite"), () => undefined),
      /Snapshots that would be lost: .*@local-2/,
    );
    await assert.rejects(
      runJob(spec(), () => undefined),
      DivergedTargetError,
    );
    assert.ok(fs.existsSync(dst));
  });
});
