/**
 * Bytes on the wire for a full and an incremental ZFS send, between two hosts over real SSH.
 * Run: `node bin/test/bench/zfs.bench.js [sizeMiB] [changeKiB]` (after `npx tsc -p tsconfig.json`),
 * or through `npm run bench -- zfs`. Needs root (zfs-fuse); starts and stops its own services.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { startSshd, startZfs, type RunningService } from "../harness";
import { SshExecutor } from "../../sdk/replication/executor";
import { replicate, type ReplicationJob } from "../../sdk/replication/zfsRunner";

export interface ZfsBenchResult {
  readonly dataMiB: number;
  readonly changeKiB: number;
  readonly fullBytes: number;
  readonly incrementalBytes: number;
  readonly ratio: number;
  readonly fullSeconds: number;
  readonly incrementalSeconds: number;
}

export async function runZfsBench(dataMiB = 64, changeKiB = 256): Promise<ZfsBenchResult> {
  const services: RunningService[] = [];
  const executors: SshExecutor[] = [];
  try {
    const zfs = await startZfs();
    services.push(zfs);
    const sshA = await startSshd();
    services.push(sshA);
    const sshB = await startSshd();
    services.push(sshB);
    const poolMiB = Math.max(128, Math.ceil(dataMiB * 1.5) + 64);
    const poolA = await zfs.createPool("benchA", poolMiB);
    const poolB = await zfs.createPool("benchB", poolMiB);
    const [a, b] = [sshA, sshB].map((s) => {
      const e = new SshExecutor({
        host: s.host,
        port: s.port,
        user: s.user,
        privateKey: s.privateKey,
        knownHostsPath: s.knownHostsPath,
      });
      executors.push(e);
      return e;
    });
    const dataset = `${poolA.name}/bench`;
    await a.run(["zfs", "create", dataset]);
    const job: ReplicationJob = {
      source: { executor: a, dataset },
      target: { executor: b, dataset: `${poolB.name}/bench` },
    };
    const dir = path.join(poolA.mountpoint, "bench");
    // Incompressible data in 1 MiB files, like uploads.
    for (let i = 0; i < dataMiB; i++)
      fs.writeFileSync(path.join(dir, `blob-${i}.bin`), crypto.randomBytes(1024 * 1024));
    const full = await replicate(job);
    // The small change: part of one file rewritten, one small file added.
    const fd = fs.openSync(path.join(dir, "blob-0.bin"), "r+");
    fs.writeSync(fd, crypto.randomBytes(changeKiB * 1024), 0, changeKiB * 1024, 4096);
    fs.closeSync(fd);
    fs.writeFileSync(path.join(dir, "note.txt"), "a small change\n");
    const inc = await replicate(job);
    return {
      dataMiB,
      changeKiB,
      fullBytes: full.bytes,
      incrementalBytes: inc.bytes,
      ratio: inc.bytes / full.bytes,
      fullSeconds: full.steps[0]?.seconds ?? 0,
      incrementalSeconds: inc.steps[0]?.seconds ?? 0,
    };
  } finally {
    executors.forEach((e) => e.close());
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
  }
}

if (require.main === module) {
  const dataMiB = Number(process.argv[2] ?? process.env.ZFS_BENCH_MIB ?? 64);
  const changeKiB = Number(process.argv[3] ?? process.env.ZFS_BENCH_CHANGE_KIB ?? 256);
  runZfsBench(dataMiB, changeKiB).then(
    (r) => {
      const mib = (n: number) => (n / 1024 / 1024).toFixed(2);
      console.log(
        `zfs send over ssh, ${r.dataMiB} MiB of data, change of ${r.changeKiB} KiB + one small file`,
      );
      console.log(
        `  full send:        ${r.fullBytes} bytes (${mib(r.fullBytes)} MiB) in ${r.fullSeconds.toFixed(2)} s`,
      );
      console.log(
        `  incremental send: ${r.incrementalBytes} bytes (${mib(r.incrementalBytes)} MiB) in ${r.incrementalSeconds.toFixed(2)} s`,
      );
      console.log(`  ratio incremental/full: ${r.ratio.toFixed(4)} (${(r.ratio * 100).toFixed(2)} %)`);
      console.log(JSON.stringify({ bench: "zfs", ...r }));
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
