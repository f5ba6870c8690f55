/**
 * Executes the decisions of zfsPlan.ts on real hosts through executors: inspect both sides, take
 * snapshots, stream sends into receives, verify by GUID, prune by retention, and the final sync of
 * a migration. Every destructive step (rollback, destroy) comes from a plan that refused it unless
 * `force` was given, or from retention that never touches the common base.
 */
import { CommandError, StreamError, streamBetween, type Executor } from "./executor";
import {
  defaultSnapshotPrefix,
  DivergedTargetError,
  findCommonBase,
  fullSnapshotName,
  newestSnapshot,
  parseZfsGet,
  planRetention,
  planSend,
  receiveArgs,
  sendArgs,
  snapshotNameFor,
  sourceChangedAfterFinal,
  type DatasetState,
  type PrunePlan,
  type RetentionPolicy,
  type SendPlan,
  type SendStep,
} from "./zfsPlan";

/** One side of a replication job as the runner sees it: how to run commands there, and the dataset. */
export interface ZfsEndpoint {
  /** Runs commands on the side's machine. */
  readonly executor: Executor;
  /** The ZFS dataset. */
  readonly dataset: string;
}

/** What a host's ZFS supports; detected, never assumed (zfs-fuse has neither). */
export interface ZfsCapabilities {
  /** `receive_resume_token` exists: `zfs receive -s` and `zfs send -t` work. */
  readonly resumable: boolean;
  /** The `written` property exists. */
  readonly written: boolean;
}

/** A replication job: its two sides and options. */
export interface ReplicationJob {
  /** Where the data comes from. */
  readonly source: ZfsEndpoint;
  /** Where it goes. */
  readonly target: ZfsEndpoint;
  /**
   * Prefix of the snapshots this job makes and prunes. Default: one per job, `sov_<hash of the
   * target>_` (see defaultSnapshotPrefix), so that jobs from one source keep each other's bases.
   */
  readonly snapshotPrefix?: string;
  /** Overwrite a diverged target. Default false: refuse and list what would be lost. */
  readonly force?: boolean;
  /** Keep the target mounted read-only between runs so nothing writes to it. Default true. */
  readonly readonlyTarget?: boolean;
  /** Progress and decisions, one line each. */
  readonly log?: (line: string) => void;
}

/** What one send did. */
export interface StepReport {
  /** Full, incremental, or resumed. */
  readonly kind: SendStep["kind"];
  /** The snapshot it started from (incremental sends). */
  readonly from?: string;
  /** The snapshot it brought the target to. */
  readonly to: string;
  /** Bytes sent. */
  readonly bytes: number;
  /** How long it took, in seconds. */
  readonly seconds: number;
}

/** What a replication run did. */
export interface ReplicationReport {
  /** True when the target already had the source's newest snapshot and nothing was sent. */
  readonly upToDate: boolean;
  /** The snapshot the run took on the source, when it took one. */
  readonly snapshotTaken?: string;
  /** The sends, in order. */
  readonly steps: readonly StepReport[];
  /** Bytes sent in all. */
  readonly bytes: number;
  /** Source snapshot the target now ends at. */
  readonly finalSnapshot: string;
  /** The GUID of the target's newest snapshot after the run (equal to the source's). */
  readonly finalGuid: string;
  /** The snapshot the target was rolled back to, when it had diverged and was forced. */
  readonly rolledBack?: string;
  /** Target snapshots destroyed by a forced rollback. */
  readonly destroyedOnTarget: readonly string[];
  /** What each side's ZFS supports (resumable receive, `written`, ...). */
  readonly capabilities: {
    /** The source side's capabilities. */
    readonly source: ZfsCapabilities;
    /** The target side's capabilities. */
    readonly target: ZfsCapabilities;
  };
}

/** After a receive, the target's newest snapshot is not the one sent (GUIDs differ). */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VerificationError";
  }
}

const BASE_PROPS = ["guid", "createtxg", "creation", "type", "used", "referenced", "readonly"];
/** The prefix a job's snapshots carry (and the only ones its retention prunes). */
export function jobSnapshotPrefix(job: Pick<ReplicationJob, "snapshotPrefix" | "target">): string {
  return job.snapshotPrefix ?? defaultSnapshotPrefix(job.target.executor.description, job.target.dataset);
}

