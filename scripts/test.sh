#!/usr/bin/env bash
# The test command (`npm test`, `npm run test:<suite>`): installs what is missing, lints (full run
# only), builds, then runs mocha over the compiled tests. Each test starts the real services it
# needs through the harness (test/harness) and stops them again.
#
#   scripts/test.sh [suite...]   suites: unit engine harness powerdns zfs garage netbox hosts apps identity mail migration package panel (default: everything)
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

bash scripts/setup.sh
if [ "$#" -eq 0 ]; then npm run --silent lint; fi
# The API reference (typedoc.json): every exported symbol documented, or the build fails on the warning.
if [ "$#" -eq 0 ] || [[ " $* " == *" package "* ]]; then npm run --silent docs; fi
rm -rf bin && npx tsc -p tsconfig.json
use_engine

specs=()
for suite in "${@:-all}"; do
  case "$suite" in
    all) specs+=("bin/test/**/*.test.js") ;;
    unit) specs+=("bin/test/unit/**/*.test.js") ;;
    engine) specs+=("bin/test/e2e/**/*.test.js") ;;
    harness) specs+=("bin/test/harness/**/*.test.js") ;;
    powerdns) specs+=("bin/test/unit/powerdns/**/*.test.js" "bin/test/providers/powerdns/**/*.test.js") ;;
    zfs) specs+=("bin/test/unit/replication/**/*.test.js" "bin/test/replication/**/*.test.js") ;;
    mail) specs+=("bin/test/unit/mail/**/*.test.js" "bin/test/mail/**/*.test.js") ;;
    garage) specs+=("bin/test/unit/garage/**/*.test.js" "bin/test/unit/storage/**/*.test.js" "bin/test/providers/garage/**/*.test.js") ;;
    netbox) specs+=("bin/test/unit/netbox/**/*.test.js" "bin/test/providers/netbox/**/*.test.js") ;;
    hosts) specs+=("bin/test/unit/hosts/**/*.test.js" "bin/test/nix/**/*.test.js" "bin/test/hosts/**/*.test.js") ;;
    apps) specs+=("bin/test/unit/apps/**/*.test.js" "bin/test/unit/secrets/**/*.test.js" "bin/test/unit/localservice/**/*.test.js" "bin/test/apps/**/*.test.js" "bin/test/unit/postgresql/**/*.test.js" "bin/test/providers/postgresql/**/*.test.js") ;;
    migration) specs+=("bin/test/unit/migration/**/*.test.js" "bin/test/migration/**/*.test.js") ;;
    identity) specs+=("bin/test/unit/identity/**/*.test.js" "bin/test/unit/site/identity.test.js" "bin/test/providers/keycloak/**/*.test.js" "bin/test/secrets/**/*.test.js") ;;
    package) specs+=("bin/test/package/**/*.test.js") ;;
    panel) specs+=("bin/test/unit/panel/**/*.test.js" "bin/test/panel/**/*.test.js") ;;
    *) die "unknown test suite '$suite' (known: unit engine harness powerdns zfs garage netbox hosts apps identity mail migration package panel)" ;;
  esac
done

export SOVEREIGN_TEST_SUMMARY="${SOVEREIGN_TEST_SUMMARY:-$REPO_ROOT/.state/test-summary.json}"
rm -f "$SOVEREIGN_TEST_SUMMARY"
npx mocha "${specs[@]}"
