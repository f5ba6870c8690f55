export * from "./types";
export * from "./catalog";
export * from "./refused";
export * from "./policy";
export * from "./deployment";
export { AppService, type AppServiceArgs, type PublicKeyOutput } from "./appService";
export { FediService, type FediServiceArgs } from "./fediService";
export * from "./report";
