/**
 * Pure migration decisions: which steps move a site from one datacenter to another, in which
 * order, and where a failed run resumes. Nothing here runs a command; executor.ts runs the steps
 * this file decides, and the Migration resource shows them in `pulumi preview`.
 *
 * The order protects the data: everything is copied while the source still serves (pre-seed),
 * writes stop only for the final delta, and nothing that cuts clients over (DNS) or removes data
 * (retire) runs before every piece of state is verified at the target.
 */
import type { ReplicationStrategy, StateItem } from "../apps/types";

/**
 * Every kind of step a migration plan can hold, in the order planMigration places them. A plan
 * ends with either `retire-source` or `keep-source-stopped` (MigrationPlanInput.keepSource), and
 * `hook` steps are placed between the others by withHooks.
 */
export const STEP_KINDS = [
  "provision-target",
  "preseed",
  "lower-ttl",
  /** Per streamed database: both sides checksummed and watched while the source serves (tableCheckpoint.ts). */
  "pre-verify",
  "stop-writes",
  "final-sync",
  "verify",
  "switch-dns",
  "start-target",
  "update-inventory",
  "retire-source",
  "keep-source-stopped",
  /** A site's or app's script at a hook point (hooks.ts places them). */
  "hook",
] as const;
/** What a {@link MigrationStep} does: one of {@link STEP_KINDS}. */
export type StepKind = (typeof STEP_KINDS)[number];

/** One piece of state to move, as an app's catalog entry declares it, named by its app instance. */
export interface MigrationItem {
  /** The app instance that owns it, e.g. "chat". */
  readonly app: string;
  /**
   * The state item as the app's catalog entry declares it: a directory (by path), a database or a
   * bucket (by name), with the replication strategy that copies it.
   */
  readonly state: StateItem;
}

/**
 * One step of a {@link MigrationPlan}: per state item for `preseed`, `final-sync` and `verify`,
 * once per plan for the others. The executor runs steps in plan order (consecutive per-item steps
 * of one kind side by side) and records each completed step's `id`.
 */
export interface MigrationStep {
  /** Stable within a plan: progress is recorded by id. */
  readonly id: string;
  /** What the step does; decides how the executor runs it. */
  readonly kind: StepKind;
  /** The state item's label (`chat:database:synapse`) for per-item steps. */
  readonly item?: string;
  /** How the item is copied, for per-item steps (`preseed`, `final-sync`, `verify`). */
  readonly strategy?: ReplicationStrategy;
  /** The hook's name for hook steps (hooks.ts). */
  readonly hook?: string;
  /** What a person reads in the preview. */
  readonly description: string;
  /**
   * Cannot be undone once it ran (clients see the target, or source data is gone): such a step
   * runs only after every verify step, and is never run twice.
   */
  readonly destructive: boolean;
  /**
   * Runs while the source's apps are stopped: a failure of this step or an earlier one of the
   * same window restarts them, and a resumed run repeats the whole window (writes may have
   * happened in between).
   */
  readonly inWriteWindow: boolean;
}

/** What {@link planMigration} plans from: the site, the two datacenters and the state to move. */
export interface MigrationPlanInput {
  /** The site's name, used in the step descriptions. */
  readonly site: string;
  /** The datacenter that serves now (the data is copied from here). */
  readonly source: string;
  /** The datacenter the site moves to; the same as `source` gives an empty plan. */
  readonly target: string;
  /**
   * The state to move. Labels ({@link itemLabel}) must be unique: planMigration throws an Error
   * naming the duplicates otherwise.
   */
  readonly items: readonly MigrationItem[];
  /** The records' TTL in normal operation, in seconds. */
  readonly ttl: number;
  /** The short TTL (seconds) the `lower-ttl` step sets ahead of the switch. */
  readonly switchTtl: number;
  /** Keep the source's data (stopped) until an explicit retire instead of deleting it. */
  readonly keepSource: boolean;
  /**
   * Labels of items a warm standby at `target` keeps current (standbyPlan.ts): their pre-seed is
   * already done, so the plan has no pre-seed step for them.
   */
  readonly preseeded?: readonly string[];
}

/** The ordered steps that move a site from `source` to `target` (from {@link planMigration}). */
export interface MigrationPlan {
  /** The site being moved. */
  readonly site: string;
  /** The datacenter the data is copied from. */
  readonly source: string;
  /** The datacenter the site moves to. */
  readonly target: string;
  /** The steps in the order they run; empty when source and target are the same. */
  readonly steps: readonly MigrationStep[];
}

