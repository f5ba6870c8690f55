/**
 * The contract between the real-service harness and the tests that use it. Every service runs on
 * loopback, on free ports, in a temp dir of its own, and is stopped by pid.
 */

export interface RunningService {
  /** Short name, e.g. "powerdns". */
  readonly name: string;
  /** The service's private working dir (config, data, log). */
  readonly dir: string;
  /** Path of the service's log file; printed when start-up fails. */
  readonly logFile: string;
  /** Pids the harness started (and will stop). */
  readonly pids: number[];
  /** Stops the processes by pid, waits for them to exit, removes the working dir. Idempotent. */
  stop(): Promise<void>;
}

export interface PowerDnsService extends RunningService {
  /** Base URL of the HTTP API, without /api/v1, e.g. http://127.0.0.1:8081 */
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly serverId: "localhost";
  readonly dnsAddress: "127.0.0.1";
  readonly dnsPort: number;
}

export interface ZfsPool {
  readonly name: string;
  readonly mountpoint: string;
  readonly image: string;
}

export interface ZfsService extends RunningService {
  /** Pools created for this service (file-backed). */
  readonly pools: ZfsPool[];
  /** Creates another file-backed pool with a unique name that starts with `prefix`. */
  createPool(prefix: string, sizeMiB?: number): Promise<ZfsPool>;
}

export interface PostgresService extends RunningService {
  /** The loopback address it listens on: 127.0.0.1 unless started for a datacenter (datacenter.ts). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly dataDir: string;
  /** postgres://user:password@127.0.0.1:port/database */
  readonly connectionString: string;
}

export interface SshdService extends RunningService {
  /** The loopback address it listens on: 127.0.0.1 unless started for a datacenter (datacenter.ts). */
  readonly host: string;
  readonly port: number;
  /** The login user (root here: zfs and sshd need it). */
  readonly user: string;
  /** OpenSSH private key (PEM text) that the server accepts. */
  readonly privateKey: string;
  readonly privateKeyPath: string;
  /** A known_hosts file that holds this server's host key for [127.0.0.1]:port. */
  readonly knownHostsPath: string;
}

export interface GarageService extends RunningService {
  /** S3 API, path-style, e.g. http://127.0.0.1:3900 */
  readonly s3Endpoint: string;
  /** Static websites: Host "<bucket>.<webRootDomain>". */
  readonly webEndpoint: string;
  readonly webRootDomain: string;
  /** Admin API v2, e.g. http://127.0.0.1:3903 */
  readonly adminUrl: string;
  readonly adminToken: string;
  /** S3 region Garage answers to. */
  readonly region: string;
  /** Layout zone of its single node ("datacenter"). */
  readonly zone: string;
  readonly binary: string;
  readonly configFile: string;
}

export interface RedisService extends RunningService {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly password: string;
}

export interface NetboxService extends RunningService {
  /** Base URL, without /api, e.g. http://127.0.0.1:8000 */
  readonly url: string;
  /** A v2 API token of a superuser, sent as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** The NetBox version that answers, e.g. "4.7.3". */
  readonly version: string;
}

export interface KeycloakService extends RunningService {
  /** Base URL of Keycloak (realms, admin API), e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** Management interface (health), e.g. http://127.0.0.1:9000 */
  readonly managementUrl: string;
  /** The bootstrap admin of the master realm (password grant on the admin-cli client). */
  readonly adminUser: string;
  readonly adminPassword: string;
  /** Keycloak's PostgreSQL database. */
  readonly database: string;
}
