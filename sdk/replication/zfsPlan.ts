/**
 * Pure ZFS replication decisions: parse `zfs list` / `zfs get` output, find the newest common
 * snapshot by GUID, decide what to send, whether receiving is safe, and what retention may prune.
 * Nothing here runs a command; zfsRunner.ts executes what these functions decide.
 */
import { createHash } from "crypto";

/** One snapshot of one dataset, as listed by `zfs list -Hp` or `zfs get -Hp`. */
export interface ZfsSnapshot {
  /** The dataset the snapshot belongs to, e.g. `tank/app`. */
  readonly dataset: string;
  /** The part after `@`. */
  readonly name: string;
  /** GUID as a decimal string: 64-bit values do not fit in a JS number. */
  readonly guid: string;
  /** Transaction group that created the snapshot: orders snapshots of one dataset exactly. */
  readonly createtxg: number;
  /** Creation time, seconds since the epoch. */
  readonly creation: number;
  /** Bytes unique to this snapshot, when listed. */
  readonly used?: number;
  /** Bytes referenced by this snapshot, when listed. */
  readonly referenced?: number;
  /** Bytes written between the previous snapshot and this one (`written`), where the pool has it. */
  readonly written?: number;
}

/** What is known about a dataset's live (head) state, beyond its snapshots. */
export interface ZfsHead {
  /** The dataset's GUID. */
  readonly guid?: string;
  /** Bytes referenced by the dataset. */
  readonly referenced?: number;
  /**
   * Bytes written since the newest snapshot (`written`), where the pool supports the property.
   * zfs-fuse and other old pool versions do not: then `undefined`.
   */
  readonly written?: number;
  /** `receive_resume_token` when the pool supports resumable receive and a receive was interrupted. */
  readonly resumeToken?: string;
  /** The `readonly` property, when the listing asked for it. */
  readonly readonly?: boolean;
}

/** What is known about one side of a replication: whether the dataset exists, its snapshots, its head. */
export interface DatasetState {
  /** The dataset's name. */
  readonly dataset: string;
  /** Whether it exists. */
  readonly exists: boolean;
  /** Sorted by createtxg, oldest first. */
  readonly snapshots: readonly ZfsSnapshot[];
  /** Its live state beyond the snapshots. */
  readonly head: ZfsHead;
}

/** "<dataset>@<snapshot>", as zfs commands take it. */
export const fullSnapshotName = (s: Pick<ZfsSnapshot, "dataset" | "name">): string =>
  `${s.dataset}@${s.name}`;

function parseCount(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`expected a number for ${what}, got ${JSON.stringify(value)}`);
  return Number(value);
}

function optionalCount(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function buildState(dataset: string, rows: Map<string, Map<string, string>>): DatasetState {
  const snapshots: ZfsSnapshot[] = [];
  let head: ZfsHead = {};
  let exists = false;
  for (const [name, props] of rows) {
    if (name === dataset) {
      exists = true;
      const token = props.get("receive_resume_token");
      head = {
        guid: props.get("guid"),
        referenced: optionalCount(props.get("referenced")),
        written: optionalCount(props.get("written")),
        resumeToken: token && token !== "-" ? token : undefined,
        ...(props.has("readonly") ? { readonly: props.get("readonly") === "on" } : {}),
      };
      continue;
    }
    if (!name.startsWith(`${dataset}@`)) continue;
    const guid = props.get("guid");
    if (!guid || !/^\d+$/.test(guid)) throw new Error(`snapshot ${name} has no numeric guid in the listing`);
    snapshots.push({
      dataset,
      name: name.slice(dataset.length + 1),
      guid,
      createtxg: parseCount(props.get("createtxg") ?? "", `${name} createtxg`),
      creation: parseCount(props.get("creation") ?? "", `${name} creation`),
      used: optionalCount(props.get("used")),
      referenced: optionalCount(props.get("referenced")),
      ...(optionalCount(props.get("written")) !== undefined
        ? { written: optionalCount(props.get("written")) }
        : {}),
    });
  }
  snapshots.sort((a, b) => a.createtxg - b.createtxg);
  return { dataset, exists: exists || snapshots.length > 0, snapshots, head };
}

/**
 * Parses `zfs list -Hp -o <columns> ...` output (tab separated, one row per dataset/snapshot).
 * `columns` must include `name`; rows of other datasets (children of `-r`) are ignored.
 */
export function parseZfsList(dataset: string, text: string, columns: readonly string[]): DatasetState {
  if (!columns.includes("name")) throw new Error("parseZfsList: columns must include 'name'");
  const rows = new Map<string, Map<string, string>>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const fields = line.split("\t");
    if (fields.length !== columns.length) {
      throw new Error(
        `zfs list row has ${fields.length} fields, expected ${columns.length}: ${JSON.stringify(line)}`,
      );
    }
    const props = new Map(columns.map((c, i) => [c, fields[i]] as const));
    rows.set(props.get("name") ?? "", props);
  }
  return buildState(dataset, rows);
}

