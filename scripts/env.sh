#!/usr/bin/env bash
# Starts and stops the real services that tests and the demo use, on loopback, in the background.
# They keep running after this script exits; endpoints and credentials go to .state/env.json.
#
#   scripts/env.sh up powerdns zfs postgres sshd   install what is missing, start these services
#   scripts/env.sh status                          what is recorded and whether it still runs
#   scripts/env.sh down [service...]               stop everything recorded (or the named ones);
#                                                  PowerDNS keeps its data and ports (.state/services)
#   scripts/env.sh wipe [service...]               stop and delete the services' data too
source "$(dirname "$0")/lib/common.sh"

cli="$REPO_ROOT/bin/test/harness/cli.js"

[ "${1:-}" = up ] && bash "$REPO_ROOT/scripts/services.sh"

if [ ! -f "$cli" ] || [ -n "$(find "$REPO_ROOT/test/harness" -name '*.ts' -newer "$cli" -print -quit)" ]; then
  log "building (tsc)"
  # Type errors elsewhere in the tree must not block the harness: tsc still emits, check the result.
  (cd "$REPO_ROOT" && npx tsc -p tsconfig.json) >&2 || [ -f "$cli" ] || die "build failed: no $cli"
fi

exec node "$cli" "$@"
