import { SiteConfig } from "../config/siteConfig";

/** One record set the site publishes in its zone. Names are relative to the zone ("@" = apex). */
export interface PlannedRecord {
  /** The name relative to the zone ("@" is the apex). */
  readonly name: string;
  /** The record type. */
  readonly type: "A" | "AAAA" | "CNAME";
  /** The record contents. */
  readonly records: readonly string[];
}

/**
 * The records a site publishes: an A (and AAAA) per host under `<host>.`, and a CNAME per app
 * pointing at its host. Apps point at hosts by name, so moving an app or cutting a host over to a
 * new provider is one record change.
 */
export function planSiteRecords(site: SiteConfig): PlannedRecord[] {
  const hostRecords = site.hosts.flatMap((host): PlannedRecord[] => [
    { name: host.name, type: "A", records: [host.address] },
    ...(host.address6 ? [{ name: host.name, type: "AAAA" as const, records: [host.address6] }] : []),
  ]);
  const appRecords = site.apps.map((app): PlannedRecord => ({
    name: app.subdomain,
    type: "CNAME",
    records: [`${app.host}.${site.domain}.`],
  }));
  return [...hostRecords, ...appRecords];
}

/** The public URL of every app, by app instance name. */
export function appUrls(site: SiteConfig): Record<string, string> {
  return Object.fromEntries(site.apps.map((app) => [app.name, `https://${app.subdomain}.${site.domain}/`]));
}
