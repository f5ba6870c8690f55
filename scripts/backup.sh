#!/usr/bin/env bash
# `npm run backup -- <stack> <file> ...` and `npm run restore -- <file> --as <new-stack> ...`:
# a site as one archive file, and that archive deployed as a new stack (see README, "Backups").
source "$(dirname "$0")/lib/common.sh"
mode="$1"
shift
cd "$REPO_ROOT"
npx tsc -p tsconfig.json
use_engine
exec node bin/sdk/backup/cli.js "$mode" "$@"
