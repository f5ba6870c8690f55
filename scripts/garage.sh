#!/usr/bin/env bash
# Finds or builds the Garage object store (https://garagehq.deuxfleurs.fr) that the harness runs.
# A `garage` already on PATH with the pinned version is used as it is. Otherwise it is built once
# from crates.io into $TOOLS_DIR/garage-<version>-<profile>/bin (outside the clone, keyed by
# version and build profile). A debug build takes ~5 min on 2 cores (a release build with LTO, 15+),
# but Garage checks the admin token with Argon2 on every admin API request, and unoptimized Argon2
# costs ~0.45 s of CPU per request: the profile optimizes the Argon2/BLAKE2 crates only (opt-level
# 3), which makes admin requests take milliseconds for a few seconds more of build.
#
#   scripts/garage.sh                 build if needed, then print the version
#   scripts/garage.sh --print-bin     build if needed, then print only the binary's path
#   scripts/garage.sh --rebuild       build even if a cached copy exists
source "$(dirname "$0")/lib/common.sh"

mode="${1:-}"
GARAGE_PROFILE="debug-argon2o3"
GARAGE_DIR="$TOOLS_DIR/garage-$GARAGE_VERSION-$GARAGE_PROFILE"
bin="$GARAGE_DIR/bin/garage"

system_garage() {
  [ -z "${SOVEREIGN_BUILD_GARAGE:-}" ] || return 1
  local found
  found="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vF "$TOOLS_DIR" | paste -sd:)" command -v garage || true)"
  [ -n "$found" ] && "$found" --version 2>/dev/null | grep -qE "(v|cargo:)${GARAGE_VERSION//./\\.}\b" && printf '%s\n' "$found"
}

build_garage() {
  command -v cargo >/dev/null || die "Rust (cargo) is needed to build Garage (no 'garage' v$GARAGE_VERSION on PATH); install Rust >= 1.80"
  local started=$SECONDS staging="$GARAGE_DIR.partial"
  log "building Garage v$GARAGE_VERSION from crates.io (first time only; ~5-6 min on 2 cores, debug profile, Argon2 optimized)"
  rm -rf "$staging"
  mkdir -p "$staging"
  cargo install garage --version "$GARAGE_VERSION" --locked --debug --root "$staging" --quiet \
    --config 'profile.dev.package.argon2.opt-level=3' --config 'profile.dev.package.blake2.opt-level=3' \
    --config 'profile.dev.package.password-hash.opt-level=3'
  mkdir -p "$GARAGE_DIR/bin"
  mv "$staging/bin/garage" "$bin.tmp"
  mv "$bin.tmp" "$bin" # last: its presence marks a complete build
  rm -rf "$staging"
  log "Garage built in $((SECONDS - started)) s"
}

if [ "$mode" = "--rebuild" ]; then rm -f "$bin"; fi

if found="$(system_garage)"; then
  bin="$found"
elif [ ! -x "$bin" ]; then
  # One build at a time (a test's harness and setup.sh may both find it missing): the second
  # waits here and then finds the first's binary.
  mkdir -p "$TOOLS_DIR"
  exec 9>"$TOOLS_DIR/garage.lock"
  flock 9
  [ -x "$bin" ] || build_garage >&2
fi

if [ "$mode" = "--print-bin" ]; then
  printf '%s\n' "$bin"
else
  log "garage: $("$bin" --version 2>/dev/null | head -1) ($bin)"
fi
