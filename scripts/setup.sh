#!/usr/bin/env bash
# Installs everything the project needs, idempotently: npm packages (from the lockfile), the
# Debian packages of the real services, then, in parallel, the slow builds cached outside the clone
# (Pulumi engine, Garage, NetBox tree, Keycloak, Synapse venv). Cheap when everything is there.
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

command -v node >/dev/null || die "Node.js >= 20.19 is needed"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci, ~1 min)"
  npm ci --no-audit --no-fund --loglevel=error
fi
# Debian packages first and once: the builds below must not run apt-get at the same time.
bash scripts/services.sh

# Independent slow set-ups run side by side; each prints its own progress lines (first time only:
# engine ~5 min, Garage ~5 min, NetBox tree ~3 min, Keycloak ~2.5 min, Synapse venv ~1 min on an
# idle 2-core machine). Their output goes to .state/setup/<name>.log as well.
mkdir -p .state/setup
declare -A jobs=()
for step in engine garage netbox keycloak synapse; do
  ( bash "scripts/$step.sh" >".state/setup/$step.out" 2> >(tee ".state/setup/$step.log" >&2) ) &
  jobs[$step]=$!
done
failed=()
for step in "${!jobs[@]}"; do
  wait "${jobs[$step]}" || failed+=("$step")
done
for step in "${failed[@]}"; do
  log "set-up step '$step' failed; its log (.state/setup/$step.log) ends with:"
  tail -n 20 ".state/setup/$step.log" >&2
done
[ "${#failed[@]}" -eq 0 ] || die "set-up failed: ${failed[*]}"
