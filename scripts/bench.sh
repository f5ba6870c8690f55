#!/usr/bin/env bash
# Benchmarks (`npm run bench -- [name...]`): each compares our implementation with a baseline in
# the same run and prints both and their ratio. Names: the files test/bench/<name>.bench.ts.
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

bash scripts/setup.sh
rm -rf bin && npx tsc -p tsconfig.json
use_engine

names=("$@")
if [ "${#names[@]}" -eq 0 ]; then
  for f in test/bench/*.bench.ts; do names+=("$(basename "$f" .bench.ts)"); done
fi
for name in "${names[@]}"; do
  [ -f "bin/test/bench/$name.bench.js" ] || die "no benchmark '$name' (have: $(ls test/bench | sed 's/.bench.ts//' | paste -sd' '))"
  log "benchmark: $name"
  node "bin/test/bench/$name.bench.js"
done
