export * from "./generator";
export { builtinSecrets } from "./builtinSecrets";
export { pluginSecrets, ed25519RawFromPem } from "./pluginSecrets";
