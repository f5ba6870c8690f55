export * from "./siteConfig";
export * from "./problems";
export * from "./storageConfig";
