#!/usr/bin/env bash
# The main job on the embedded local defaults: installs what is missing, starts the local services
# (PowerDNS and PostgreSQL on loopback, a real Matrix Synapse), applies the `local` site stack with
# the real Pulumi engine and prints its outputs. Run it again: the second `up` changes nothing.
# `npm run env -- down` stops the services and keeps their data and ports (.state/services), so the
# next demo finds everything as it was (Synapse is stopped by destroying the stack).
#
#   npm run demo -- --reset   start the local site from scratch: forget the stack AND wipe the
#                             services' data, together (never one without the other)
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

# `npm run demo -- migrate`: the migration headline (test/migration/migrationDemo.ts): a site up
# at dc-a, data written, its config switched to dc-b, the plan previewed and carried out step by step.
if [ "${1:-}" = "migrate" ]; then
  bash scripts/setup.sh
  rm -rf bin && npx tsc -p tsconfig.json
  use_engine
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-sovereign-local-demo}"
  exec node bin/test/migration/migrationDemo.js
fi

reset=""
for arg in "$@"; do
  case "$arg" in
    --reset) reset=1 ;;
    *) die "unknown option '$arg' (known: --reset)" ;;
  esac
done

bash scripts/setup.sh
rm -rf bin && npx tsc -p tsconfig.json
bash scripts/env.sh up powerdns netbox postgres sshd
# The demo site runs a real Matrix Synapse (cached venv; the first install takes a few minutes),
# installed over SSH (the sshd above) with its database on the PostgreSQL above.
SOVEREIGN_SYNAPSE_VENV="$(bash scripts/synapse.sh)"
export SOVEREIGN_SYNAPSE_VENV
use_engine
# The local stack's secrets are encrypted with this passphrase unless you set your own.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-sovereign-local-demo}"

stack=local
if [ -n "$reset" ]; then
  bash scripts/reset-local.sh "$stack"
  bash scripts/env.sh up powerdns netbox postgres sshd
fi
pulumi stack select "$stack" --non-interactive 2>/dev/null || pulumi stack init "$stack" --non-interactive
# The providers read the PowerDNS API key from the stack config (a secret). The local server's key
# lives in .state/env.json; it goes into a copy of the tracked stack file under .state/ (rewritten
# every run, never committed), so stacks/Pulumi.local.yaml stays clean. Every pulumi command on
# this stack takes that copy: --config-file .state/Pulumi.local.yaml
run_config="$REPO_ROOT/.state/Pulumi.$stack.yaml"
cp "stacks/Pulumi.$stack.yaml" "$run_config"
# secret_from_env CONFIG_KEY SERVICE CREDENTIAL: a local service's credential into the config copy.
secret_from_env() {
  node -e 'const e = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    process.stdout.write(e.services[process.argv[2]].credentials[process.argv[3]])' \
    "${SOVEREIGN_ENV_STATE:-$REPO_ROOT/.state/env.json}" "$2" "$3" |
    pulumi config set --secret "$1" --stack "$stack" --config-file "$run_config"
}
secret_from_env sovereign:powerdnsApiKey powerdns apiKey
# The local NetBox's token the same way, for the site's inventory.
secret_from_env sovereign:netboxToken netbox token
# The local PostgreSQL's admin password, for the apps' roles and databases.
secret_from_env sovereign:postgresAdminPassword postgres password
# --refresh: sees what changed in the local services behind the stack's back (they keep their data
# and ports across `env down`/`up`; `--reset` starts both from scratch).
pulumi up --stack "$stack" --config-file "$run_config" --yes --non-interactive --refresh
log "outputs of stack '$stack':"
pulumi stack output --stack "$stack" --json
log "Matrix homeserver(s): $(pulumi stack output --stack "$stack" matrixHomeservers --json | tr -d '\n ')"
