#!/usr/bin/env bash
# `npm run gen:garage`: regenerates the Garage admin API types (providers/garage/generated/) from
# the OpenAPI document of the Garage the harness runs (`garage admin-api-schema`, pinned version
# in scripts/lib/common.sh), with openapi-typescript. Commit both generated files.
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

out=providers/garage/generated
bin="$(bash scripts/garage.sh --print-bin)"
"$bin" admin-api-schema >"$out/garage-admin-v2.json.tmp"
mv "$out/garage-admin-v2.json.tmp" "$out/garage-admin-v2.json"
npx openapi-typescript "$out/garage-admin-v2.json" -o "$out/admin-v2.ts"
log "regenerated $out from Garage v$GARAGE_VERSION's own OpenAPI document"
