/**
 * The real-service harness: PowerDNS, zfs-fuse pools, PostgreSQL and sshd on loopback, each in its
 * own temp dir, on free ports, with fresh random credentials, stopped by pid. In mocha:
 *
 *   const pdns = useService("powerdns");                 // the run's shared instance
 *   const own = useService(() => startPowerDns());       // a private one, for destructive tests
 *   it("...", async () => { await fetch(`${pdns().apiUrl}/api/v1/servers`, ...) });
 *
 * Shared instances (shared.ts) start once per mocha run, on first use, and stop when the run ends.
 * To add a shared service type (Garage, NetBox, LXC, Keycloak, ...): write `startX()` in its own
 * file, and at the bottom of that file register it under a name, one function + a name:
 *
 *   declare module "./shared" {
 *     interface SharedServices { garage: GarageService }
 *   }
 *   registerSharedService("garage", () => startGarage());
 *
 * then export startX here; tests write `useService("garage")`.
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
export { startGarage, launchGarage, garageBinary, type GarageOptions } from "./garage";
export { startRedis, type RedisOptions } from "./redis";
export { startNetbox, type NetboxOptions, type NetboxServiceWithParts } from "./netbox";
export { useService, type UseServiceOptions } from "./use-service";
export {
  startDatacenter,
  datacenterRange,
  type DatacenterService,
  type DatacenterOptions,
} from "./datacenter";
export {
  registerSharedService,
  sharedService,
  stopSharedServices,
  startedSharedServices,
  type SharedServices,
  type SharedServiceName,
} from "./shared";
export { freePort, isPortFree } from "./ports";
export { isAlive, stopPid } from "./processes";
export { repoRoot } from "./repo";
export { startKeycloak, keycloakInstall, type KeycloakOptions, type KeycloakServiceWithDb } from "./keycloak";
