#!/usr/bin/env bash
# Installs everything the project needs, idempotently: npm packages (from the lockfile), the
# Pulumi engine (found on PATH or built once into the cache), and the Debian packages of the
# real services the tests and the demo run. Cheap when everything is already there.
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

command -v node >/dev/null || die "Node.js >= 20.19 is needed"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
bash scripts/engine.sh
bash scripts/garage.sh
[ ! -f scripts/services.sh ] || bash scripts/services.sh
[ ! -f scripts/netbox.sh ] || bash scripts/netbox.sh
[ ! -f scripts/keycloak.sh ] || bash scripts/keycloak.sh
