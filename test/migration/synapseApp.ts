/**
 * A real Synapse as one of the migration site's apps: its directory (/var/lib/matrix-synapse in
 * the catalog, a stop-then-rsync item) holds the signing key, the registration secret and the
 * media store, so they travel with the site; its database is the catalog's `synapse` item at the
 * serving datacenter's PostgreSQL. At each start the homeserver.yaml is written from that
 * datacenter's database settings (a file on the datacenter's host, DC_DB_FILE), so the same
 * directory runs at dc-a and, after the move, at dc-b.
 */
import * as fs from "fs";
import { shellQuote } from "../../sdk/replication/executor";
import type { DatacenterService } from "../harness/datacenter";
import type { AppControl } from "../../sdk/migration/siteData";
import { stopByPidFile } from "./fixtures";

export const SYNAPSE_PORT = 8008;
/** Where the catalog's matrix directory lives under the site's root dataset (locationOf). */
export const SYNAPSE_DIR = "matrix-var-lib-matrix-synapse";

export interface SynapseAppArgs {
  readonly venv: string;
  readonly serverName: string;
  /** `{datacenter}` is replaced: the datacenter's database settings file and pid file. */
  readonly dbFile: string;
  readonly pidFile: string;
}

/** Writes the database part of homeserver.yaml for one datacenter (mode 600: it holds its password). */
export function writeSynapseDbFile(file: string, dc: DatacenterService, database: string): void {
  const text = [
    "database:",
    "  name: psycopg2",
    "  args:",
    `    user: ${JSON.stringify(dc.postgres.user)}`,
    `    password: ${JSON.stringify(dc.postgres.password)}`,
    `    dbname: ${JSON.stringify(database)}`,
    `    host: ${JSON.stringify(dc.postgres.host)}`,
    `    port: ${dc.postgres.port}`,
    "    cp_min: 1",
    "    cp_max: 5",
    "",
  ].join("\n");
  fs.writeFileSync(file, text, { mode: 0o600 });
}

export function synapseApp(a: SynapseAppArgs): AppControl {
  const py = `${a.venv}/bin/python`;
  const start = `set -e
d="$1/${SYNAPSE_DIR}"; mkdir -p "$d/media"
[ -s "$d/registration-secret" ] || ${shellQuote(py)} -c 'import secrets; print(secrets.token_hex(24))' > "$d/registration-secret"
cat > "$d/homeserver.yaml" <<HS
server_name: ${a.serverName}
public_baseurl: http://$2:${SYNAPSE_PORT}/
pid_file: ${a.pidFile}
listeners:
  - { port: ${SYNAPSE_PORT}, bind_addresses: ["$2"], type: http, tls: false, resources: [{ names: [client, federation], compress: false }] }
media_store_path: $d/media
signing_key_path: $d/signing.key
trusted_key_servers: []
suppress_key_server_warning: true
report_stats: false
enable_registration: false
registration_shared_secret: $(cat "$d/registration-secret")
macaroon_secret_key: $(cat "$d/registration-secret")-macaroon
form_secret: $(cat "$d/registration-secret")-form
HS
cat ${a.dbFile} >> "$d/homeserver.yaml"
[ -s "$d/signing.key" ] || ${shellQuote(py)} -m synapse.app.homeserver -c "$d/homeserver.yaml" --generate-keys >/dev/null
${shellQuote(py)} -m synapse.app.homeserver -c "$d/homeserver.yaml" --daemonize >"$d/start.log" 2>&1 || { tail -30 "$d/start.log" >&2; exit 1; }
i=0; until ${shellQuote(py)} -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "http://$2:${SYNAPSE_PORT}/_matrix/client/versions" 2>/dev/null; do
  i=$((i+1)); [ $i -lt 900 ] || { echo "Synapse did not answer within 180 s" >&2; tail -20 "$d/start.log" >&2; exit 1; }; sleep 0.2
done`;
  const stop = stopByPidFile(a.pidFile, 30);
  return {
    start: ["sh", "-c", start, "sh", "{root}", "{address}"],
    stop: ["sh", "-c", stop],
  };
}

/** Both apps, one after the other (stop in reverse order). */
export function bothApps(first: AppControl, second: AppControl): AppControl {
  const line = (argv: readonly string[]) => argv.map(shellQuote).join(" ");
  return {
    start: ["sh", "-c", `${line(first.start)} && ${line(second.start)}`],
    stop: ["sh", "-c", `${line(second.stop)}; ${line(first.stop)}`],
  };
}
