export * from "./plan";
export * from "./sides";
export { Migration, type MigrationArgs } from "./migration";
export { runMigration, type MigrationRun, type StepTiming } from "./executor";
export { startProbe, type ProbeReport, type ProbeTarget } from "./probe";
export { Standby, type StandbyArgs } from "./standby";
export * from "./standbyPlan";
