/**
 * Pure: the one list of hooks a site's migration runs, merged from where hooks are declared.
 * An app brings hooks two ways, at the same five points as the site's (hooks.ts): its catalog
 * entry (`AppDefinition.migrationHooks`, for every site that runs the app) and its declaration in
 * the site config (`site.apps[i].hooks`, for this site's instance). An app's hook belongs to its
 * instance: it is named `<instance>-<name>` in the plan (step `hook:<at>:<instance>-<name>`), reads
 * the instance's state items in its document, and runs on the site host of the datacenter it names
 * (the app's host there; a datacenter has one site host).
 *
 * Order at each point (the plan runs a point's hooks in list order): the apps' hooks first, app by
 * app in the order of `site.apps`, each app's catalog hooks before its declared ones; then the
 * site config's `migration.hooks`; then the hooks the program passes. The app prepares its own
 * state (flushes, dumps, reindexes) before the site's scripts, which then see the apps' work done:
 * a site's backup before-backup runs after the apps flushed, its check after-restore after the
 * apps' fix-ups.
 */
import { hookProblems, type MigrationHook } from "./hooks";

/** A hook an app declares (catalog entry or site config): a site hook without `app`, which is implied. */
export type AppMigrationHook = Omit<MigrationHook, "app">;

/** One app instance's hooks, with the config fields they come from (for the problems). */
export interface AppHooks {
  /** The instance name (site.apps[i].name), e.g. "chat". */
  readonly instance: string;
  /** The catalog entry's hooks, e.g. from `appDefinition("matrix").migrationHooks`. */
  readonly catalog: readonly AppMigrationHook[];
  /** Where the catalog's hooks are, for problems: `catalog.matrix.migrationHooks`. */
  readonly catalogField: string;
  /** The hooks the site config declares on the instance (`site.apps[i].hooks`). */
  readonly declared: readonly AppMigrationHook[];
  /** Where the declared hooks are, for problems: `site.apps[0].hooks`. */
  readonly declaredField: string;
}

/** What {@link mergeHooks} merges: the apps' hooks, the site config's, and the program's. */
export interface HookSources {
  /** The site's app instances in config order, each with its hooks. */
  readonly apps: readonly AppHooks[];
  /** The site config's `migration.hooks`. */
  readonly site: readonly MigrationHook[];
  /** Where the site's hooks are, for problems (default `site.migration.hooks`). */
  readonly siteField?: string;
  /** Hooks the program passes (SiteMigrationArgs.hooks). */
  readonly program?: readonly MigrationHook[];
}

/** A problem of a hook, with the config field it is at. */
export interface HookProblem {
  /** e.g. `site.apps[0].hooks[1].name`. */
  readonly field: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** The merged list in the documented order, and every problem (field named); empty problems when fine. */
export interface MergedHooks {
  /** The hooks in the order they run at each point. */
  readonly hooks: readonly MigrationHook[];
  /** Problems of single hooks (shape) and of the merge (two hooks with one step id). */
  readonly problems: readonly HookProblem[];
}

const split = (problem: string): HookProblem => {
  const at = problem.indexOf(" ");
  return { field: problem.slice(0, at), message: problem.slice(at + 1) };
};

/** Merges the hooks in the order the module comment gives; see {@link MergedHooks}. */
export function mergeHooks(sources: HookSources): MergedHooks {
  const problems: HookProblem[] = [];
  const entries: { hook: MigrationHook; field: string }[] = [];
  const appHooks = (field: string, instance: string, hooks: readonly AppMigrationHook[]) => {
    for (const p of hookProblems(field, hooks)) problems.push(split(p));
    hooks.forEach((hook, i) => {
      if ((hook as MigrationHook).app !== undefined)
        problems.push({
          field: `${field}[${i}].app`,
          message: "must not be given: an app's hook belongs to its app instance",
        });
      entries.push({
        hook: { ...hook, name: `${instance}-${hook.name}`, app: instance },
        field: `${field}[${i}]`,
      });
    });
  };
  for (const app of sources.apps) {
    appHooks(app.catalogField, app.instance, app.catalog);
    appHooks(app.declaredField, app.instance, app.declared);
  }
  const siteField = sources.siteField ?? "site.migration.hooks";
  sources.site.forEach((hook, i) => entries.push({ hook, field: `${siteField}[${i}]` }));
  (sources.program ?? []).forEach((hook, i) => entries.push({ hook, field: `program hooks[${i}]` }));
  const seen = new Map<string, string>();
  for (const { hook, field } of entries) {
    const id = `${hook.at}:${hook.name}`;
    const first = seen.get(id);
    if (first)
      problems.push({
        field: `${field}.name`,
        message: `makes the step hook:${id}, as ${first} does; rename one of them`,
      });
    else seen.set(id, field);
  }
  return { hooks: entries.map((e) => e.hook), problems };
}
