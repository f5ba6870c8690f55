/**
 * sovereign: Pulumi components for a hosting cooperative's sites. Start with `parseSiteConfig` and
 * `Site`; the building blocks are exported per domain.
 */
export * as apps from "./apps";
export * as config from "./config";
export * as dns from "./dns";
export * as hosts from "./hosts";
export * as identity from "./identity";
export * as nix from "./nix";
export * as mail from "./mail";
export * as migration from "./migration";
export * as replication from "./replication";
export * as secrets from "./secrets";
export * as storage from "./storage";
export * from "./site";
export { parseSiteConfig, SiteConfigError, type SiteConfig } from "./config";
export { DnsZone } from "./dns";
export { ZfsReplication } from "./replication";
export { GarageBucket, BucketReplication } from "./storage";
