/**
 * Migration hooks: scripts a site or an app plugs into a migration's steps (the seed's "scripts
 * that can access all the resources"). Pure: where each hook goes in the plan, which host it runs
 * on and the JSON document it reads on stdin. steps.ts runs them over SSH like any other step, so
 * a failing hook stops the migration as a failing copy would (the source keeps serving; the next
 * `pulumi up` resumes at the hook).
 *
 * Where the points sit in the plan (sdk/migration/plan.ts):
 * - `before-stop`: just before stop-writes, on the source (the apps still serve);
 * - `before-backup`: after the apps stopped, before the final copy of the delta, on the source
 *   (flush or dump what the copy must see consistent);
 * - `after-restore`: after every item is verified at the target, before the DNS switch, on the
 *   target (the data is there, the apps are not started yet);
 * - `after-switch`: just after the DNS switch, on the target;
 * - `after-start`: just after the apps started at the target, on the target.
 *
 * Secrets: the document holds no credential. A hook that needs one names stack config keys in
 * `secrets` ("sovereign:matrixAdminToken"); their values are added under `secrets` in its stdin
 * document only (never in argv, the plan, the state or the log), and are masked in its error text.
 */
import type { DatacenterSide } from "./sides";
import { locationOf } from "./sides";
import { itemLabel, type MigrationItem, type MigrationPlan, type MigrationStep } from "./plan";

/** The points of a migration plan where a {@link MigrationHook} can run (see the module comment). */
export const HOOK_POINTS = [
  "before-backup",
  "after-restore",
  "before-stop",
  "after-start",
  "after-switch",
] as const;
/** Where in the plan a hook runs: one of {@link HOOK_POINTS}. */
export type HookPoint = (typeof HOOK_POINTS)[number];

/**
 * A script a site or an app runs at a point of its migration, on the site host of the source or
 * the target, over SSH. It reads a {@link HookDocument} on stdin; a non-zero exit fails the step
 * and stops the migration like any failing step.
 */
export interface MigrationHook {
  /** Unique among the site's hooks: the step id is `hook:<at>:<name>`. */
  readonly name: string;
  /** Where in the plan it runs. */
  readonly at: HookPoint;
  /** The datacenter whose site host runs it; default: the source before the copy, else the target. */
  readonly on?: "source" | "target";
  /** argv run on that host; `{address}`, `{datacenter}`, `{root}` are replaced as for the apps. */
  readonly run: readonly string[];
  /** The app instance it belongs to (its items are the `items` of the document); default the site. */
  readonly app?: string;
  /** Stack config keys whose values the hook receives under `secrets` on stdin. */
  readonly secrets?: readonly string[];
}

const DEFAULT_SIDE: Record<HookPoint, "source" | "target"> = {
  "before-stop": "source",
  "before-backup": "source",
  "after-restore": "target",
  "after-switch": "target",
  "after-start": "target",
};

export const hookSide = (hook: MigrationHook): "source" | "target" => hook.on ?? DEFAULT_SIDE[hook.at];
export const hookStepId = (hook: Pick<MigrationHook, "at" | "name">): string =>
  `hook:${hook.at}:${hook.name}`;

/** The problems of a list of hooks, each naming its field (for `check` and the site config). */
export function hookProblems(field: string, hooks: unknown, apps?: readonly string[]): string[] {
  if (hooks === undefined) return [];
  if (!Array.isArray(hooks)) return [`${field} must be a list of { name, at, run }`];
  const problems: string[] = [];
  const seen = new Set<string>();
  hooks.forEach((raw: unknown, i) => {
    const f = `${field}[${i}]`;
    if (typeof raw !== "object" || raw === null) {
      problems.push(`${f} must be a mapping such as { name: flush, at: before-backup, run: [sync] }`);
      return;
    }
    const h = raw as Record<string, unknown>;
    if (typeof h.name !== "string" || !/^[a-z][a-z0-9-]{0,62}$/.test(h.name))
      problems.push(`${f}.name must be lowercase letters, digits and "-", starting with a letter`);
    else if (seen.has(`${String(h.at)}:${h.name}`))
      problems.push(`${f}.name "${h.name}" is used twice at ${String(h.at)}; give each hook its own name`);
    else seen.add(`${String(h.at)}:${h.name}`);
    if (!HOOK_POINTS.includes(h.at as HookPoint))
      problems.push(`${f}.at ${JSON.stringify(h.at)} must be one of ${HOOK_POINTS.join(", ")}`);
    if (h.on !== undefined && h.on !== "source" && h.on !== "target")
      problems.push(`${f}.on must be "source" or "target" (the datacenter whose site host runs it)`);
    if (!Array.isArray(h.run) || h.run.length === 0 || !h.run.every((a) => typeof a === "string"))
      problems.push(`${f}.run must be a non-empty argv list such as ["sh", "-c", "sync"]`);
    if (h.app !== undefined && (typeof h.app !== "string" || (apps && !apps.includes(h.app))))
      problems.push(
        `${f}.app ${JSON.stringify(h.app)} is not one of the site's apps (${(apps ?? []).join(", ") || "none"})`,
      );
    if (
      h.secrets !== undefined &&
      (!Array.isArray(h.secrets) ||
        !h.secrets.every((k) => typeof k === "string" && /^[A-Za-z][\w.-]*:[A-Za-z][\w.-]*$/.test(k)))
    )
      problems.push(`${f}.secrets must list stack config keys such as "sovereign:matrixAdminToken"`);
  });
  return problems;
}

