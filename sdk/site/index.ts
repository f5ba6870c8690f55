export { Site, type SiteArgs } from "./site";
export { planSiteRecords, appUrls, type PlannedRecord } from "./records";
export {
  SiteInventoryRegistration,
  appTagSlug,
  type SiteInventoryArgs,
  type InventoryConnection,
} from "./inventory";
export { type SiteMigrationArgs, siteMigrationItems, switchedNames } from "./siteMigration";
