export * from "./siteConfig";
export * from "./problems";
