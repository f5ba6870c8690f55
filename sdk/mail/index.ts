/** Mail domains: records, mailboxes, aliases, DKIM keys and their rotation. */
export { MailDomain } from "./mailDomain";
export type { MailDomainArgs } from "./mailDomain";
export { planMailRecords, SUBMISSION_PORT, IMAPS_PORT } from "./records";
export type { PlannedRecord, MailRecordsInput, MailDmarcArgs } from "./records";
export { planMailboxes } from "./mailboxes";
export type { MailboxArgs, AliasArgs, MailboxesArgs, MailboxesPlan, MailboxPlan } from "./mailboxes";
export { dkimState, planDkimRotation } from "./dkimRotation";
export type { DkimArgs, DkimSelectorArgs, DkimState, RotationPhase } from "./dkimRotation";
export { planMtaSts, tlsRptRecord, MTA_STS_MODES } from "./mtaSts";
export type { MtaStsArgs, MtaStsPlan, MtaStsMode } from "./mtaSts";
export { planReportAuthorizations, sameOrganisation } from "./dmarcReports";
export { parseAddress, parseQuota, mailDomainName, localPartProblem } from "./addresses";
export type { MailProblem } from "./problems";
export { postfixVirtualAliases, cyrusQuotasKiB, openDkimTables } from "./serverTables";
