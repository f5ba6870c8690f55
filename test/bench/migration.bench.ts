/**
 * `npm run bench -- migration`: the site with Synapse and N MiB of data (SOVEREIGN_BENCH_MIB,
 * default 32; 512 for the headline: half files on ZFS, a quarter rows, a quarter objects) moves
 * dc-a -> dc-b by switching the config's datacenter (the Migration: pre-seed while serving, stop,
 * delta, verify, switch), then back dc-b -> dc-a the restore-based way the issue names as the
 * baseline and other platforms use (stop, full backup into an archive file, restore from it,
 * start: archiveMove.ts), then once more dc-a -> dc-b restore-based without the archive file (every
 * item copied whole straight to the target: a stricter baseline no platform offers). The same
 * downtime probe measures all three. Prints each step's time, the downtimes, the bytes moved
 * while the apps were stopped, the peak memory of the Pulumi program (this process, which runs
 * the inline program) and of the dynamic provider processes that move the data (sampled from
 * /proc), and the ratios of the downtimes (the headline: archive-based / migration).
 * Data is generated and moved in streams (1 MiB file chunks, server-side rows, 4 MiB objects).
 */
import { execFileSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { repoRoot, sharedService, stopSharedServices } from "../harness";
import "../harness/datacenter";
import "../harness/powerdns";
import { createTestStack } from "../harness/workspace";
import { runMigration, type StepTiming } from "../../sdk/migration/executor";
import { archiveMove, onlySteps } from "./archiveMove";
import { planMigration, type MigrationItem } from "../../sdk/migration/plan";
import { startProbe, type ProbeReport } from "../../sdk/migration/probe";
import { SiteData } from "../../sdk/migration/siteData";
import { databaseName } from "../../sdk/migration/sides";
import { psql } from "../../sdk/replication/postgresCopy";
import { s3Client } from "../../sdk/storage/s3Sync";
import {
  APP_PORT,
  migrationSiteConfig,
  migrationSiteItems,
  secretsOf,
  sideOf,
  siteProgram,
  webApp,
} from "../migration/siteProgram";
import {
  cleanUpSite,
  configureMigrationStack,
  migrationOutputs,
  runScript,
} from "../migration/migrationStack";
import { bothApps, synapseApp, writeSynapseDbFile } from "../migration/synapseApp";

const MIB = 1024 * 1024;
/** The goal: the migration's downtime at least this many times shorter, at GOAL_MIB. */
const GOAL_RATIO = 10;
const GOAL_MIB = 512;
const say = (line: string) => console.log(`[bench] ${line}`);

/** A run whose figures cannot be trusted (a step failed, data missing): the bench exits non-zero. */
function brokenUnless(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`broken benchmark run: ${what}`);
}

/** The goal line: PASS/FAIL of the downtime ratio against the goal (a miss is no error). */
function goalLine(mib: number, ours: number, theirs: number): string {
  const ratio = theirs / ours;
  const verdict = ratio >= GOAL_RATIO ? "PASS" : "FAIL";
  const size = mib === GOAL_MIB ? "" : ` (this run has ${mib} MiB: the goal is judged at ${GOAL_MIB} MiB)`;
  return `${verdict}  downtime ratio at ${mib} MiB: ${ratio.toFixed(1)}x (restore-based ${theirs.toFixed(2)} s / migration ${ours.toFixed(2)} s); goal >= ${GOAL_RATIO}x at ${GOAL_MIB} MiB${size}`;
}

/** Peak resident memory (VmHWM) of this process's descendants, sampled every 250 ms. */
function descendantPeak(): { stop(): number } {
  let peak = 0;
  // The engine starts the providers from its own threads: walk every process's parent, not
  // /proc/<pid>/task/<pid>/children (the main thread's children only).
  const parentOf = (pid: number): number =>
    Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  const descends = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      if (p === process.pid) return true;
      p = parentOf(p);
    }
    return false;
  };
  const sample = () => {
    for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
      const pid = Number(entry);
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!/dynamic-provider|pulumi-resource-pulumi-nodejs/.test(cmd) || !descends(pid)) continue;
        const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
        peak = Math.max(peak, kb * 1024);
      } catch {
        // Gone meanwhile.
      }
    }
  };
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