/**
 * Parses `zfs get -Hp -o name,property,value[,source] <props> -r <dataset>` output. This form is
 * what old ZFS versions (zfs-fuse: no `zfs list -p`, hidden guid/createtxg) can produce exactly.
 */
export function parseZfsGet(dataset: string, text: string): DatasetState {
  const rows = new Map<string, Map<string, string>>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const fields = line.split("\t");
    if (fields.length < 3)
      throw new Error(`zfs get row has ${fields.length} fields: ${JSON.stringify(line)}`);
    const [name, property, value] = fields;
    let props = rows.get(name);
    if (!props) rows.set(name, (props = new Map()));
    props.set(property, value);
  }
  return buildState(dataset, rows);
}

/** The dataset's newest snapshot, or undefined when it has none. */
export const newestSnapshot = (state: DatasetState): ZfsSnapshot | undefined =>
  state.snapshots[state.snapshots.length - 1];

/** The newest snapshot both sides hold (matched by GUID): where an incremental send starts. */
export interface CommonBase {
  /** The snapshot on the source side. */
  readonly source: ZfsSnapshot;
  /** The same snapshot (same GUID) on the target side; its name may differ. */
  readonly target: ZfsSnapshot;
}

/** The newest source snapshot whose GUID the target also has. Names are never compared. */
export function findCommonBase(source: DatasetState, target: DatasetState): CommonBase | undefined {
  const targetByGuid = new Map(target.snapshots.map((s) => [s.guid, s] as const));
  for (let i = source.snapshots.length - 1; i >= 0; i--) {
    const match = targetByGuid.get(source.snapshots[i].guid);
    if (match) return { source: source.snapshots[i], target: match };
  }
  return undefined;
}

/** Whether the target has changes a send would destroy. */
export interface Divergence {
  /**
   * True when the target has data the source does not (snapshots after the common base, or writes to its
   * head).
   */
  readonly diverged: boolean;
  /** Human-readable reasons, each naming what would be lost. */
  readonly reasons: readonly string[];
  /** Full names of target snapshots that a forced receive would destroy. */
  readonly snapshotsLost: readonly string[];
  /** True when the target head changed since the common base (data written there would be lost). */
  readonly headModified: boolean;
}

const kib = (n: number): string => `${Math.round(n / 1024)} KiB`;

/**
 * Whether receiving into the target would throw away something that exists only on the target:
 * snapshots newer than the common base, snapshots of an unrelated history, or writes to the head.
 * Head writes are read from `written` where the pool has it; on old pools (no `written`) a non-zero
 * `used` of the base snapshot on the target, or a different `referenced`, means the head moved away
 * from it (atime updates count: replicated targets should be mounted read-only).
 */
