import { readEnvState } from "./env-state";
import { startKeycloak, type KeycloakServiceWithDb } from "./keycloak";

/*
 * One Keycloak for every test file of a mocha run that asks for it (a start costs 30-90 s), stopped
 * after the whole run by a root-level hook. A stand-in until the harness's shared-instance
 * mechanism lands; import it from tests only (it registers a mocha hook when loaded).
 */

let shared: Promise<KeycloakServiceWithDb> | undefined;

after(async function () {
  this.timeout(60_000);
  const running = await shared?.catch(() => undefined);
  await running?.stop();
});

/** Like useService(() => startKeycloak()), but the instance is shared by all suites of the run. */
export function useSharedKeycloak(): () => KeycloakServiceWithDb {
  let service: KeycloakServiceWithDb | undefined;
  before(async function () {
    this.timeout(360_000);
    try {
      service = await (shared ??= reuseEnvKeycloak() ?? startKeycloak());
    } catch (error) {
      throw new Error(`a real service needed by these tests failed to start: ${(error as Error).message}`);
    }
  });
  return () => {
    if (!service) throw new Error("Keycloak is not running: call the getter inside a test or hook");
    return service;
  };
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