/**
 * The item's label, `<app>:<kind>:<name>` (a directory by its path), e.g. `chat:database:synapse`:
 * how steps, progress, standby lag and hooks name it.
 */
export function itemLabel(item: MigrationItem): string {
  const s = item.state;
  const name = s.kind === "directory" ? s.path : s.name;
  return `${item.app}:${s.kind}:${name}`;
}

const PRESEED: Record<ReplicationStrategy, string> = {
  "zfs-send-receive": "ZFS full send, then an incremental send, while the source serves",
  "db-streaming-replication":
    "PostgreSQL logical replica streaming to the target cluster while the source serves",
  "s3-copy": "bucket sync to the target Garage while the source serves",
  "stop-then-rsync": "rsync pre-pass of the directory while the source serves",
};
const FINAL: Record<ReplicationStrategy, string> = {
  "zfs-send-receive": "final incremental ZFS send of the delta",
  "db-streaming-replication":
    "wait until the replica has replayed the source's last WAL position (the delta), copy sequences",
  "s3-copy": "final bucket sync of new and changed objects",
  "stop-then-rsync": "final rsync with the app stopped",
};
const PRE_VERIFY: Partial<Record<ReplicationStrategy, string>> = {
  "db-streaming-replication":
    "once the old DNS TTL has run out, checksum every table at both sides while the source serves and watch both for writes from here, so the verify reads again only the tables written since",
};
const VERIFY: Record<ReplicationStrategy, string> = {
  "zfs-send-receive": "snapshot GUIDs equal on both sides",
  "db-streaming-replication": "row counts and checksums per table equal",
  "s3-copy": "object lists and checksums equal",
  "stop-then-rsync": "file checksums equal",
};

function labelsOf(items: readonly MigrationItem[]): string[] {
  const labels = items.map(itemLabel);
  const seen = new Set<string>();
  const duplicates = labels.filter((l) => (seen.has(l) ? true : (seen.add(l), false)));
  if (duplicates.length > 0)
    throw new Error(
      `migration items must be unique; declared twice: ${[...new Set(duplicates)].join(", ")} (give the app instances distinct names)`,
    );
  return labels;
}

/**
 * The ordered steps that move `input.items` from `source` to `target`; empty when they are the
 * same datacenter (nothing to move).
 */
export function planMigration(input: MigrationPlanInput): MigrationPlan {
  const { site, source, target } = input;
  if (source === target) return { site, source, target, steps: [] };
  const labels = labelsOf(input.items);
  const steps: MigrationStep[] = [];
  const add = (
    step: Omit<MigrationStep, "destructive" | "inWriteWindow">,
    flags: Partial<MigrationStep> = {},
  ) => steps.push({ destructive: false, inWriteWindow: false, ...step, ...flags });
  const preseeded = new Set(input.preseeded ?? []);
  // An item gets a step of `kind` when `texts` describes its strategy.
  const perItem = (
    kind: StepKind,
    texts: Partial<Record<ReplicationStrategy, string>>,
    flags: Partial<MigrationStep> = {},
  ) =>
    input.items.forEach((item, i) => {
      if (kind === "preseed" && preseeded.has(labels[i])) return;
      if (texts[item.state.strategy] === undefined) return;
      add(
        {
          id: `${kind}:${labels[i]}`,
          kind,
          item: labels[i],
          strategy: item.state.strategy,
          description: `${labels[i]}: ${texts[item.state.strategy]!}`,
        },
        flags,
      );
    });

  add({ id: "provision-target", kind: "provision-target", description: `provision ${site} at ${target}` });
  perItem("preseed", PRESEED);
  add({
    id: "lower-ttl",
    kind: "lower-ttl",
    description: `lower the site's DNS TTL from ${input.ttl}s to ${input.switchTtl}s ahead of the switch`,
  });
  perItem("pre-verify", PRE_VERIFY);
  const window = { inWriteWindow: true };
  add(
    { id: "stop-writes", kind: "stop-writes", description: `stop the apps at ${source} (writes stop here)` },
    window,
  );
  perItem("final-sync", FINAL, window);
  perItem("verify", VERIFY, window);
  add(
    { id: "switch-dns", kind: "switch-dns", description: `point the site's names at ${target}` },
    { destructive: true },
  );
  add({ id: "start-target", kind: "start-target", description: `start the apps at ${target}` });
  add({
    id: "update-inventory",
    kind: "update-inventory",
    description: `record ${site} at ${target} in NetBox`,
  });
  if (input.keepSource)
    add({
      id: "keep-source-stopped",
      kind: "keep-source-stopped",
      description: `keep ${source}'s copy stopped until an explicit retire`,
    });
  else
    add(
      {
        id: "retire-source",
        kind: "retire-source",
        description: `retire ${source}: delete its copy of the data`,
      },
      { destructive: true },
    );
  return { site, source, target, steps };
}

