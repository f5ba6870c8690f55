/**
 * A real Synapse homeserver for a Matrix FediService, installed the plain-Linux way over SSH
 * (PlainHost): its homeserver.yaml (with the database the FediService made on the site's
 * PostgreSQL, and the stack's app secrets), the signing key the stack generated (so the server's
 * federated identity is the one in the state), and the homeserver run as a service process from a
 * venv that holds matrix-synapse[postgres] (scripts/synapse.sh builds one).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PlainHost } from "../hosts/plainHost";
import type { SshTarget } from "../hosts/ssh";
import type { AppDatabase } from "./appResources";
import type { FediService } from "./fediService";
import { renderHomeserverYaml } from "./synapseConfig";

/** The machine Synapse runs on, as the SDK reaches it over SSH. */
export interface SynapseHostArgs {
  /** Its name in the site (messages, the PlainHost manifest). */
  hostName: string;
  /** Host key pinned or in a known_hosts file. */
  target: pulumi.Input<SshTarget>;
  /** OpenSSH private key (pass a secret). */
  privateKey?: pulumi.Input<string>;
}

/** Inputs of a {@link SynapseHomeserver}: the Matrix service and the host it is installed on. */
export interface SynapseHomeserverArgs {
  /** The Matrix federated service (server name, URL) the homeserver serves. */
  matrix: FediService;
  /** The plain Linux host Synapse is installed on, over SSH. */
  host: SynapseHostArgs;
  /** The venv on that host that holds matrix-synapse[postgres] (scripts/synapse.sh). */
  venv: string;
  /** The address Synapse's HTTP listener binds to (a reverse proxy forwards to it). */
  bindAddress: string;
  /** The TCP port of Synapse's HTTP listener. */
  port: number;
  /** Absolute dir on the host for config, key, media and log. */
  dataDir: string;
  /** Default: the FediService's own database (made when it was given the site's `postgres`). */
  database?: AppDatabase;
  /** How long Synapse may take to answer after a start, seconds (default 180). */
  startTimeoutSeconds?: number;
}

/**
 * A running Matrix Synapse for a `FediService` of app "matrix": its database role and database,
 * its homeserver.yaml with the stack's signing key, and the process, installed on this machine.
 *
 * @example
 * ```ts
 * new SynapseHomeserver("matrix-server", {
 *   matrix,
 *   venv: "/opt/synapse/venv",
 *   bindAddress: "127.0.0.11",
 *   port: 8008,
 *   dataDir: "/var/lib/matrix-synapse",
 *   database,
 * });
 * ```
 */
export class SynapseHomeserver extends pulumi.ComponentResource {
  /** Base URL of the client and federation APIs, e.g. "http://127.0.0.11:8008". */
  readonly url: string;
  /** The plain-host install (files, packages, service) that runs Synapse. */
  readonly install: PlainHost;

  constructor(name: string, args: SynapseHomeserverArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:apps:SynapseHomeserver", name, {}, opts);
    const app = args.matrix.app;
    if (app.definition.id !== "matrix")
      throw new Error(
        `SynapseHomeserver ${name}: matrix: expects a Matrix FediService, got ${app.definition.id}`,
      );
    const database = args.database ?? Object.values(app.databases)[0];
    if (!database)
      throw new Error(
        `SynapseHomeserver ${name}: database: the FediService "${app.instance}" has no database; give it \`postgres\` (the site's PostgreSQL) so it makes Synapse's, or pass \`database\``,
      );
    if (!path.isAbsolute(args.dataDir) || !path.isAbsolute(args.venv))
      throw new Error(`SynapseHomeserver ${name}: dataDir and venv must be absolute paths on the host`);
    this.url = `http://${args.bindAddress}:${args.port}`;
    const keyFile = path.join(args.dataDir, "signing.key");
    const configFile = path.join(args.dataDir, "homeserver.yaml");
    // The database's and role's names are their resources' outputs: the config waits for both.
    const config = pulumi
      .all([
        database.database.name,
        database.role.name,
        database.password,
        database.host,
        database.port,
        app.secrets["registration-shared-secret"],
        app.secrets["macaroon-secret-key"],
        app.secrets["form-secret"],
      ])
      .apply(([dbName, user, password, host, port, registration, macaroon, form]) =>
        renderHomeserverYaml({
          serverName: args.matrix.domain,
          publicBaseUrl: `${this.url}/`,
          bindAddress: args.bindAddress,
          port: args.port,
          dataDir: args.dataDir,
          signingKeyFile: keyFile,
          database: { host, port, name: dbName, user, password },
          registrationSharedSecret: registration,
          macaroonSecretKey: macaroon,
          formSecret: form,
        }),
      );
    const python = path.join(args.venv, "bin", "python");
    const service = `synapse-${name}`;
    this.install = new PlainHost(
      `${name}-synapse`,
      {
        hostName: args.host.hostName,
        part: service,
        target: args.host.target,
        privateKey: args.host.privateKey,
        files: [
          { path: configFile, content: pulumi.secret(config), mode: "0600" },
          { path: keyFile, content: app.secrets["signing-key"], mode: "0600" },
        ],
        services: [
          {
            name: service,
            restartOn: [configFile, keyFile],
            process: {
              command: python,
              args: ["-m", "synapse.app.homeserver", "-c", configFile],
              cwd: args.dataDir,
              log: path.join(args.dataDir, "homeserver.log"),
              ready: [
                python,
                "-c",
                "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)",
                `${this.url}/_matrix/client/versions`,
              ],
              timeoutSeconds: args.startTimeoutSeconds ?? 180,
            },
          },
        ],
      },
      { parent: this },
    );
    this.registerOutputs({ url: this.url });
  }
}
