/**
 * Secrets on hosts: delivery encrypted to the host's SSH host key (age), agenix-style declarations
 * for NixOS hosts, and random secret generation behind a small interface.
 */
export * from "./hostSecretPlan";
export { HostSecret, type HostSecretArgs, type SecretHostArgs } from "./hostSecret";
export * from "./random";
export * from "./generator";
export { builtinSecrets } from "./builtinSecrets";
export { pluginSecrets, ed25519RawFromPem } from "./pluginSecrets";
