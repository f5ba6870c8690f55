import { readEnvState } from "./env-state";
import { startKeycloak, type KeycloakServiceWithDb } from "./keycloak";
import { registerSharedService } from "./shared";
import { useService } from "./use-service";

/*
 * One Keycloak for every test file of a mocha run that asks for it (a start costs 30-90 s), through
 * the harness's shared instances (shared.ts): stopped by the root hook after the whole run.
 */

declare module "./shared" {
  interface SharedServices {
    identity: KeycloakServiceWithDb;
  }
}

registerSharedService("identity", () => reuseEnvKeycloak() ?? startKeycloak());

/** The run's shared Keycloak (started on first use, stopped by the root hook after the run). */
export function useSharedKeycloak(): () => KeycloakServiceWithDb {
  return useService("identity", { timeoutMs: 360_000 });
}

/**
 * With SOVEREIGN_REUSE_ENV=1, the Keycloak that `npm run env -- up identity` keeps running (for
 * quick local iterations; tests then do not stop it).
 */
function reuseEnvKeycloak(): Promise<KeycloakServiceWithDb> | undefined {
  const recorded = process.env.SOVEREIGN_REUSE_ENV === "1" ? readEnvState().services.identity : undefined;
  if (!recorded) return undefined;
  return Promise.resolve({
    name: "identity",
    dir: recorded.dir,
    logFile: recorded.logFile,
    pids: [],
    url: String(recorded.endpoints.url),
    managementUrl: String(recorded.endpoints.managementUrl),
    database: String(recorded.endpoints.database),
    adminUser: recorded.credentials.adminUser,
    adminPassword: recorded.credentials.adminPassword,
    stop: async () => undefined,
  });
}