export function checkDivergence(source: DatasetState, target: DatasetState): Divergence {
  if (!target.exists) return { diverged: false, reasons: [], snapshotsLost: [], headModified: false };
  const base = findCommonBase(source, target);
  const reasons: string[] = [];
  if (!base) {
    const lost = target.snapshots.map(fullSnapshotName);
    reasons.push(
      target.snapshots.length > 0
        ? `target ${target.dataset} shares no snapshot (by GUID) with source ${source.dataset}; a full receive would replace it and destroy ${lost.join(", ")}`
        : `target ${target.dataset} exists but has no snapshots; a full receive would overwrite its contents`,
    );
    return { diverged: true, reasons, snapshotsLost: lost, headModified: true };
  }
  const lost = target.snapshots.filter((s) => s.createtxg > base.target.createtxg).map(fullSnapshotName);
  if (lost.length > 0) {
    reasons.push(
      `target ${target.dataset} has snapshots newer than the common base @${base.target.name} that the source does not have: ${lost.join(", ")}`,
    );
  }
  let headModified = false;
  const newestOnTarget = newestSnapshot(target);
  if (newestOnTarget && newestOnTarget.guid === base.target.guid) {
    if (target.head.written !== undefined) {
      headModified = target.head.written > 0;
      if (headModified) {
        reasons.push(
          `target ${target.dataset} was written to since @${base.target.name} (written=${target.head.written} bytes); those changes would be rolled back`,
        );
      }
    } else {
      const unique = base.target.used ?? 0;
      const refMoved =
        target.head.referenced !== undefined &&
        base.target.referenced !== undefined &&
        target.head.referenced !== base.target.referenced;
      headModified = unique > 0 || refMoved;
      if (headModified) {
        reasons.push(
          `target ${target.dataset} changed since @${base.target.name} (${kib(unique)} unique to the snapshot` +
            `${refMoved ? `, referenced ${target.head.referenced} != ${base.target.referenced}` : ""}); those changes would be rolled back`,
        );
      }
    }
  } else if (lost.length > 0) {
    headModified = true; // writes after the newer target snapshots are lost with them
  }
  return { diverged: reasons.length > 0, reasons, snapshotsLost: lost, headModified };
}

/**
 * One send of a plan: a full send, an incremental send between two snapshots, or the resumption of an
 * interrupted receive.
 */
export type SendStep =
  | {
      /** A full send. */
      readonly kind: "full";
      /** The source snapshot sent. */
      readonly snapshot: ZfsSnapshot;
      /** Whether the target dataset is replaced (it exists but shares no snapshot with the source). */
      readonly replaceTarget: boolean;
    }
  | {
      /** An incremental send. */
      readonly kind: "incremental";
      /** The common snapshot it starts from. */
      readonly from: ZfsSnapshot;
      /** The snapshot it brings the target to. */
      readonly to: ZfsSnapshot;
      /** `-I`: also transfer the snapshots between from and to (keeps history on the target). */
      readonly intermediates: boolean;
    }
  | {
      /** The resumption of an interrupted receive. */
      readonly kind: "resume";

      /** The target's receive_resume_token. */
      readonly token: string;
      /** The snapshot the interrupted receive was bringing. */
      readonly to: ZfsSnapshot;
    };
/** How a target is brought up to the source's newest snapshot. */
export interface SendPlan {
  /** Nothing to send: the target's newest snapshot already is the source's newest. */
  readonly upToDate: boolean;
  /** The common base, when there is one. */
  readonly base?: CommonBase;
  /** Set only with `force`: roll the target back to the base first, destroying `destroys`. */
  readonly rollback?: {
    /** The snapshot the target is rolled back to. */
    readonly to: ZfsSnapshot;
    /** The target snapshots the rollback destroys. */
    readonly destroys: readonly string[];
  };
  /**
   * Set only with `force` when the target shares no snapshot with the source: these target
   * snapshots are destroyed before the full stream replaces the dataset (`zfs receive -F`).
   */
  readonly destroyOnTarget: readonly string[];
  /** The sends, in order. */
  readonly steps: readonly SendStep[];
  /** The source snapshot the target will end at. */
  readonly finalSnapshot?: ZfsSnapshot;
  /** Whether the target had diverged (and what would be lost). */
  readonly divergence: Divergence;
}

