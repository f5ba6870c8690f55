/**
 * The restore-based move as the migration issue defines its baseline and other self-hosting
 * platforms do it: stop the apps, take a full backup of every item into one archive file, open the
 * archive where the site goes (extract it, check every entry against the manifest's checksums),
 * restore every item, switch DNS, start. It uses the SDK's own backup code (sdk/backup: the same
 * item transfers, archive and database checks as `npm run backup` / `npm run restore`), and backs
 * up and restores the items side by side, which is kinder to this baseline than a tool that
 * handles one item after another.
 */
import * as fs from "fs";
import * as path from "path";
import { writeArchive, extractArchive, digestTree } from "../../sdk/backup/archive";
import { MANIFEST_ENTRY, entryProblems, type ArchiveEntry, type ItemBackup } from "../../sdk/backup/manifest";
import { backupItem, restoreItem } from "../../sdk/backup/transfer";
import { runMigration, type StepTiming } from "../../sdk/migration/executor";
import { itemLabel, type MigrationPlan, type StepKind } from "../../sdk/migration/plan";
import type { StepContext } from "../../sdk/migration/steps";

/** The plan's steps of these kinds only, in plan order. */
export function onlySteps(plan: MigrationPlan, kinds: readonly StepKind[]): MigrationPlan {
  return { ...plan, steps: plan.steps.filter((s) => kinds.includes(s.kind)) };
}

/** Runs some of the plan's steps (nothing else); a failed step fails the bench. */
async function runSteps(plan: MigrationPlan, ctx: StepContext, kinds: readonly StepKind[]) {
  const run = await runMigration(onlySteps(plan, kinds), ctx, { completed: [] });
  if (run.failure)
    throw new Error(`the archive-based move failed at ${run.failure.step}: ${run.failure.message}`);
  return run.timings;
}

/** Times `work` as one step of the report. */
async function timed<T>(timings: StepTiming[], id: string, work: () => Promise<[T, string]>): Promise<T> {
  const started = Date.now();
  const [value, note] = await work();
  timings.push({ id, seconds: (Date.now() - started) / 1000, note, startedAt: started });
  return value;
}

/**
 * Moves the site from `ctx.source` to `ctx.target` through an archive file in `workDir`: the
 * plan's provision-target, then stop-writes, backup of each item, the archive written, the archive
 * opened and checked, each item restored (databases checked against the manifest's table
 * checksums), then the plan's switch-dns and start-target. Returns each step's timing; the notes
 * carry the bytes written into the archive ("N bytes").
 */
export async function archiveMove(
  plan: MigrationPlan,
  ctx: StepContext,
  workDir: string,
): Promise<StepTiming[]> {
  const timings: StepTiming[] = [...(await runSteps(plan, ctx, ["provision-target", "stop-writes"]))];
  const staging = fs.mkdtempSync(path.join(workDir, "staging-"));
  const opened = fs.mkdtempSync(path.join(workDir, "opened-"));
  const file = path.join(workDir, "site.tar");
  try {
    const backups = await Promise.all(
      ctx.items.map((item) =>
        timed(timings, `backup:${itemLabel(item)}`, async () => {
          const r = await backupItem(ctx.source, item, itemLabel(item), staging);
          const bytes = r.entries.reduce((n, e) => n + e.bytes, 0);
          return [r, `${bytes} bytes into the archive (${r.entries.length} entries)`];
        }),
      ),
    );
    const entries: ArchiveEntry[] = backups.flatMap((b) => b.entries);
    await timed(timings, "write-archive", async () => {
      fs.writeFileSync(path.join(staging, MANIFEST_ENTRY), JSON.stringify({ entries }));
      await writeArchive(
        staging,
        entries.map((e) => e.path),
        file,
      );
      return [undefined, `${fs.statSync(file).size} byte archive written`];
    });
    fs.rmSync(staging, { recursive: true, force: true });
    await timed(timings, "open-archive", async () => {
      await extractArchive(file, opened);
      const problems = entryProblems({ entries }, await digestTree(opened));
      if (problems.length > 0) throw new Error(`the archive is damaged: ${problems.join("; ")}`);
      return [undefined, `${entries.length} entries extracted, every checksum as the manifest records`];
    });
    await Promise.all(
      ctx.items.map((item, i) =>
        timed(timings, `restore:${itemLabel(item)}`, async () => {
          const backup: ItemBackup = backups[i].backup;
          return [undefined, await restoreItem(ctx.target, item, [{ dir: opened, file, backup }])];
        }),
      ),
    );
  } finally {
    for (const p of [staging, opened, file]) fs.rmSync(p, { recursive: true, force: true });
  }
  timings.push(...(await runSteps(plan, ctx, ["switch-dns", "start-target"])));
  return timings;
}
