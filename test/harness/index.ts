/**
 * The real-service harness: PowerDNS, zfs-fuse pools, PostgreSQL and sshd on loopback, each in its
 * own temp dir, on free ports, with fresh random credentials, stopped by pid. In mocha:
 *
 *   const pdns = useService(() => startPowerDns());
 *   it("...", async () => { await fetch(`${pdns().apiUrl}/api/v1/servers`, ...) });
 *
 * For the demo and manual runs, `scripts/env.sh up|status|down` (cli.ts) keeps them running.
 */
export * from "./types";
export { startPowerDns, launchPdnsServer, type PowerDnsOptions } from "./powerdns";
export {
  startZfs,
  releaseZfs,
  destroyPools,
  teardownZfs,
  type ZfsOptions,
  type ZfsServiceWithLease,
} from "./zfs";
export { startSshd, type SshdOptions, type SshdServiceWithArgs } from "./sshd";
export { startPostgres, postgresBinDir, type PostgresOptions, type PostgresServiceWithBin } from "./postgres";
export { useService, type UseServiceOptions } from "./use-service";
export { freePort, isPortFree } from "./ports";
export { isAlive, stopPid } from "./processes";
export { repoRoot } from "./repo";
export { startKeycloak, keycloakInstall, type KeycloakOptions, type KeycloakServiceWithDb } from "./keycloak";
