#!/usr/bin/env bash
# Installs Matrix Synapse (from PyPI, with its PostgreSQL driver) into a venv cached outside the
# clone, keyed by version, and prints the venv's directory. Never rebuilt while complete; a build
# that stopped half-way has no .complete marker and is started over.
#
#   scripts/synapse.sh            install if missing, print the venv dir
source "$(dirname "$0")/lib/common.sh"

SYNAPSE_VERSION="${SYNAPSE_VERSION:-1.163.2}"
dir="$TOOLS_DIR/synapse-$SYNAPSE_VERSION"
mkdir -p "$TOOLS_DIR"
exec 9>"$TOOLS_DIR/synapse.lock"
flock 9
if [ ! -f "$dir/.complete" ]; then
  # psycopg2 compiles against libpq: needs pg_config (libpq-dev) and a C compiler.
  ensure_debs libpq-dev python3-venv gcc
  rm -rf "$dir"
  mkdir -p "$dir"
  log "installing Synapse $SYNAPSE_VERSION into $dir/venv (about 1-2 minutes: pip download + psycopg2 build; log: $dir/build.log)"
  "${SYNAPSE_PYTHON:-python3}" -m venv "$dir/venv"
  if ! "$dir/venv/bin/pip" install --disable-pip-version-check "matrix-synapse[postgres]==$SYNAPSE_VERSION" >"$dir/build.log" 2>&1; then
    tail -20 "$dir/build.log" >&2
    die "pip install matrix-synapse $SYNAPSE_VERSION failed (full log: $dir/build.log)"
  fi
  touch "$dir/.complete"
  log "Synapse $SYNAPSE_VERSION installed"
fi
echo "$dir/venv"