const poolOf = (dataset: string): string => dataset.split("/")[0];

const capabilityCache = new WeakMap<Executor, Map<string, Promise<ZfsCapabilities>>>();

/** Probes the pool of `dataset` once per executor (features do not change during a run). */
export function detectCapabilities(executor: Executor, dataset: string): Promise<ZfsCapabilities> {
  let perPool = capabilityCache.get(executor);
  if (!perPool) capabilityCache.set(executor, (perPool = new Map()));
  const pool = poolOf(dataset);
  let found = perPool.get(pool);
  if (!found) {
    found = probeCapabilities(executor, dataset);
    perPool.set(pool, found);
    found.catch(() => perPool.delete(pool));
  }
  return found;
}

async function probeCapabilities(executor: Executor, dataset: string): Promise<ZfsCapabilities> {
  const probe = async (prop: string) =>
    (await executor.run(["zfs", "get", "-H", "-o", "value", prop, poolOf(dataset)], { allowFailure: true }))
      .code === 0;
  const [resumable, written] = await Promise.all([probe("receive_resume_token"), probe("written")]);
  return { resumable, written };
}

/** Lists the dataset and its snapshots (`zfs get -Hp`, which every ZFS version answers exactly). */
export async function inspectDataset(
  executor: Executor,
  dataset: string,
  capabilities: ZfsCapabilities,
): Promise<DatasetState> {
  const result = await executor.run(["zfs", ...inspectArgs(dataset, capabilities)], { allowFailure: true });
  if (result.code !== 0) {
    if (/does not exist/.test(result.stderr)) return { dataset, exists: false, snapshots: [], head: {} };
    throw new Error(`${executor.description}: cannot list ${dataset}: ${result.stderr.trim()}`);
  }
  return parseZfsGet(dataset, result.stdout);
}

/** The `zfs` arguments that list a dataset and its snapshots with what the pool supports. */
function inspectArgs(dataset: string, capabilities: ZfsCapabilities): string[] {
  const props = [...BASE_PROPS];
  if (capabilities.written) props.push("written");
  if (capabilities.resumable) props.push("receive_resume_token");
  return ["get", "-Hp", "-r", "-o", "name,property,value", props.join(","), dataset];
}

/**
 * Takes the snapshot and lists the dataset after it in one round trip (a replication's first two
 * commands at the source). A name taken already goes the way of {@link takeSnapshot}.
 */
async function snapshotAndInspect(
  endpoint: ZfsEndpoint,
  prefix: string,
  capabilities: ZfsCapabilities,
  now?: Date,
): Promise<{ name: string; state: DatasetState }> {
  const name = snapshotNameFor(prefix, now ?? new Date());
  const argv = ["sh", "-c", 'zfs snapshot "$1" || exit 90; shift; exec zfs "$@"', "sh"];
  const r = await endpoint.executor.run(
    [...argv, `${endpoint.dataset}@${name}`, ...inspectArgs(endpoint.dataset, capabilities)],
    { allowFailure: true },
  );
  if (r.code === 90) {
    const taken = await takeSnapshot(endpoint, prefix, now);
    return { name: taken, state: await inspectDataset(endpoint.executor, endpoint.dataset, capabilities) };
  }
  if (r.code !== 0) throw new CommandError(endpoint.executor.description, argv, r);
  return { name, state: parseZfsGet(endpoint.dataset, r.stdout) };
}

/** Takes `<dataset>@<prefix><UTC time>`, adding a counter if that name is taken. Returns the name. */
export async function takeSnapshot(
  endpoint: ZfsEndpoint,
  prefix: string,
  now: Date = new Date(),
): Promise<string> {
  const base = snapshotNameFor(prefix, now);
  // Mostly the name is free: one round trip. When a snapshot of the same second exists, the
  // existing names are listed and a counter added.
  const first = await endpoint.executor.run(["zfs", "snapshot", `${endpoint.dataset}@${base}`], {
    allowFailure: true,
  });
  if (first.code === 0) return base;
  if (!/exists/.test(first.stderr))
    throw new CommandError(
      endpoint.executor.description,
      ["zfs", "snapshot", `${endpoint.dataset}@${base}`],
      first,
    );
  const existing = await inspectDataset(endpoint.executor, endpoint.dataset, {
    resumable: false,
    written: false,
  });
  const taken = new Set(existing.snapshots.map((s) => s.name));
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  await endpoint.executor.run(["zfs", "snapshot", `${endpoint.dataset}@${name}`]);
  return name;
}

