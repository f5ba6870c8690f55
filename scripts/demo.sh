#!/usr/bin/env bash
# The main job on the embedded local defaults: installs what is missing, starts the local services
# (PowerDNS on loopback), applies the `local` site stack with the real Pulumi engine and prints
# its outputs. Run it again: the second `up` changes nothing. `npm run env -- down` stops the services.
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

bash scripts/setup.sh
rm -rf bin && npx tsc -p tsconfig.json
bash scripts/env.sh up powerdns
use_engine
# The local stack's secrets are encrypted with this passphrase unless you set your own.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-sovereign-local-demo}"

stack=local
pulumi stack select "$stack" --non-interactive 2>/dev/null || pulumi stack init "$stack" --non-interactive
# The providers read the PowerDNS API key from the stack config (a secret). The local server's key
# lives in .state/env.json; it goes into a copy of the tracked stack file under .state/ (rewritten
# every run, never committed), so stacks/Pulumi.local.yaml stays clean. Every pulumi command on
# this stack takes that copy: --config-file .state/Pulumi.local.yaml
run_config="$REPO_ROOT/.state/Pulumi.$stack.yaml"
cp "stacks/Pulumi.$stack.yaml" "$run_config"
node -e 'const e = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  process.stdout.write(e.services.powerdns.credentials.apiKey)' "${SOVEREIGN_ENV_STATE:-$REPO_ROOT/.state/env.json}" |
  pulumi config set --secret sovereign:powerdnsApiKey --stack "$stack" --config-file "$run_config"
# --refresh: the local services may have been restarted (new ports, empty data) since the last run.
pulumi up --stack "$stack" --config-file "$run_config" --yes --non-interactive --refresh
log "outputs of stack '$stack':"
pulumi stack output --stack "$stack" --json
