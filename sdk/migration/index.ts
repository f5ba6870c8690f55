export * from "./plan";
export * from "./sides";
export { Migration, type MigrationArgs } from "./migration";
export { runMigration, type MigrationRun, type StepTiming } from "./executor";
export { startProbe, type ProbeOutage, type ProbeReport, type ProbeTarget } from "./probe";
export { Standby, type StandbyArgs } from "./standby";
export * from "./standbyPlan";
export {
  HOOK_POINTS,
  withHooks,
  hookDocument,
  type HookPoint,
  type MigrationHook,
  type HookDocument,
} from "./hooks";
export {
  mergeHooks,
  type AppMigrationHook,
  type AppHooks,
  type HookSources,
  type HookProblem,
  type MergedHooks,
} from "./hookMerge";