/** `zfs receive` does not create missing parents of the target: create them (never the target). */
async function ensureParent(endpoint: ZfsEndpoint): Promise<void> {
  const parent = endpoint.dataset.split("/").slice(0, -1).join("/");
  if (!parent.includes("/")) return; // the pool's root dataset always exists
  const found = await endpoint.executor.run(["zfs", "list", "-H", "-o", "name", parent], {
    allowFailure: true,
  });
  if (found.code !== 0) await endpoint.executor.run(["zfs", "create", "-p", parent]);
}

async function setReadonly(endpoint: ZfsEndpoint, on: boolean): Promise<void> {
  await endpoint.executor.run(["zfs", "set", `readonly=${on ? "on" : "off"}`, endpoint.dataset]);
}

/** How a replication run behaves. */
export interface ReplicateOptions {
  /** Take a new source snapshot first (default true). */
  readonly snapshot?: boolean;
  /** Aborting kills the running stream; the target stays at its previous snapshot (or resumes). */
  readonly signal?: AbortSignal;
  /** Called as bytes pass, with the running total. */
  readonly onProgress?: (bytes: number) => void;
  /** The time used for snapshot names and retention; default now. */
  readonly now?: Date;
  /**
   * List the target again after the receive and check its newest snapshot is the one sent
   * (default true). A caller that compares both sides' newest snapshots itself right after (the
   * migration's verify step) turns it off: one round trip less inside its write window.
   */
  readonly checkReceived?: boolean;
}

/**
 * Inspects both sides and returns the plan without changing anything (throws if diverged).
 * `known`: a side's listing the caller has just read (not asked again).
 */
export async function planReplication(
  job: ReplicationJob,
  known: { readonly source?: DatasetState; readonly target?: DatasetState } = {},
): Promise<{
  /** How the target would be brought up to date. */
  plan: SendPlan;
  /** What the source holds. */
  source: DatasetState;
  /** What the target holds. */
  target: DatasetState;
  /** What each side's ZFS supports. */
  capabilities: {
    /** The source side's capabilities. */
    source: ZfsCapabilities;
    /** The target side's capabilities. */
    target: ZfsCapabilities;
  };
}> {
  // Both sides are asked at once (each answer is a round trip to another host).
  const [capSource, capTarget] = await Promise.all([
    detectCapabilities(job.source.executor, job.source.dataset),
    detectCapabilities(job.target.executor, job.target.dataset),
  ]);
  const capabilities = { source: capSource, target: capTarget };
  const [source, target] = await Promise.all([
    known.source ?? inspectDataset(job.source.executor, job.source.dataset, capabilities.source),
    known.target ?? inspectDataset(job.target.executor, job.target.dataset, capabilities.target),
  ]);
  if (!source.exists)
    throw new Error(`source ${job.source.dataset} does not exist on ${job.source.executor.description}`);
  const resumable = capabilities.source.resumable && capabilities.target.resumable;
  const plan = planSend(source, target, { force: job.force, resumable });
  return { plan, source, target, capabilities };
}

/**
 * One replication run: snapshot the source, send what the target lacks (full the first time,
 * incremental from the newest common snapshot after), verify that the target's newest snapshot
 * has the source's newest GUID.
 */
