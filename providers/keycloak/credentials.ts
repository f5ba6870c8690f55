/**
 * Admin credentials for the Keycloak providers, from the stack's config (the password as a
 * secret), handed to the provider process by the engine through `configure`:
 *
 *   pulumi config set sovereign-keycloak:url https://id.example.org
 *   pulumi config set sovereign-keycloak:adminUser admin
 *   pulumi config set --secret sovereign-keycloak:adminPassword ...
 *   pulumi config set sovereign-keycloak:adminRealm master        # optional
 *
 * They never enter a resource's inputs, so they are not copied into every resource's state.
 * Thin on purpose: gives way to providers/shared/ once that exists.
 */
import type { KeycloakAdminCredentials } from "./client";

export const CONFIG_NAMESPACE = "sovereign-keycloak";

interface ConfigSource {
  get(key: string): string | undefined;
}

let config: ConfigSource | undefined;

export function setConfig(source: ConfigSource): void {
  config = source;
}

export function adminCredentials(): KeycloakAdminCredentials {
  const get = (key: string) => config?.get(`${CONFIG_NAMESPACE}:${key}`);
  const url = get("url");
  const adminUser = get("adminUser");
  const adminPassword = get("adminPassword");
  const missing = [
    ["url", url],
    ["adminUser", adminUser],
    ["adminPassword", adminPassword],
  ]
    .filter(([, value]) => !value)
    .map(([key]) => `${CONFIG_NAMESPACE}:${key}`);
  if (missing.length > 0) {
    throw new Error(
      `the Keycloak admin credentials are missing from the stack config (${missing.join(", ")}): ` +
        `set them with \`pulumi config set ${CONFIG_NAMESPACE}:url URL\`, \`pulumi config set ${CONFIG_NAMESPACE}:adminUser NAME\` and \`pulumi config set --secret ${CONFIG_NAMESPACE}:adminPassword ...\``,
    );
  }
  return { url: url!, adminUser: adminUser!, adminPassword: adminPassword!, adminRealm: get("adminRealm") };
}
