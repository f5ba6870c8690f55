/**
 * NetBox (4.7 REST API) dynamic providers: sites, cluster types, clusters, virtual machines, VM
 * interfaces, prefixes, IP addresses, services, tags, and race-free IP allocation from a prefix;
 * the typed client (types generated from NetBox's OpenAPI schema) and the pure rules they use.
 */
export * from "./client";
export * from "./cidr";
export * from "./kinds";
export * from "./validate";
export * from "./resources";
export * from "./collection";
export { readSiteInventory, type SiteInventory, type InventoryVm, type InventoryService } from "./inventory";
export { OWNER_FIELD } from "./session";
