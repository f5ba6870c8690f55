/**
 * Synapse's homeserver.yaml, pure. Its database (UTF8, C collation, as Synapse's docs require) is
 * made by the FediService on the site's PostgreSQL (providers/postgresql).
 */
import { stringify } from "yaml";

/** What Synapse's homeserver.yaml is rendered from. */
export interface SynapseConfigInput {
  /** The Matrix server name (the part after ":" in user ids), e.g. "coop.example". */
  serverName: string;
  /** The homeserver's public URL, e.g. "https://matrix.coop.example/". */
  publicBaseUrl: string;
  /** The address the HTTP listener binds to, e.g. "127.0.0.1". */
  bindAddress: string;
  /** The TCP port of the HTTP listener. */
  port: number;
  /** Absolute dir holding the key, media and pid file. */
  dataDir: string;
  /** Path of the homeserver's signing key file on the host. */
  signingKeyFile: string;
  /** The PostgreSQL database Synapse uses. */
  database: {
    /** Database host name or address. */
    host: string;
    /** Database TCP port. */
    port: number;
    /** Database name. */
    name: string;
    /** Database role. */
    user: string;
    /** Database password (written into the rendered file: keep the file private). */
    password: string;
  };
  /** Shared secret for registering users through the admin API. */
  registrationSharedSecret: string;
  /** Secret Synapse derives access-token macaroons from. */
  macaroonSecretKey: string;
  /** Secret that signs Synapse's HTML forms. */
  formSecret: string;
  /** Other servers' keys are fetched only from themselves (none when offline). */
  trustedKeyServers?: string[];
}

/** Renders homeserver.yaml for Synapse from `c` (secrets included: write it with mode 0600). Pure. */
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
