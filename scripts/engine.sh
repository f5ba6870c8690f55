#!/usr/bin/env bash
# Finds or builds the Pulumi engine: the CLI, the Node.js language host, and the shim that runs
# dynamic providers. A `pulumi` already on PATH is used as it is. Otherwise everything is built
# from the Go module proxy into .tools/pulumi-v<version>/bin (ignored by git), once per version.
#
#   scripts/engine.sh                 build if needed, then print the versions
#   scripts/engine.sh --print-bin-dir build if needed, then print only the bin dir (for PATH)
#   scripts/engine.sh --rebuild       build even if a cached copy exists
source "$(dirname "$0")/lib/common.sh"

mode="${1:-}"
bin_dir="$ENGINE_DIR/bin"

system_pulumi() {
  [ -z "${SOVEREIGN_BUILD_ENGINE:-}" ] || return 1
  local found
  found="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vF "$TOOLS_DIR" | paste -sd:)" command -v pulumi || true)"
  [ -n "$found" ] && [ -x "$(dirname "$found")/pulumi-language-nodejs" ] && dirname "$found"
}

build_go() { # <module dir> <output> <package>
  ( cd "$1" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w ${4:-}" -o "$2" "$3" )
}

write_dynamic_provider_shim() {
  # The engine starts dynamic providers as the plugin `pulumi-resource-pulumi-nodejs`, in the
  # program's directory; resolve @pulumi/pulumi the way Node does from there.
  cat >"$bin_dir/pulumi-resource-pulumi-nodejs" <<'SHIM'
#!/bin/sh
entry="$(node -p 'require.resolve("@pulumi/pulumi/cmd/dynamic-provider")' 2>/dev/null)" || {
  echo "pulumi-resource-pulumi-nodejs: @pulumi/pulumi is not installed under $(pwd)" >&2; exit 1; }
exec node "$entry" "$@"
SHIM
  chmod +x "$bin_dir/pulumi-resource-pulumi-nodejs"
}

build_engine() {
  command -v go >/dev/null || die "Go is needed to build the Pulumi engine (no 'pulumi' on PATH); install Go >= 1.25"
  mkdir -p "$bin_dir"
  local started=$SECONDS
  log "building the Pulumi CLI v$PULUMI_VERSION from the Go module proxy (first time only; ~10-20 min on 2 cores)"
  build_go "$REPO_ROOT/scripts/engine" "$bin_dir/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  log "building the Node.js language host v$LANGHOST_VERSION"
  build_go "$REPO_ROOT/scripts/engine/langhost" "$bin_dir/pulumi-language-nodejs.tmp" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_VERSION"
  write_dynamic_provider_shim
  mv "$bin_dir/pulumi-language-nodejs.tmp" "$bin_dir/pulumi-language-nodejs"
  mv "$bin_dir/pulumi.tmp" "$bin_dir/pulumi" # last: its presence marks a complete build
  log "engine built in $((SECONDS - started)) s"
}

if [ "$mode" = "--rebuild" ]; then rm -f "$bin_dir/pulumi"; fi

if dir="$(system_pulumi)"; then
  bin_dir="$dir"
elif [ ! -x "$bin_dir/pulumi" ]; then
  build_engine >&2
fi
[ -x "$bin_dir/pulumi-resource-pulumi-nodejs" ] || [ "$bin_dir" != "$ENGINE_DIR/bin" ] || write_dynamic_provider_shim

if [ "$mode" = "--print-bin-dir" ]; then
  printf '%s\n' "$bin_dir"
else
  log "pulumi: $("$bin_dir/pulumi" version) ($bin_dir)"
fi