/** The target dataset has snapshots or writes the source lacks: receiving would lose them (use a new `force` token). */
export class DivergedTargetError extends Error {
  constructor(
    /** What would be lost. */
    readonly divergence: Divergence,
    /** The target dataset. */
    readonly target: string,
  ) {
    super(
      `refusing to receive into ${target}: it has diverged from the source.\n` +
        divergence.reasons.map((r) => `  - ${r}`).join("\n") +
        (divergence.snapshotsLost.length > 0
          ? `\nSnapshots that would be lost: ${divergence.snapshotsLost.join(", ")}`
          : "") +
        `\nCopy what you need off the target, then rerun with force: true to overwrite it.`,
    );
    this.name = "DivergedTargetError";
  }
}

/** How {@link planSend} decides. */
export interface SendPlanOptions {
  /** Overwrite a diverged target (rolls back / replaces it). Default false: refuse. */
  readonly force?: boolean;
  /** Send intermediate snapshots with `-I` (default true), so retention on the target has history. */
  readonly intermediates?: boolean;
  /** Use the target's resume token when it has one (only pools with resumable receive). */
  readonly resumable?: boolean;
}

/**
 * Decides how to bring the target up to the source's newest snapshot. Throws DivergedTargetError
 * when that would lose data on the target and `force` is not set; throws when the source has no
 * snapshot to send.
 */
export function planSend(
  source: DatasetState,
  target: DatasetState,
  options: SendPlanOptions = {},
): SendPlan {
  const newest = newestSnapshot(source);
  if (!newest) throw new Error(`source ${source.dataset} has no snapshots: take one before replicating`);
  const divergence = checkDivergence(source, target);
  if (divergence.diverged && !options.force) throw new DivergedTargetError(divergence, target.dataset);
  const intermediates = options.intermediates ?? true;
  const base = target.exists ? findCommonBase(source, target) : undefined;

  if (options.resumable && target.head.resumeToken && !divergence.diverged) {
    // The interrupted stream targets some snapshot; after it completes the planner runs again.
    return {
      upToDate: false,
      base,
      steps: [{ kind: "resume", token: target.head.resumeToken, to: newest }],
      finalSnapshot: newest,
      divergence,
      destroyOnTarget: [],
    };
  }
  if (!base) {
    return {
      upToDate: false,
      steps: [{ kind: "full", snapshot: newest, replaceTarget: target.exists }],
      finalSnapshot: newest,
      divergence,
      destroyOnTarget: target.snapshots.map(fullSnapshotName),
    };
  }
  const rollback = divergence.diverged ? { to: base.target, destroys: divergence.snapshotsLost } : undefined;
  if (base.source.guid === newest.guid) {
    return {
      upToDate: rollback === undefined,
      base,
      rollback,
      steps: [],
      finalSnapshot: newest,
      divergence,
      destroyOnTarget: [],
    };
  }
  return {
    upToDate: false,
    base,
    rollback,
    steps: [{ kind: "incremental", from: base.source, to: newest, intermediates }],
    finalSnapshot: newest,
    divergence,
    destroyOnTarget: [],
  };
}

/** The zfs argv for one send step (run on the source host). */
export function sendArgs(step: SendStep): string[] {
  switch (step.kind) {
    case "full":
      return ["zfs", "send", fullSnapshotName(step.snapshot)];
    case "incremental":
      return [
        "zfs",
        "send",
        step.intermediates ? "-I" : "-i",
        fullSnapshotName(step.from),
        fullSnapshotName(step.to),
      ];
    case "resume":
      return ["zfs", "send", "-t", step.token];
  }
}