async function writeData(data: SiteData, items: readonly MigrationItem[], mib: number): Promise<void> {
  const find = (kind: string) => items.find((i) => i.app === "pixelfed" && i.state.kind === kind)!;
  const mount = await data.mountpoint(data.where(find("directory")));
  const fileMib = Math.max(1, Math.floor(mib / 2));
  const chunk = randomBytes(MIB);
  for (let f = 0; f * 16 < fileMib; f++) {
    const fd = fs.openSync(path.join(mount, `blob-${f}.bin`), "w");
    for (let i = 0; i < Math.min(16, fileMib - f * 16); i++) {
      chunk.writeUInt32LE(f * 16 + i, 0);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
  }
  // About 1 KiB a row, made by the server.
  const rows = Math.max(1, Math.floor((mib / 4) * 1024));
  await psql(
    data.database(find("database")),
    `CREATE TABLE IF NOT EXISTS blobs (id serial primary key, body text);
     INSERT INTO blobs (body) SELECT repeat(md5(g::text), 32) FROM generate_series(1, ${rows}) g;`,
  );
  const location = await data.bucket(find("bucket"));
  const client = s3Client(location);
  try {
    for (let i = 0; i * 4 < Math.max(4, mib / 4); i++)
      await client.send(
        new PutObjectCommand({ Bucket: location.bucket, Key: `media/${i}.bin`, Body: randomBytes(4 * MIB) }),
      );
  } finally {
    client.destroy();
  }
}

/** The direct restore-based move: the migration's steps without pre-seed and verify. */
const COPY_MOVE = ["provision-target", "stop-writes", "final-sync", "switch-dns", "start-target"] as const;

/**
 * The steps, each with its duration and, when the probe saw an outage, when it started relative
 * to the first one (`@-1.20` started 1.2 s before clients lost the site).
 */
const table = (timings: readonly StepTiming[], probe?: ProbeReport) => {
  const zero = probe?.outages?.[0]?.from;
  const at = (t: StepTiming) =>
    zero !== undefined && t.startedAt !== undefined
      ? `@${((t.startedAt - zero) / 1000).toFixed(2).padStart(6)}  `
      : "";
  const outages = (probe?.outages ?? []).map(
    (o) =>
      `    probe down @${((o.from - zero!) / 1000).toFixed(2)} .. @${((o.to - zero!) / 1000).toFixed(2)} (first failure: ${o.reason})`,
  );
  return [
    ...timings.map((t) => `    ${t.seconds.toFixed(2).padStart(8)} s  ${at(t)}${t.id}  ${t.note}`),
    ...outages,
  ].join("\n");
};

/** Bytes a step note reports ("123 bytes sent", "(45 bytes)", "67 bytes of dump"). */
const bytesOf = (t: StepTiming) => Number(/(\d+) bytes/.exec(t.note)?.[1] ?? 0);

async function main(): Promise<void> {
  const mib = Number(process.env.SOVEREIGN_BENCH_MIB ?? 32);
  brokenUnless(
    Number.isInteger(mib) && mib > 0,
    `SOVEREIGN_BENCH_MIB must be a positive integer of MiB, not "${process.env.SOVEREIGN_BENCH_MIB}"`,
  );
  // Half the data is files on each side's pool, plus Synapse and the snapshots (sparse images).
  process.env.SOVEREIGN_DC_POOL_MIB ??= String(Math.max(256, mib * 2));
  const run = randomBytes(3).toString("hex");
  const site = `bench${run}`;
  const domain = `${site}.coop.test`;
  say(`site ${site}: Synapse + ${mib} MiB of data; starting dc-a, dc-b and PowerDNS`);
  const venv = execFileSync("bash", [path.join(repoRoot(), "scripts", "synapse.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  const [dcA, dcB, pdns] = await Promise.all([
    sharedService("datacenter", "dc-a"),
    sharedService("datacenter", "dc-b"),
    sharedService("powerdns"),
  ]);
  const files = {
    db: `/tmp/sovereign-bench-synapse-${run}-{datacenter}.db.yaml`,
    pid: `/tmp/sovereign-bench-synapse-${run}-{datacenter}.pid`,
    web: `/tmp/sovereign-bench-web-${run}-{datacenter}.pid`,
  };
  const at = (file: string, dc: string) => file.replace("{datacenter}", dc);
  for (const dc of [dcA, dcB])
    writeSynapseDbFile(at(files.db, dc.datacenter), dc, databaseName(site, "matrix", "synapse"));
  const app = bothApps(
    webApp(files.web),
    synapseApp({ venv, serverName: domain, dbFile: files.db, pidFile: files.pid }),
  );
  const dnsServer = `${pdns.dnsAddress}:${pdns.dnsPort}`;
  const test = await createTestStack(
    "migrationbench",
    siteProgram({ pdnsApiUrl: pdns.apiUrl, dnsServer, pidFile: files.web, app }),
  );
  // A SiteData remembers the buckets it was granted; the migration deletes and makes buckets, so
  // each phase takes fresh ones.
  const fresh = () => ({
    a: new SiteData(site, sideOf(dcA, site), secretsOf(dcA)),
    b: new SiteData(site, sideOf(dcB, site), secretsOf(dcB)),
  });
  let data = fresh();
  const renew = () => {
    data.a.close();
    data.b.close();
    data = fresh();
  };
  const peak = descendantPeak();
  let failure: Error | undefined;
  try {
    const s = test.stack;
    await configureMigrationStack(s, site, [dcA, dcB], pdns.apiKey);
    const setDatacenter = (dc: string) =>
      s.setConfig("sovereign:site", {
        value: JSON.stringify(migrationSiteConfig(site, domain, dc, [], { matrix: true, inventory: false })),
      });
    await setDatacenter("dc-a");
    say("up at dc-a (Synapse starts on a fresh database)");
    await s.up({ color: "never" });
    const items = migrationSiteItems(true);
    say(`writing ${mib} MiB at dc-a`);
    await writeData(data.a, items, mib);

    say("1) migration by config switch dc-a -> dc-b (pulumi up)");
    await setDatacenter("dc-b");
    await s.up({ color: "never" });
    const m = (await migrationOutputs(s)).migration;
    brokenUnless(
      m?.status === "done" && m.to === "dc-b",
      `the migration did not complete: ${JSON.stringify(m?.failure ?? m?.status)}`,
    );
    console.log(table(m.timings, m.probe));
    brokenUnless(
      Number.isFinite(m.downtimeSeconds) && (m.probe?.servedBy ?? []).includes(dcB.address),
      `the migration's probe never reached dc-b (${JSON.stringify(m.probe)})`,
    );
    const stopped = (id: string) => ["final-sync", "verify"].some((k) => id.startsWith(k));
    const ours = {
      downtime: m.downtimeSeconds ?? NaN,
      bytes: m.timings.filter((t) => stopped(t.id)).reduce((n, t) => n + bytesOf(t), 0),
    };

    // The two restore-based moves: each stops the apps and copies every item whole while they are
    // stopped, then switches and starts; the same probe measures them.
    const restoreBased = async (
      from: "dc-b" | "dc-a",
      how: "archive" | "copy",
    ): Promise<{ downtime: number; bytes: number; timings: readonly StepTiming[] }> => {
      const [source, target] = from === "dc-b" ? [data.b, data.a] : [data.a, data.b];
      const to = target.side;
      const plan = planMigration({
        site,
        source: from,
        target: to.name,
        items,
        ttl: 60,
        switchTtl: 5,
        keepSource: true,
      });
      const ctx = {
        items,
        source,
        target,
        app,
        dns: {
          apiUrl: pdns.apiUrl,
          serverId: "localhost",
          apiKey: pdns.apiKey,
          zone: `${domain}.`,
          names: [`web1.${domain}.`],
          ttl: 60,
          switchTtl: 5,
          ttlWaitCapSeconds: 0,
        },
        log: () => undefined,
      };
      const probe = startProbe({ name: `web1.${domain}.`, dnsServer, port: APP_PORT });
      let timings: readonly StepTiming[];
      if (how === "archive") {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-bench-archive-"));
        try {
          timings = await archiveMove(plan, ctx, work);
        } finally {
          fs.rmSync(work, { recursive: true, force: true });
        }
      } else {
        const run = await runMigration(onlySteps(plan, COPY_MOVE), ctx, { completed: [] });
        brokenUnless(!run.failure, `the restore-based move failed: ${run.failure?.message}`);
        timings = run.timings;
      }
      const report = await probe.stop();
      console.log(table(timings, report));
      brokenUnless(
        report.servedBy.at(-1) === to.address,
        `the restore-based move's probe did not end at ${to.name} (${JSON.stringify(report)})`,
      );
      const copied = timings
        .filter((t) => /^(final-sync|backup)/.test(t.id))
        .reduce((n, t) => n + bytesOf(t), 0);
      brokenUnless(
        copied >= mib * MIB * 0.9,
        `the restore-based move copied ${copied} bytes, less than the ${mib} MiB written`,
      );
      return { downtime: report.downtimeSeconds, bytes: copied, timings };
    };

    say(
      "2) restore-based move dc-b -> dc-a as the issue defines it: stop, full backup into an archive file, restore from it, start",
    );
    renew();
    const theirs = await restoreBased("dc-b", "archive");
    say(
      "3) restore-based move dc-a -> dc-b without the archive file (every item copied whole, side by side, straight to the target)",
    );
    renew();
    // dc-b still holds the copy the first move left there (a restore-based move keeps its source).
    await data.b.retire(items);
    renew();
    const direct = await restoreBased("dc-a", "copy");
    const providerPeak = peak.stop();
    const mb = (n: number) => `${(n / MIB).toFixed(1)} MiB`;
    say(`data: ${mib} MiB + Synapse`);
    say(
      `downtime, migration by config switch:   ${ours.downtime.toFixed(2)} s (moved ${mb(ours.bytes)} while stopped)`,
    );
    say(
      `downtime, restore-based move (archive): ${theirs.downtime.toFixed(2)} s (moved ${mb(theirs.bytes)} while stopped)`,
    );
    say(
      `downtime, restore-based move (direct):  ${direct.downtime.toFixed(2)} s (moved ${mb(direct.bytes)} while stopped); ratio ${(direct.downtime / ours.downtime).toFixed(1)}x`,
    );
    say(
      `peak RSS: Pulumi program (this process) ${mb(process.resourceUsage().maxRSS * 1024)}, dynamic providers ${mb(providerPeak)}`,
    );
    say(
      `HEADLINE: restore-based (archive) downtime / migration downtime = ${(theirs.downtime / ours.downtime).toFixed(1)}x`,
    );
    say(goalLine(mib, ours.downtime, theirs.downtime));
  } catch (error) {
    failure = error as Error;
  }
  peak.stop();
  // A failure of the clean-up is reported, but never hides the run's own failure.
  try {
    renew();
    await cleanUpSite([data.a, data.b], [files.pid, files.web], migrationSiteItems(true));
    for (const dc of ["dc-a", "dc-b"]) fs.rmSync(at(files.db, dc), { force: true });
    await test.dispose().catch((e: Error) => say(`destroy: ${e.message}`));
    await stopSharedServices();
  } catch (cleanupError) {
    if (!failure) throw cleanupError;
    say(`clean-up after the failure failed too: ${(cleanupError as Error).message}`);
  }
  if (failure) throw failure;
}

runScript(main);
