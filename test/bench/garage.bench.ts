/**
 * Bucket sync between two real Garage instances: our one-shot sync (s3Sync.ts) against `rclone
 * sync` run directly, in the same run, on the same data: 2,000 small objects + 20 of 8 MiB, then a
 * re-sync after 1% of the objects changed. Each tool runs as a child process so its peak RSS is its
 * own. Run: `npm run bench -- garage` (or `node bin/test/bench/garage.bench.js [small] [big]`).
 */
import { execFile } from "child_process";
import { randomBytes } from "crypto";
import { promisify } from "util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { startGarage, type GarageService } from "../harness";
import { inParallel, s3Client, type S3Location, type SyncReport } from "../../sdk/storage/s3Sync";
import { replicationEnvironment } from "../../sdk/storage/replicationJob";
import { GarageAdmin } from "../../providers/garage/api";

const run = promisify(execFile);

/** Runs a command and reports its wall time and peak RSS (via getrusage of the child). */
const MEASURE = `import resource, subprocess, sys, time
t = time.time()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(p.stderr)
print(p.stdout)
print("__MEASURE__", p.returncode, time.time() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)`;

interface Measured {
  stdout: string;
  stderr: string;
  seconds: number;
  peakRssMiB: number;
}

async function measure(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  const { stdout, stderr } = await run("python3", ["-c", MEASURE, command, ...args], { env, maxBuffer: 256 << 20 });
  const m = /__MEASURE__ (\d+) ([\d.]+) (\d+)\s*$/.exec(stdout);
  if (!m) throw new Error(`could not measure ${command}: ${stdout}\n${stderr}`);
  if (m[1] !== "0") throw new Error(`${command} failed (exit ${m[1]}):\n${stderr}`);
  return { stdout: stdout.slice(0, m.index), stderr, seconds: Number(m[2]), peakRssMiB: Number(m[3]) / 1024 };
}

async function bucketWithKey(g: GarageService, name: string): Promise<S3Location> {
  const admin = new GarageAdmin(g);
  const bucket = await admin.createBucket({ globalAlias: name });
  const key = await admin.createKey(`bench ${name}`);
  await admin.allow(bucket.id, key.accessKeyId, { read: true, write: true, owner: true });
  return { endpoint: g.s3Endpoint, region: g.region, bucket: name, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey ?? "" };
}

async function fill(loc: S3Location, objects: { key: string; size: number }[]): Promise<void> {
  const s3 = s3Client(loc);
  await inParallel(objects, 16, async (o) => {
    await s3.send(new PutObjectCommand({ Bucket: loc.bucket, Key: o.key, Body: randomBytes(o.size) }));
  });
  s3.destroy();
}

async function ours(source: S3Location, target: S3Location): Promise<{ report: SyncReport } & Measured> {
  const script = `require(${JSON.stringify(require.resolve("../../sdk/storage/s3Sync"))}).syncBuckets(${JSON.stringify(source)}, ${JSON.stringify(target)}, { concurrency: 16 }).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); })`;
  const m = await measure(process.execPath, ["-e", script]);
  return { ...m, report: JSON.parse(m.stdout.trim()) as SyncReport };
}

/** Bytes and files rclone reports having transferred (its final stats block). */
export function rcloneTransferred(stderr: string): { bytes: number; files: number } {
  const units: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, Bytes: 1 };
  const lines = stderr.split("\n").filter((l) => l.includes("Transferred:"));
  let bytes = 0;
  let files = 0;
  for (const line of lines) {
    const b = /Transferred:\s+([\d.]+)\s*(B|KiB|MiB|GiB|Bytes)\s*\//.exec(line);
    if (b) bytes = Number(b[1]) * units[b[2]];
    const f = /Transferred:\s+(\d+)\s*\/\s*\d+,/.exec(line);
    if (f && !b) files = Number(f[1]);
  }
  return { bytes: Math.round(bytes), files };
}

async function rclone(source: S3Location, target: S3Location): Promise<{ bytes: number; files: number } & Measured> {
  const spec = {
    name: "bench",
    source: { endpoint: source.endpoint, region: source.region, bucket: source.bucket },
    target: { endpoint: target.endpoint, region: target.region, bucket: target.bucket },
  };
  const env = { ...process.env, ...replicationEnvironment(spec, { source, target }) };
  const m = await measure(
    "rclone",
    ["sync", "--checksum", "--fast-list", "--transfers=16", "--config=/dev/null", "--stats=1h", "--stats-log-level=NOTICE", `SRC:${source.bucket}`, `DST:${target.bucket}`],
    env,
  );
  return { ...m, ...rcloneTransferred(m.stderr) };
}