/** The zfs argv for receiving one step (run on the target host). */
export function receiveArgs(step: SendStep, targetDataset: string, resumable: boolean): string[] {
  const args = ["zfs", "receive"];
  if (resumable) args.push("-s");
  if (step.kind === "full" && step.replaceTarget) args.push("-F");
  args.push(targetDataset);
  return args;
}

// ---------------------------------------------------------------------------------------------
// Retention

/** How many snapshots are kept per period (the newest of each hour, day, week, month). */
export interface RetentionPolicy {
  /** Hourly snapshots kept. */
  readonly hourly: number;
  /** Daily snapshots kept. */
  readonly daily: number;
  /** Weekly snapshots kept. */
  readonly weekly: number;
  /** Monthly snapshots kept. */
  readonly monthly: number;
}

/** Why a snapshot is kept: the newest, protected (a common base), or one of the retention periods. */
export type RetentionClass = "newest" | "protected" | "hourly" | "daily" | "weekly" | "monthly";

/** Which snapshots a retention policy keeps and which it prunes. */
export interface PrunePlan {
  /** Snapshots kept, with why. */
  readonly keep: readonly {
    /** The snapshot kept. */
    readonly snapshot: ZfsSnapshot;
    /** Why it is kept (it may be kept for several periods at once). */
    readonly reasons: readonly RetentionClass[];
  }[];
  /** Snapshots to destroy. */
  readonly prune: readonly ZfsSnapshot[];
  /** Snapshots not made by us (other prefix): never touched. */
  readonly foreign: readonly ZfsSnapshot[];
}

/** The problems of a retention policy (each count must be a whole number >= 0); empty when valid. */
export function validateRetention(policy: RetentionPolicy): string[] {
  const errors: string[] = [];
  for (const key of ["hourly", "daily", "weekly", "monthly"] as const) {
    const v = policy[key];
    if (!Number.isInteger(v) || v < 0) errors.push(`retention.${key} must be a whole number >= 0, got ${v}`);
  }
  return errors;
}

function periodKey(cls: Exclude<RetentionClass, "newest" | "protected">, seconds: number): string {
  const d = new Date(seconds * 1000);
  switch (cls) {
    case "hourly":
      return String(Math.floor(seconds / 3600));
    case "daily":
      return d.toISOString().slice(0, 10);
    case "weekly": {
      // Weeks start on Monday (UTC): index of the Monday on or before the day.
      const day = Math.floor(seconds / 86400);
      const weekday = (new Date(day * 86400000).getUTCDay() + 6) % 7;
      return String(day - weekday);
    }
    case "monthly":
      return d.toISOString().slice(0, 7);
  }
}

/**
 * Decides which of our snapshots (name starts with `prefix`) to keep: the newest one in each of
 * the last N hours/days/weeks/months that have a snapshot, the newest snapshot overall, and every
 * snapshot whose GUID is in `protectedGuids` (the common base with the other side: pruning it would
 * force a full resend). Snapshots with other names are never pruned.
 */
export function planRetention(
  snapshots: readonly ZfsSnapshot[],
  policy: RetentionPolicy,
  prefix: string,
  protectedGuids: ReadonlySet<string> = new Set(),
): PrunePlan {
  const errors = validateRetention(policy);
  if (errors.length > 0) throw new Error(`invalid retention policy:\n  ${errors.join("\n  ")}`);
  const sorted = [...snapshots].sort((a, b) => a.createtxg - b.createtxg);
  const ours = sorted.filter((s) => s.name.startsWith(prefix));
  const foreign = sorted.filter((s) => !s.name.startsWith(prefix));
  const reasons = new Map<ZfsSnapshot, RetentionClass[]>();
  const mark = (s: ZfsSnapshot, r: RetentionClass) => {
    const list = reasons.get(s) ?? [];
    if (!list.includes(r)) list.push(r);
    reasons.set(s, list);
  };
  for (const s of sorted) if (protectedGuids.has(s.guid)) mark(s, "protected");
  if (sorted.length > 0) mark(sorted[sorted.length - 1], "newest");
  if (ours.length > 0) mark(ours[ours.length - 1], "newest");
  for (const cls of ["hourly", "daily", "weekly", "monthly"] as const) {
    const count = policy[cls];
    const seen = new Set<string>();
    for (let i = ours.length - 1; i >= 0 && seen.size < count; i--) {
      const key = periodKey(cls, ours[i].creation);
      if (seen.has(key)) continue;
      seen.add(key);
      mark(ours[i], cls);
    }
  }
  const keep = ours
    .filter((s) => reasons.has(s))
    .map((s) => ({ snapshot: s, reasons: reasons.get(s) ?? [] }));
  const prune = ours.filter((s) => !reasons.has(s));
  return { keep, prune, foreign };
}

