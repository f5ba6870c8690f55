#!/usr/bin/env bash
# `npm run state -- bootstrap [--bucket NAME]`: Pulumi state on the cooperative's own Garage.
# Makes a state bucket + key with this SDK and prints the `pulumi login s3://...` URL (see README).
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh
npx tsc -p tsconfig.json
use_engine
# Secrets of the bootstrap stack (Garage's admin token, the state bucket's key) are encrypted with
# your passphrase (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE); without one, with a
# random passphrase made once and kept beside the bootstrap stack, readable by you only. Never a
# well-known one: this stack holds the keys to every site's state.
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  passphrase_file="$REPO_ROOT/.state/state-bootstrap.passphrase"
  if [ ! -s "$passphrase_file" ]; then
    mkdir -p "$REPO_ROOT/.state"
    (umask 077 && head -c 32 /dev/urandom | base64 >"$passphrase_file.tmp") && mv "$passphrase_file.tmp" "$passphrase_file"
    echo "state: made a passphrase for the bootstrap stack's secrets in $passphrase_file (mode 0600); keep it with the stack" >&2
  fi
  export PULUMI_CONFIG_PASSPHRASE_FILE="$passphrase_file"
fi
exec node bin/sdk/storage/stateCli.js "$@"
