# Shared shell helpers; source this, do not run it.
# shellcheck shell=bash
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Slow builds are cached outside the clone so that fresh clones (CI) reuse them.
TOOLS_DIR="${SOVEREIGN_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sovereign}"
# Pinned engine versions: the CLI matches @pulumi/pulumi in package.json (the last release that
# runs on Node 20); the language host is the newest release the module proxy serves (see engine.sh).
PULUMI_VERSION="3.248.0"
LANGHOST_VERSION="3.68.0"
ENGINE_DIR="$TOOLS_DIR/pulumi-v$PULUMI_VERSION"
# Garage (object store) built from crates.io by scripts/garage.sh.
GARAGE_VERSION="2.5.0"

log() { printf '[sovereign] %s\n' "$*" >&2; }
die() { printf '[sovereign] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "'$*' needs root; run it as root or install sudo"
  fi
}

# Installs Debian packages that are missing (by name), updating the index once per call.
ensure_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # Services must not start system-wide on install: the harness runs its own on loopback.
  as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Puts the engine (found or built by engine.sh) first on PATH and selects the local backend.
use_engine() {
  local bin
  bin="$(bash "$REPO_ROOT/scripts/engine.sh" --print-bin-dir)"
  export PATH="$bin:$PATH"
  export PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=1
  export PULUMI_HOME="${PULUMI_HOME:-$TOOLS_DIR/pulumi-home}"
  export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$REPO_ROOT/.state/backend}"
  mkdir -p "$REPO_ROOT/.state/backend"
}
