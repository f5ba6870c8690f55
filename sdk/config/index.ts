export * from "./siteConfig";
export * from "./problems";
export {
  siteSchema,
  section,
  stackFileJsonSchema,
  IMPLEMENTED_HOST_KINDS,
  type RawSiteConfig,
} from "./schema";
export * from "./storageConfig";
export * from "./identityConfig";
