/**
 * Admin credentials for the Keycloak providers, from the stack's config (the password as a
 * secret), handed to the provider process by the engine through `configure`
 * (providers/shared/credentials):
 *
 *   pulumi config set sovereign-keycloak:url https://id.example.org
 *   pulumi config set sovereign-keycloak:adminUser admin
 *   pulumi config set --secret sovereign-keycloak:adminPassword ...
 *
 * They never enter a resource's inputs, so they are not copied into every resource's state.
 */
import { requireCredential } from "../shared/credentials";
import type { KeycloakAdminCredentials } from "./client";

export { configure } from "../shared/credentials";

export const CONFIG_NAMESPACE = "sovereign-keycloak";

export function adminCredentials(): KeycloakAdminCredentials {
  return {
    url: requireCredential(`${CONFIG_NAMESPACE}:url`, "the Keycloak URL"),
    adminUser: requireCredential(`${CONFIG_NAMESPACE}:adminUser`, "the Keycloak admin user"),
    adminPassword: requireCredential(`${CONFIG_NAMESPACE}:adminPassword`, "the Keycloak admin password"),
  };
}
