#!/usr/bin/env bash
# The main job on the embedded local defaults: installs what is missing, starts the local services
# (PowerDNS and PostgreSQL on loopback, Matrix Synapse), applies the `local` site stack with the real Pulumi engine and prints
# its outputs. Run it again: the second `up` changes nothing. `npm run env -- down` stops the services.
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

bash scripts/setup.sh
rm -rf bin && npx tsc -p tsconfig.json
bash scripts/env.sh up powerdns postgres
# The demo site runs a real Matrix Synapse (cached venv; the first install takes a few minutes).
SOVEREIGN_SYNAPSE_VENV="$(bash scripts/synapse.sh)"
export SOVEREIGN_SYNAPSE_VENV
use_engine
# The local stack's secrets are encrypted with this passphrase unless you set your own.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-sovereign-local-demo}"

stack=local
pulumi stack select "$stack" --non-interactive 2>/dev/null || pulumi stack init "$stack" --non-interactive
# --refresh: the local services may have been restarted (new ports, empty data) since the last run.
pulumi up --stack "$stack" --yes --non-interactive --refresh
log "outputs of stack '$stack':"
pulumi stack output --stack "$stack" --json
log "Matrix homeserver(s): $(pulumi stack output --stack "$stack" matrixHomeservers --json | tr -d '\n ')"
