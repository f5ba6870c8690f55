/**
 * DNS for a site: the `DnsZone` component (type token sovereign:dns:DnsZone) that hosts, apps and
 * mail publish their records into, mail record builders, and the lower-TTL-before-switch plan.
 */
export { DnsZone, publishConflict } from "./dnsZone";
export type { DnsZoneArgs, DnsConnection, RecordArgs, MailArgs } from "./dnsZone";
export {
  spfRecord,
  spfLookups,
  dkimRecord,
  dkimKeyProblem,
  dkimSelectorProblem,
  dmarcRecord,
  mxRecords,
  DMARC_POLICIES,
} from "./mail";
export { sshfpRecords, SSHFP_ALGORITHMS } from "./sshfp";
export type { SpfPolicy, SpfInclude, DkimKey, DmarcPolicy, MxHost } from "./mail";
export { planTtlSwitch, recordAt, runTtlSwitch } from "./ttlSwitch";
export type {
  TtlSwitchInput,
  TtlSwitchStep,
  TtlSwitchPhase,
  TtlSwitchEffects,
  RecordState,
} from "./ttlSwitch";