export async function replicate(
  job: ReplicationJob,
  options: ReplicateOptions = {},
): Promise<ReplicationReport> {
  const log = job.log ?? (() => undefined);
  const prefix = jobSnapshotPrefix(job);
  let snapshotTaken: string | undefined;
  let listed: { source?: DatasetState; target?: DatasetState } = {};
  if (options.snapshot ?? true) {
    // The snapshot and both sides' listings in one round trip per side, side by side.
    const [sourceCaps, targetCaps] = await Promise.all([
      detectCapabilities(job.source.executor, job.source.dataset),
      detectCapabilities(job.target.executor, job.target.dataset),
    ]);
    const [taken, target] = await Promise.all([
      snapshotAndInspect(job.source, prefix, sourceCaps, options.now),
      inspectDataset(job.target.executor, job.target.dataset, targetCaps),
    ]);
    snapshotTaken = taken.name;
    listed = { source: taken.state, target };
    log(`snapshot ${job.source.dataset}@${snapshotTaken} on ${job.source.executor.description}`);
  }
  const steps: StepReport[] = [];
  let rolledBack: string | undefined;
  const destroyed: string[] = [];
  // A resumed stream finishes some snapshot; then the plan is made again for the rest.
  for (let round = 0; ; round++) {
    if (round > 3) throw new Error("replication did not converge after resuming; inspect both sides");
    const { plan, capabilities, target } =
      round === 0 ? await planReplication(job, listed) : await planReplication({ ...job, force: false });
    const resumable = capabilities.source.resumable && capabilities.target.resumable;
    if (plan.rollback) {
      log(
        `force: rolling ${job.target.dataset} back to @${plan.rollback.to.name}, destroying ${plan.rollback.destroys.join(", ") || "changes since it"}`,
      );
      await job.target.executor.run(["zfs", "rollback", "-r", fullSnapshotName(plan.rollback.to)]);
      rolledBack = fullSnapshotName(plan.rollback.to);
      destroyed.push(...plan.rollback.destroys);
    }
    for (const name of plan.destroyOnTarget) {
      log(`force: destroying ${name} on ${job.target.executor.description}`);
      await job.target.executor.run(["zfs", "destroy", name]);
      destroyed.push(name);
    }
    const verifiedReport = async (upToDate: boolean): Promise<ReplicationReport> => {
      const final = plan.finalSnapshot!;
      if (options.checkReceived ?? true) await verify(job, final.guid, final.name, capabilities.target);
      return {
        upToDate,
        snapshotTaken,
        steps,
        bytes: steps.reduce((n, s) => n + s.bytes, 0),
        finalSnapshot: fullSnapshotName(final),
        finalGuid: final.guid,
        rolledBack,
        destroyedOnTarget: destroyed,
        capabilities,
      };
    };
    if (plan.upToDate || plan.steps.length === 0) {
      return verifiedReport(steps.length === 0 && rolledBack === undefined);
    }
    for (const step of plan.steps) {
      const started = Date.now();
      const to = fullSnapshotName(step.kind === "full" ? step.snapshot : step.to);
      log(
        `${step.kind} send ${step.kind === "incremental" ? `${fullSnapshotName(step.from)} -> ` : ""}${to}`,
      );
      if (step.kind === "full") await ensureParent(job.target);
      let bytes: number;
      try {
        ({ bytes } = await streamBetween(
          job.source.executor,
          sendArgs(step),
          job.target.executor,
          receiveArgs(step, job.target.dataset, resumable),
          { signal: options.signal, onProgress: options.onProgress },
        ));
      } catch (error) {
        throw receiveRefusal(error, plan, job.target.dataset) ?? error;
      }
      steps.push({
        kind: step.kind,
        from: step.kind === "incremental" ? fullSnapshotName(step.from) : undefined,
        to,
        bytes,
        seconds: (Date.now() - started) / 1000,
      });
      log(`received ${bytes} bytes into ${job.target.dataset}`);
      // An incremental receive keeps the target's own properties: one already read-only stays so.
      const stillReadonly = step.kind === "incremental" && target.head.readonly === true;
      if (job.readonlyTarget !== false && !stillReadonly) await setReadonly(job.target, true);
    }
    if (plan.steps.some((s) => s.kind === "resume")) continue;
    return verifiedReport(false);
  }
}

/**
 * ZFS itself refuses an incremental receive into a target written to since its newest snapshot.
 * Old pools (no `written`) report such writes to the planner only after the next txg sync, so this
 * refusal is the authority there: it becomes the same DivergedTargetError the planner raises.
 */
