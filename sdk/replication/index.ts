export * from "./zfsPlan";
export * from "./executor";
export * from "./zfsRunner";
export * from "./jobSpec";
export * from "./schedule";
export { runJob } from "./cli";
export { ZfsReplication, type ZfsReplicationArgs, type ZfsHostArgs } from "./zfsReplication";
export { ReplicationRun, type ReplicationRunInputs } from "./replicationRun";
