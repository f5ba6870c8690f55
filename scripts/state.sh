#!/usr/bin/env bash
# `npm run state -- bootstrap [--bucket NAME]`: Pulumi state on the cooperative's own Garage.
# Makes a state bucket + key with this SDK and prints the `pulumi login s3://...` URL (see README).
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh
npx tsc -p tsconfig.json
use_engine
exec node bin/sdk/storage/stateCli.js "$@"