/** Snapshot name for `prefix` at `date`: sortable, UTC, valid in every ZFS version. */
export function snapshotNameFor(prefix: string, date: Date): string {
  const iso = date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
  return `${prefix}${iso}`;
}

const DATASET_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_.:-]+)*$/;
const SNAP_PART_RE = /^[A-Za-z0-9_.:-]+$/;

/** The problem with a ZFS dataset name, or undefined when it is valid. */
export function validateDatasetName(name: string): string | undefined {
  if (!DATASET_RE.test(name))
    return `dataset name ${JSON.stringify(name)} is not a valid ZFS dataset (pool/path, no @)`;
  return undefined;
}

/** The problem with a snapshot prefix (only A-Z a-z 0-9 _ . : - allowed), or undefined when it is valid. */
export function validateSnapshotPrefix(prefix: string): string | undefined {
  if (!SNAP_PART_RE.test(prefix))
    return `snapshot prefix ${JSON.stringify(prefix)} may only contain A-Z a-z 0-9 _ . : -`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Per-job snapshot names and the final sync's quiescence check

/**
 * The default snapshot prefix of one job: `sov_<8 hex>_`, derived from where the job sends to.
 * Two jobs from one source then never prune each other's snapshots (each prunes its own prefix
 * only), so neither loses the base its next increment needs. The timer on the source host and a
 * `pulumi up` run of the same job name the same target, so they share the prefix.
 */
export function defaultSnapshotPrefix(targetDescription: string, targetDataset: string): string {
  const digest = createHash("sha256").update(`${targetDescription}\n${targetDataset}`).digest("hex");
  return `sov_${digest.slice(0, 8)}_`;
}

/** What shows that a source stayed quiet after its final snapshot, so a final sync lost no write. */
export interface QuiescenceEvidence {
  /** The final snapshot (taken after the app was stopped), listed after the probe was taken. */
  readonly final: ZfsSnapshot;
  /** A probe snapshot taken after the final send: taking it commits every pending write. */
  readonly probe: ZfsSnapshot;
  /** `written` of the probe (bytes written between the final snapshot and it), where the pool has it. */
  readonly probeWritten?: number;
}

/**
 * Whether the source was written to between the final snapshot and the probe: the app was not
 * really stopped, and promoting the target would lose those writes. Exact with `written`; on old
 * pools (zfs-fuse) any block unique to the final snapshot, or a different size, counts as a write.
 */
export function sourceChangedAfterFinal(evidence: QuiescenceEvidence): string | undefined {
  const { final, probe, probeWritten } = evidence;
  if (probeWritten !== undefined) {
    return probeWritten > 0 ? `${probeWritten} bytes were written after @${final.name}` : undefined;
  }
  const reasons: string[] = [];
  if ((final.used ?? 0) > 0) reasons.push(`${final.used} bytes of @${final.name} were overwritten`);
  if (
    final.referenced !== undefined &&
    probe.referenced !== undefined &&
    final.referenced !== probe.referenced
  )
    reasons.push(`its size went from ${final.referenced} to ${probe.referenced} bytes`);
  return reasons.length > 0 ? reasons.join(", ") : undefined;
}
