/**
 * PowerDNS (Authoritative 4.7 HTTP API) dynamic providers: `PowerDnsZone` and `PowerDnsRecordSet`,
 * the typed client, and the pure rules they use (validation, normalisation, diff, batching plan).
 * Record-set writes of one zone are coalesced into few PATCH requests; zone reads are shared.
 */
export * from "./client";
export * from "./records";
export * from "./validate";
export { planPatches, applyChanges, batchSettings, batchStats, resetBatchState } from "./batch";
export type { BatchSettings } from "./batch";
export { PowerDnsZone, PowerDnsRecordSet, PowerDnsRecordCollection } from "./resources";
export type {
  PowerDnsConnectionArgs,
  PowerDnsZoneArgs,
  PowerDnsRecordSetArgs,
  PowerDnsRecordCollectionArgs,
  PowerDnsCollectionRRSet,
} from "./resources";
export {
  checkCollectionInputs,
  diffCollection,
  planCollectionWrite,
  planCollectionDelete,
} from "./collection";
export type { DnssecKey } from "./zoneProvider";
