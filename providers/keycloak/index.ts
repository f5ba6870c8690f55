/**
 * Keycloak (admin REST API) dynamic providers: realm, OIDC client, group, user, realm-role mapping;
 * the typed client (generated from Keycloak's OpenAPI document), ownership and pure input checks.
 * Admin credentials come from stack config (credentials.ts); the rules are providers/shared's.
 */
export * from "./resources";
export * from "./validate";
export { KeycloakAdmin, type KeycloakAdminCredentials } from "./client";
export { KEYCLOAK_CONFIG_KEYS } from "./credentials";
export { OWNER_ATTRIBUTE, ownerFromAttributes, withOwnerAttribute } from "./ownership";