function hookStep(plan: MigrationPlan, hook: MigrationHook, inWriteWindow: boolean): MigrationStep {
  const side = hookSide(hook);
  const dc = side === "source" ? plan.source : plan.target;
  return {
    id: hookStepId(hook),
    kind: "hook",
    hook: hook.name,
    description: `hook ${hook.name}${hook.app ? ` (${hook.app})` : ""}: run \`${hook.run.join(" ")}\` on the site host at ${dc}`,
    destructive: false,
    inWriteWindow,
  };
}

/**
 * The plan with the hooks placed at their points (see the file comment). A hook inside the write
 * window (before-backup, after-restore) is repeated with it when a run resumes; the others run once.
 */
export function withHooks(plan: MigrationPlan, hooks: readonly MigrationHook[]): MigrationPlan {
  if (plan.steps.length === 0 || hooks.length === 0) return plan;
  const at = (point: HookPoint, window: boolean) =>
    hooks.filter((h) => h.at === point).map((h) => hookStep(plan, h, window));
  const steps: MigrationStep[] = [];
  const kinds = plan.steps.map((s) => s.kind);
  const firstFinal = kinds.indexOf("final-sync");
  const lastVerify = kinds.lastIndexOf("verify");
  plan.steps.forEach((step, i) => {
    if (step.kind === "stop-writes") steps.push(...at("before-stop", false));
    if (i === firstFinal) steps.push(...at("before-backup", true));
    if (step.kind === "switch-dns" && lastVerify < 0) steps.push(...at("after-restore", true));
    steps.push(step);
    if (step.kind === "stop-writes" && firstFinal < 0) steps.push(...at("before-backup", true));
    if (i === lastVerify) steps.push(...at("after-restore", true));
    if (step.kind === "switch-dns") steps.push(...at("after-switch", false));
    if (step.kind === "start-target") steps.push(...at("after-start", false));
  });
  return { ...plan, steps };
}

/** What a hook reads on stdin: the migration, both sides (no credentials) and the items' places. */
export interface HookDocument {
  /** The site being moved. */
  readonly site: string;
  /** The hook being run. */
  readonly hook: {
    /** Its name. */
    readonly name: string;
    /** Its point in the plan. */
    readonly at: HookPoint;
    /** The app instance it belongs to; absent for a site hook. */
    readonly app?: string;
  };
  /** The move. */
  readonly migration: {
    /** The source datacenter's name. */
    readonly from: string;
    /** The target datacenter's name. */
    readonly to: string;
    /** The datacenter whose site host runs this hook (`from` or `to`). */
    readonly runsAt: string;
  };
  /** The source datacenter's description (no credentials). */
  readonly source: DatacenterSide;
  /** The target datacenter's description (no credentials). */
  readonly target: DatacenterSide;
  /**
   * The app's state items (all the site's when the hook has no app), with where each lives:
   * `label` (`<app>:<kind>:<name>`), `app`, `kind`, `strategy`, and `source` / `target`, the
   * dataset, database or bucket name at each datacenter.
   */
  readonly items: readonly {
    /** The item's label, `<app>:<kind>:<name>` ({@link itemLabel}). */
    readonly label: string;
    /** The app instance that owns it. */
    readonly app: string;
    /** "directory", "database" or "bucket". */
    readonly kind: string;
    /** Its replication strategy, e.g. "zfs-send-receive". */
    readonly strategy: string;
    /** Where it lives at the source: a ZFS dataset, a database or a bucket name. */
    readonly source: string;
    /** Where it lives at the target, named the same way. */
    readonly target: string;
  }[];
  /** The site's DNS. */
  readonly dns: {
    /** The zone, e.g. "coop.example.". */
    readonly zone: string;
    /** The fully qualified names the switch points at the target. */
    readonly names: readonly string[];
  };
  /** The outputs of the site's resources the program passed along (app URLs, host addresses...). */
  readonly outputs: Record<string, unknown>;
  /** Only the stack config keys the hook named in `secrets`. */
  readonly secrets: Record<string, string>;
}

/**
 * The document `hook` reads on stdin: the move, both datacenters without credentials, the items
 * of the hook's app (all of the site's when it has none) with their places at each side, the DNS
 * names, the passed outputs (default `{}`) and the secrets given (only those it named).
 */
export function hookDocument(args: {
  site: string;
  hook: MigrationHook;
  plan: Pick<MigrationPlan, "source" | "target">;
  source: DatacenterSide;
  target: DatacenterSide;
  items: readonly MigrationItem[];
  dns: { zone: string; names: readonly string[] };
  outputs?: Record<string, unknown>;
  secrets: Record<string, string>;
}): HookDocument {
  const { hook, plan } = args;
  const items = args.items.filter((i) => !hook.app || i.app === hook.app);
  return {
    site: args.site,
    hook: { name: hook.name, at: hook.at, ...(hook.app ? { app: hook.app } : {}) },
    migration: {
      from: plan.source,
      to: plan.target,
      runsAt: hookSide(hook) === "source" ? plan.source : plan.target,
    },
    source: args.source,
    target: args.target,
    items: items.map((item) => ({
      label: itemLabel(item),
      app: item.app,
      kind: item.state.kind,
      strategy: item.state.strategy,
      source: locationOf(args.site, args.source, item),
      target: locationOf(args.site, args.target, item),
    })),
    dns: { zone: args.dns.zone, names: [...args.dns.names] },
    outputs: args.outputs ?? {},
    secrets: args.secrets,
  };
}

/** `text` with every secret value replaced by `***` (a hook's output may echo what it read). */
export function maskSecrets(text: string, secrets: Record<string, string>): string {
  return Object.values(secrets)
    .filter((v) => v.length >= 4)
    .reduce((t, v) => t.split(v).join("***"), text);
}