function receiveRefusal(error: unknown, plan: SendPlan, target: string): DivergedTargetError | undefined {
  if (
    !(error instanceof StreamError) ||
    !/has been modified\s+since most recent snapshot/.test(error.message)
  ) {
    return undefined;
  }
  const base = plan.base ? `@${plan.base.target.name}` : "its newest snapshot";
  return new DivergedTargetError(
    {
      diverged: true,
      reasons: [
        `target ${target} changed since ${base} (zfs receive refused: it has been modified); those changes would be rolled back`,
      ],
      snapshotsLost: [],
      headModified: true,
    },
    target,
  );
}

async function verify(job: ReplicationJob, guid: string, name: string, caps: ZfsCapabilities): Promise<void> {
  const target = await inspectDataset(job.target.executor, job.target.dataset, caps);
  const newest = newestSnapshot(target);
  if (!newest || newest.guid !== guid) {
    throw new VerificationError(
      `after receive, ${job.target.dataset}'s newest snapshot is ${newest ? `@${newest.name} (guid ${newest.guid})` : "missing"}, ` +
        `expected the source's @${name} (guid ${guid})`,
    );
  }
}

/** What a prune did on both sides. */
export interface PruneReport {
  /** The source side's plan. */
  readonly source: PrunePlan;
  /** The target side's plan. */
  readonly target: PrunePlan;
  /** The snapshots destroyed. */
  readonly destroyed: readonly string[];
}

/**
 * Applies the retention policy on both sides. The newest common snapshot (by GUID) is protected on
 * both: pruning it would leave nothing to send an increment from.
 */
export async function prune(
  job: ReplicationJob,
  policy: RetentionPolicy,
  options: { readonly dryRun?: boolean } = {},
): Promise<PruneReport> {
  const log = job.log ?? (() => undefined);
  const prefix = jobSnapshotPrefix(job);
  const caps = {
    source: await detectCapabilities(job.source.executor, job.source.dataset),
    target: await detectCapabilities(job.target.executor, job.target.dataset),
  };
  const source = await inspectDataset(job.source.executor, job.source.dataset, caps.source);
  const target = await inspectDataset(job.target.executor, job.target.dataset, caps.target);
  const base = target.exists ? findCommonBase(source, target) : undefined;
  const protectedGuids = new Set(base ? [base.source.guid] : []);
  const sourcePlan = planRetention(source.snapshots, policy, prefix, protectedGuids);
  const targetPlan = planRetention(target.snapshots, policy, prefix, protectedGuids);
  const destroyed: string[] = [];
  if (!options.dryRun) {
    for (const [endpoint, plan] of [
      [job.source, sourcePlan],
      [job.target, targetPlan],
    ] as const) {
      for (const snap of plan.prune) {
        if (protectedGuids.has(snap.guid))
          throw new Error(`bug: retention chose protected ${fullSnapshotName(snap)}`);
        log(`prune ${fullSnapshotName(snap)} on ${endpoint.executor.description}`);
        await endpoint.executor.run(["zfs", "destroy", fullSnapshotName(snap)]);
        destroyed.push(fullSnapshotName(snap));
      }
    }
  }
  return { source: sourcePlan, target: targetPlan, destroyed };
}

/**
 * How a final sync behaves: a replication run plus stopping the app and (optionally) promoting the
 * target.
 */
export interface FinalSyncOptions extends ReplicateOptions {
  /** Stops the app on the source host (argv run there), e.g. ["systemctl", "stop", "nextcloud"]. */
  readonly stopApp?: readonly string[];
  /** Starts it again (argv run on the source host) when anything after stopApp fails. */
  readonly startApp?: readonly string[];
  /** Or callbacks, for apps stopped and started some other way. */
  readonly stopAppHook?: () => Promise<void>;
  /** Starts the app again when the final sync fails after stopping it. */
  readonly startAppHook?: () => Promise<void>;
  /** Incremental passes while the app still runs, to make the stopped window short. Default 1. */
  readonly warmPasses?: number;
  /** Make the target writable after the final sync (it becomes the primary). Default false. */
  readonly promoteTarget?: boolean;
}

