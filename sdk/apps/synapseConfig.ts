/**
 * Synapse's homeserver.yaml, pure. Its database (UTF8, C collation, as Synapse's docs require) is
 * made by the FediService on the site's PostgreSQL (providers/postgresql).
 */
import { stringify } from "yaml";

export interface SynapseConfigInput {
  serverName: string;
  publicBaseUrl: string;
  bindAddress: string;
  port: number;
  /** Absolute dir holding the key, media and pid file. */
  dataDir: string;
  signingKeyFile: string;
  database: { host: string; port: number; name: string; user: string; password: string };
  registrationSharedSecret: string;
  macaroonSecretKey: string;
  formSecret: string;
  /** Other servers' keys are fetched only from themselves (none when offline). */
  trustedKeyServers?: string[];
}

export function renderHomeserverYaml(c: SynapseConfigInput): string {
  return stringify({
    server_name: c.serverName,
    public_baseurl: c.publicBaseUrl,
    pid_file: `${c.dataDir}/homeserver.pid`,
    listeners: [
      {
        port: c.port,
        bind_addresses: [c.bindAddress],
        type: "http",
        tls: false,
        x_forwarded: false,
        resources: [{ names: ["client", "federation"], compress: false }],
      },
    ],
    database: {
      name: "psycopg2",
      args: {
        user: c.database.user,
        password: c.database.password,
        dbname: c.database.name,
        host: c.database.host,
        port: c.database.port,
        cp_min: 1,
        cp_max: 5,
      },
    },
    media_store_path: `${c.dataDir}/media`,
    signing_key_path: c.signingKeyFile,
    trusted_key_servers: (c.trustedKeyServers ?? []).map((server_name) => ({ server_name })),
    suppress_key_server_warning: true,
    report_stats: false,
    enable_registration: false,
    registration_shared_secret: c.registrationSharedSecret,
    macaroon_secret_key: c.macaroonSecretKey,
    form_secret: c.formSecret,
  });
}
