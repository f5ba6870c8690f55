/**
 * Keycloak (admin REST API) dynamic providers: realm, OIDC client, group, user, realm-role mapping;
 * the typed client (generated from Keycloak's OpenAPI document), ownership and pure input checks.
 * Admin credentials come from stack config (credentials.ts).
 */
export * from "./resources";
export * from "./validate";
export {
  KeycloakAdmin,
  KeycloakApiError,
  KeycloakUnreachableError,
  type KeycloakAdminCredentials,
} from "./client";
export { CONFIG_NAMESPACE as KEYCLOAK_CONFIG_NAMESPACE } from "./credentials";
export { OWNER_ATTRIBUTE, ownerFromAttributes, decideTakeOver } from "./ownership";
