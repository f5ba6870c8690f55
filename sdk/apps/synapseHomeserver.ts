/**
 * A real Synapse homeserver for a Matrix FediService: its own PostgreSQL role and database, its
 * homeserver.yaml with the stack's secrets, and the signing key the stack generated (so the server's
 * federated identity is the one in the state), run by an installer. The installer here is the local
 * site's `LocalService` (this machine); PlainHost (over SSH) takes its place on real hosts.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LocalService } from "../../providers/localservice/resources";
import type { SecretGenerator } from "../secrets/generator";
import { builtinSecrets } from "../secrets/builtinSecrets";
import type { FediService } from "./fediService";
import { renderHomeserverYaml, synapseDatabaseSql } from "./synapseConfig";

export interface SynapseDatabaseArgs {
  host: string;
  port: number;
  /** A role that may create roles and databases, and its password (secret). */
  adminUser: string;
  adminPassword: pulumi.Input<string>;
  /** psql of the server's version. */
  psql: string;
  /** Database and role made for Synapse (default: the instance's database name from the catalog). */
  name?: string;
}

export interface SynapseHomeserverArgs {
  matrix: FediService;
  /** The venv that holds matrix-synapse[postgres] (scripts/synapse.sh). */
  venv: string;
  bindAddress: string;
  port: number;
  /** Absolute dir for config, key, media and log; removed when the homeserver is deleted. */
  dataDir: string;
  database: SynapseDatabaseArgs;
  /** Makes the database role's password; default the built-in generator. */
  secrets?: SecretGenerator;
  /** The install (its data dir holds media) is protected from deletion unless this is false. */
  protect?: boolean;
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
  readonly service: LocalService;

  constructor(name: string, args: SynapseHomeserverArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:apps:SynapseHomeserver", name, {}, opts);
    const app = args.matrix.app;
    if (app.definition.id !== "matrix")
      throw new Error(
        `SynapseHomeserver ${name}: matrix: expects a Matrix FediService, got ${app.definition.id}`,
      );
    this.url = `http://${args.bindAddress}:${args.port}`;
    const dbName = args.database.name ?? app.state.find((s) => s.kind === "database")?.name ?? "synapse";
    const dbPassword = (args.secrets ?? builtinSecrets()).random(`${name}-db-password`, { parent: this });
    const keyFile = path.join(args.dataDir, "signing.key");
    const config = pulumi
      .all([
        dbPassword,
        app.secrets["registration-shared-secret"],
        app.secrets["macaroon-secret-key"],
        app.secrets["form-secret"],
      ])
      .apply(([password, registration, macaroon, form]) =>
        renderHomeserverYaml({
          serverName: args.matrix.domain,
          publicBaseUrl: `${this.url}/`,
          bindAddress: args.bindAddress,
          port: args.port,
          dataDir: args.dataDir,
          signingKeyFile: keyFile,
          database: {
            host: args.database.host,
            port: args.database.port,
            name: dbName,
            user: dbName,
            password,
          },
          registrationSharedSecret: registration,
          macaroonSecretKey: macaroon,
          formSecret: form,
        }),
      );
    this.service = new LocalService(
      `${name}-synapse`,
      {
        name: `synapse ${name}`,
        dir: args.dataDir,
        files: [
          { path: "homeserver.yaml", content: pulumi.secret(config), mode: "0600" },
          { path: "signing.key", content: app.secrets["signing-key"], mode: "0600" },
        ],
        prepare: [
          {
            command: args.database.psql,
            args: [
              "-h",
              args.database.host,
              "-p",
              String(args.database.port),
              "-U",
              args.database.adminUser,
              "-d",
              "postgres",
              "-v",
              "ON_ERROR_STOP=1",
              "-q",
              "-f",
              "-",
            ],
            env: pulumi.secret(pulumi.output(args.database.adminPassword).apply((p) => ({ PGPASSWORD: p }))),
            input: pulumi.secret(
              dbPassword.apply((password) => synapseDatabaseSql({ name: dbName, user: dbName, password })),
            ),
          },
        ],
        start: {
          command: path.join(args.venv, "bin", "python"),
          args: ["-m", "synapse.app.homeserver", "-c", "homeserver.yaml"],
        },
        healthUrl: `${this.url}/_matrix/client/versions`,
        timeoutMs: 180_000,
      },
      { parent: this, protect: args.protect ?? true },
    );
    this.registerOutputs({ url: this.url, running: this.service.running });
  }
}
