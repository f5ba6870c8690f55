export * from "./manifest";
export { backupSite, readManifest, type BackupOptions } from "./backup";
export {
  restoreSite,
  openArchive,
  openChain,
  closeChain,
  type RestoreOptions,
  type OpenedArchive,
} from "./restore";
export { SiteStacks, siteLocation } from "./siteStack";
export {
  tableIncrement,
  tableSources,
  tableEntry,
  type BackedUpTable,
  type TableIncrement,
  type TableLink,
} from "./tableIncrement";
