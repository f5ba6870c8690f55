#!/usr/bin/env bash
# `npm run state -- bootstrap [--bucket NAME]`: Pulumi state on the cooperative's own Garage.
# Makes a state bucket + key with this SDK and prints the `pulumi login s3://...` URL (see README).
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh
npx tsc -p tsconfig.json
use_engine
# Secrets of the bootstrap stack (its admin token, the key) are encrypted with this passphrase.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-sovereign-local-demo}"
exec node bin/sdk/storage/stateCli.js "$@"