/** What a final sync did. */
export interface FinalSyncReport {
  /** The passes made while the app still ran. */
  readonly warm: readonly ReplicationReport[];
  /** The pass after the app was stopped. */
  readonly final: ReplicationReport;
  /** Verified: the source did not change after the final snapshot (the app really was stopped). */
  readonly sourceQuiesced: true;
  /** Whether the target was made writable. */
  readonly promoted: boolean;
}

/** The app wrote to the source after it was "stopped": the target would miss those writes. */
export class SourceNotQuiescedError extends Error {
  constructor(
    /** The source dataset. */
    readonly dataset: string,
    /** What showed the writes (e.g. the probe's `written` bytes). */
    readonly evidence: string,
  ) {
    super(
      `${dataset} changed after the final snapshot (${evidence}): the app did not stop. ` +
        "The target was not promoted (it stays read-only) and the app was started again on the source; " +
        "check stopApp and run the final sync again",
    );
    this.name = "SourceNotQuiescedError";
  }
}

/** Takes a probe snapshot after the final send (committing every pending write) and compares. */
async function verifyQuiesced(job: ReplicationJob, final: ReplicationReport): Promise<void> {
  const finalName = final.finalSnapshot.split("@")[1];
  const probeName = await takeSnapshot(job.source, `${jobSnapshotPrefix(job)}probe_`);
  try {
    const caps = await detectCapabilities(job.source.executor, job.source.dataset);
    const source = await inspectDataset(job.source.executor, job.source.dataset, caps);
    const finalSnap = source.snapshots.find((s) => s.name === finalName);
    const probe = source.snapshots.find((s) => s.name === probeName);
    if (!finalSnap || !probe) {
      throw new VerificationError(
        `${job.source.dataset}@${finalName} or its probe snapshot vanished during the final sync`,
      );
    }
    const changed = sourceChangedAfterFinal({ final: finalSnap, probe, probeWritten: probe.written });
    if (changed) throw new SourceNotQuiescedError(job.source.dataset, changed);
  } finally {
    await job.source.executor.run(["zfs", "destroy", `${job.source.dataset}@${probeName}`], {
      allowFailure: true,
    });
  }
}

/**
 * The migration path: warm passes (a full send first if the target is empty, then increments)
 * while the app runs, then stop the app, take the final snapshot, send the last increment, verify
 * it, and verify that the source did not change after the final snapshot. Only then is the target
 * promoted. Any failure after the app was asked to stop starts it again on the source, so a failed
 * cut-over leaves the old primary serving and the target read-only.
 */
export async function finalSync(
  job: ReplicationJob,
  options: FinalSyncOptions = {},
): Promise<FinalSyncReport> {
  const log = job.log ?? (() => undefined);
  const warm: ReplicationReport[] = [];
  for (let i = 0; i < (options.warmPasses ?? 1); i++) warm.push(await replicate(job, options));
  log(`stopping the app on ${job.source.executor.description}`);
  try {
    if (options.stopApp) await job.source.executor.run(options.stopApp);
    if (options.stopAppHook) await options.stopAppHook();
    const final = await replicate({ ...job, force: false }, options);
    await verifyQuiesced(job, final);
    let promoted = false;
    if (options.promoteTarget) {
      await setReadonly(job.target, false);
      promoted = true;
    }
    return { warm, final, sourceQuiesced: true, promoted };
  } catch (error) {
    throw await restartApp(job, options, error);
  }
}

/** Starts the app again after a failed final sync; returns the error to throw (both, if that fails too). */
async function restartApp(job: ReplicationJob, options: FinalSyncOptions, cause: unknown): Promise<unknown> {
  const log = job.log ?? (() => undefined);
  log(`final sync failed; starting the app again on ${job.source.executor.description}`);
  // The target must not stay writable next to a serving source.
  await setReadonly(job.target, true).catch(() => undefined);
  try {
    if (options.startApp) await job.source.executor.run(options.startApp);
    if (options.startAppHook) await options.startAppHook();
    return cause;
  } catch (startError) {
    const message = `${cause instanceof Error ? cause.message : String(cause)}; AND starting the app again failed: ${(startError as Error).message}`;
    return new Error(message, { cause });
  }
}
