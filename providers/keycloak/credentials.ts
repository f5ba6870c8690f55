/**
 * Admin credentials for the Keycloak providers, from the stack's config (the password as a
 * secret), handed to the provider process by the engine through `configure`
 * (providers/shared/credentials), under the same `sovereign:*` naming as the other providers:
 *
 *   pulumi config set sovereign:keycloakUrl https://id.example.org
 *   pulumi config set sovereign:keycloakAdminUser admin
 *   pulumi config set --secret sovereign:keycloakAdminPassword ...
 *
 * They never enter a resource's inputs, so they are not copied into every resource's state.
 */
import { MissingCredentialError, requireCredential } from "../shared/credentials";
import type { KeycloakAdminCredentials } from "./client";

export { configure } from "../shared/credentials";

export const KEYCLOAK_CONFIG_KEYS = {
  url: "sovereign:keycloakUrl",
  adminUser: "sovereign:keycloakAdminUser",
  adminPassword: "sovereign:keycloakAdminPassword",
} as const;

/** Where the first Keycloak provider read them; still recognised, to say what to rename. */
const OLD_KEYS: Record<keyof typeof KEYCLOAK_CONFIG_KEYS, string> = {
  url: "sovereign-keycloak:url",
  adminUser: "sovereign-keycloak:adminUser",
  adminPassword: "sovereign-keycloak:adminPassword",
};

function required(field: keyof typeof KEYCLOAK_CONFIG_KEYS, what: string): string {
  try {
    return requireCredential(KEYCLOAK_CONFIG_KEYS[field], what);
  } catch (e) {
    if (!(e instanceof MissingCredentialError)) throw e;
    let old: string | undefined;
    try {
      old = requireCredential(OLD_KEYS[field], what);
    } catch {
      throw e;
    }
    if (old)
      throw new Error(
        `${what} is set under the old key "${OLD_KEYS[field]}"; the Keycloak keys are now named like the other providers'. ` +
          `Move it with\n    pulumi config rm ${OLD_KEYS[field]}\n    pulumi config set ${field === "adminPassword" ? "--secret " : ""}${KEYCLOAK_CONFIG_KEYS[field]} <value>`,
      );
    throw e;
  }
}

export function adminCredentials(): KeycloakAdminCredentials {
  return {
    url: required("url", "the Keycloak URL"),
    adminUser: required("adminUser", "the Keycloak admin user"),
    adminPassword: required("adminPassword", "the Keycloak admin password"),
  };
}
