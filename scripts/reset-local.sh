#!/usr/bin/env bash
# Forgets the local site's stack and wipes the local services' data, together: a stack whose
# records are gone, or records no stack knows, are both worse than either state. Order: stop the
# services (their data stays), forget the stack (if that fails, nothing is wiped: run it again),
# then delete the data. Called by `npm run demo -- --reset`; expects the engine on PATH.
#
#   scripts/reset-local.sh [stack]   (default: local)
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

stack="${1:-local}"
log "reset: stopping the local services"
bash scripts/env.sh down
if pulumi stack select "$stack" --non-interactive >/dev/null 2>&1; then
  log "reset: forgetting stack '$stack' (its resources lived only in the local services' data)"
  # --preserve-config keeps stacks/Pulumi.$stack.yaml (the site's config is not state).
  pulumi stack rm "$stack" --yes --force --preserve-config --non-interactive >&2
fi
log "reset: deleting the local services' data"
bash scripts/env.sh wipe