export async function runGarageBench(small = 2000, big = 20) {
  const services: GarageService[] = [];
  try {
    const dc1 = await startGarage({ zone: "dc1" });
    services.push(dc1);
    const dc2 = await startGarage({ zone: "dc2" });
    services.push(dc2);
    const source = await bucketWithKey(dc1, "bench-src");
    const oursTarget = await bucketWithKey(dc2, "bench-ours");
    const rcloneTarget = await bucketWithKey(dc2, "bench-rclone");
    const objects = [
      ...Array.from({ length: small }, (_, i) => ({ key: `small/${String(i).padStart(5, "0")}.bin`, size: 4096 })),
      ...Array.from({ length: big }, (_, i) => ({ key: `big/${i}.bin`, size: 8 << 20 })),
    ];
    await fill(source, objects);
    const totalBytes = objects.reduce((n, o) => n + o.size, 0);

    const first = { ours: await ours(source, oursTarget), rclone: await rclone(source, rcloneTarget) };
    // 1% of the objects change (small ones: what a re-sync mostly sees).
    const changed = objects.filter((o) => o.key.startsWith("small/")).slice(0, Math.ceil(objects.length / 100));
    await fill(source, changed);
    const second = { ours: await ours(source, oursTarget), rclone: await rclone(source, rcloneTarget) };
    return { objects: objects.length, totalBytes, changed: changed.length, changedBytes: changed.reduce((n, o) => n + o.size, 0), first, second };
  } finally {
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
  }
}

if (require.main === module) {
  const small = Number(process.argv[2] ?? 2000);
  const big = Number(process.argv[3] ?? 20);
  runGarageBench(small, big).then(
    (r) => {
      const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
      const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
      console.log(`bucket sync between two Garage instances: ${r.objects} objects (${small} × 4 KiB + ${big} × 8 MiB, ${mib(r.totalBytes)})`);
      console.log(row(["", "ours (s3Sync)", "rclone sync --checksum", "ratio ours/rclone"]));
      console.log(row(["---", "---", "---", "---"]));
      const f = r.first;
      console.log(row(["first sync", `${f.ours.seconds.toFixed(1)} s, ${(r.objects / f.ours.seconds).toFixed(0)} obj/s`, `${f.rclone.seconds.toFixed(1)} s, ${(r.objects / f.rclone.seconds).toFixed(0)} obj/s`, `${(f.ours.seconds / f.rclone.seconds).toFixed(2)}x`]));
      const s = r.second;
      console.log(
        row([
          `re-sync, ${r.changed} changed (${mib(r.changedBytes)})`,
          `${s.ours.seconds.toFixed(1)} s, ${s.ours.report.copied} objects, ${s.ours.report.copiedBytes} bytes`,
          `${s.rclone.seconds.toFixed(1)} s, ${s.rclone.files} objects, ${s.rclone.bytes} bytes`,
          `${(s.ours.seconds / s.rclone.seconds).toFixed(2)}x`,
        ]),
      );
      console.log(row(["peak RSS", `${Math.max(f.ours.peakRssMiB, s.ours.peakRssMiB).toFixed(0)} MiB`, `${Math.max(f.rclone.peakRssMiB, s.rclone.peakRssMiB).toFixed(0)} MiB`, ""]));
      console.log(
        JSON.stringify({
          bench: "garage",
          objects: r.objects,
          first: { ours: f.ours.seconds, rclone: f.rclone.seconds },
          second: { ours: s.ours.seconds, oursCopied: s.ours.report.copied, oursBytes: s.ours.report.copiedBytes, rclone: s.rclone.seconds, rcloneCopied: s.rclone.files, rcloneBytes: s.rclone.bytes },
          peakRssMiB: { ours: Math.max(f.ours.peakRssMiB, s.ours.peakRssMiB), rclone: Math.max(f.rclone.peakRssMiB, s.rclone.peakRssMiB) },
        }),
      );
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
