export { Site, type SiteArgs } from "./site";
export { planSiteRecords, appUrls, type PlannedRecord } from "./records";
