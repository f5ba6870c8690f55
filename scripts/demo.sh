#!/usr/bin/env bash
# The main job on the embedded local defaults: installs what is missing, starts the local services
# (PowerDNS on loopback), applies the `local` site stack with the real Pulumi engine and prints
# its outputs. Run it again: the second `up` changes nothing. `npm run env -- down` stops the services
# and keeps their data and ports (.state/services), so the next demo finds everything as it was.
#
#   npm run demo -- --reset   start the local site from scratch: forget the stack AND wipe the
#                             services' data, together (never one without the other)
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

reset=""
for arg in "$@"; do
  case "$arg" in
    --reset) reset=1 ;;
    *) die "unknown option '$arg' (known: --reset)" ;;
  esac
done

bash scripts/setup.sh
rm -rf bin && npx tsc -p tsconfig.json
bash scripts/env.sh up powerdns
use_engine
# The local stack's secrets are encrypted with this passphrase unless you set your own.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-sovereign-local-demo}"

stack=local
if [ -n "$reset" ]; then
  bash scripts/reset-local.sh "$stack"
  bash scripts/env.sh up powerdns
fi
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