/** How far a run got: ids of completed steps, in order. */
export interface MigrationProgress {
  /** Ids of the steps that completed ({@link MigrationStep.id}); a resumed run skips them. */
  readonly completed: readonly string[];
}

/** The steps a run still has to do, in plan order. */
export function remainingSteps(plan: MigrationPlan, progress: MigrationProgress): MigrationStep[] {
  const done = new Set(progress.completed);
  return plan.steps.filter((step) => !done.has(step.id));
}

/** Per-item steps: each touches only its own item's data, so different items run side by side. */
const PER_ITEM_KINDS: ReadonlySet<StepKind> = new Set(["preseed", "pre-verify", "final-sync", "verify"]);

/**
 * How the executor runs `steps` (in plan order): a list of groups run one after the other; a group
 * is a list of lanes run side by side; a lane is steps run in order. Consecutive per-item steps
 * (pre-seed, or final sync then verify) form one group with a lane per item, so an item's verify
 * starts as soon as its own final sync is done instead of after the slowest item's; every other
 * step (stop, switch, hooks...) is a group of its own, so nothing after a group starts before the
 * whole group has finished (the DNS switch waits for every verify).
 */
export function stepGroups(steps: readonly MigrationStep[]): MigrationStep[][][] {
  const groups: MigrationStep[][][] = [];
  let open: Map<string, MigrationStep[]> | undefined;
  for (const step of steps) {
    if (!PER_ITEM_KINDS.has(step.kind) || step.item === undefined) {
      groups.push([[step]]);
      open = undefined;
      continue;
    }
    if (!open) {
      open = new Map();
      groups.push([]);
    }
    const lane = open.get(step.item);
    if (lane) lane.push(step);
    else {
      const fresh = [step];
      open.set(step.item, fresh);
      groups[groups.length - 1].push(fresh);
    }
  }
  return groups;
}

/** What {@link afterFailure} decides after a failed step: the progress to keep and the recovery. */
export interface FailureOutcome {
  /** Progress to record: what the next run may skip. */
  readonly progress: MigrationProgress;
  /** The source's apps were stopped and no client was switched yet: start them again. */
  readonly restartSource: boolean;
}

/**
 * What a failure at `failed` means. Before the switch, the source serves again: its apps are
 * restarted and the write window (stop, final delta, verify) is forgotten, because writes made
 * after the restart must be copied and verified again; so are the pre-verify steps, whose
 * checkpoint the next run takes again. From the switch on, the target serves; the
 * next run continues after the last completed step and never repeats a destructive one.
 */
export function afterFailure(
  plan: MigrationPlan,
  progress: MigrationProgress,
  failed: string,
): FailureOutcome {
  const done = new Set(progress.completed);
  const switched = plan.steps.some((s) => s.kind === "switch-dns" && done.has(s.id));
  const stopped = done.has("stop-writes") || failed === "stop-writes";
  if (switched) return { progress, restartSource: false };
  // A pre-verify's checkpoint lives in the run that took it: a new run takes it again.
  const windowIds = new Set(
    plan.steps.filter((s) => s.inWriteWindow || s.kind === "pre-verify").map((s) => s.id),
  );
  return {
    progress: { completed: progress.completed.filter((id) => !windowIds.has(id)) },
    restartSource: stopped,
  };
}

/** The plan as lines for the preview: `3. [destructive] switch-dns: point ...`. */
export function describePlan(plan: MigrationPlan): string[] {
  return plan.steps.map(
    (step, i) => `${i + 1}. ${step.destructive ? "[destructive] " : ""}${step.id}: ${step.description}`,
  );
}
