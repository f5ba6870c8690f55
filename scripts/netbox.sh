#!/usr/bin/env bash
# Installs NetBox for the real-service harness, once per version, into the tools cache:
#   $TOOLS_DIR/netbox-<version>/root     a Debian trixie tree (debootstrap) with Python 3.13 and a
#                                        venv at /opt/venv holding NetBox and its dependencies
#   $TOOLS_DIR/netbox-<version>/wheels   the wheels (downloaded on the host with its pip setup)
# NetBox 4.7 needs Python >= 3.12 and the host has 3.11, hence the tree; it shares the host's
# network, so NetBox inside reaches the harness's PostgreSQL and Redis on loopback. The migrated
# database is made once by the harness (test/harness/netbox.ts) and cached next to the tree.
#
#   scripts/netbox.sh               install if needed (~3 min the first time), print the version
#   scripts/netbox.sh --print-dir   install if needed, print only the cache dir
source "$(dirname "$0")/lib/common.sh"

NETBOX_VERSION="4.7.3"
NETBOX_DIR="$TOOLS_DIR/netbox-$NETBOX_VERSION"
DEBIAN_SUITE="trixie"
mode="${1:-}"

# The Debian mirror of this machine's apt sources (deb822 .sources files or sources.list): the
# first URI that serves the main archive (not -security). Never hard-coded: registries differ.
debian_mirror() {
  local file uri
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    uri="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$file" | grep -v -- '-security' | head -n1)"
    [ -n "$uri" ] && { printf '%s\n' "$uri"; return 0; }
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "$file" |
      grep -v -- '-security' | head -n1)"
    [ -n "$uri" ] && { printf '%s\n' "$uri"; return 0; }
  done
  die "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
}

# Mounts /proc in the tree for the duration of the script (pip and Python want it).
mount_proc() { # <root>
  mountpoint -q "$1/proc" || as_root mount -t proc proc "$1/proc"
  trap 'as_root umount "'"$1"'/proc" 2>/dev/null || true' EXIT
}

# A command in the tree (<root> <command...>) with a clean environment: the host's PIP_* and
# PYTHON* settings do not apply there.
in_tree() {
  local root="$1"
  shift
  as_root chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

make_tree() { # <dir>: debootstrap, ~70 s and ~300 MB
  command -v debootstrap >/dev/null || die "debootstrap is missing: run scripts/services.sh"
  local mirror started=$SECONDS
  mirror="$(debian_mirror)"
  log "NetBox: debootstrap of Debian $DEBIAN_SUITE (minbase, python3) from the apt sources' mirror (first time only; ~70 s)"
  as_root debootstrap --variant=minbase --include=python3,python3-venv "$DEBIAN_SUITE" "$1" "$mirror" \
    >"$NETBOX_DIR/debootstrap.log" 2>&1 || die "debootstrap failed; see $NETBOX_DIR/debootstrap.log"
  log "NetBox: tree made in $((SECONDS - started)) s"
}

download_wheels() { # <dir>: ~100 wheels, ~106 MB, ~25 s
  local dir="$1" started=$SECONDS
  local pip=(python3 -m pip download --quiet --disable-pip-version-check --python-version 3.13
    --only-binary=:all: --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 --platform any --dest "$dir")
  log "NetBox: downloading netbox==$NETBOX_VERSION and its dependencies as Python 3.13 wheels (first time only; ~30 s)"
  rm -rf "$dir" && mkdir -p "$dir"
  "${pip[@]}" --no-deps "netbox==$NETBOX_VERSION"
  # Its Requires-Dist lines without the extras; psycopg's C build has no wheel: use the binary one.
  python3 - "$dir"/netbox-"$NETBOX_VERSION"-*.whl >"$dir/requirements.txt" <<'PY'
import sys, zipfile
wheel = zipfile.ZipFile(sys.argv[1])
meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
for line in wheel.read(meta).decode().splitlines():
    if line.startswith("Requires-Dist:") and "extra ==" not in line:
        print(line.split(":", 1)[1].strip().replace("psycopg[c,pool]", "psycopg[binary,pool]"))
PY
  "${pip[@]}" -r "$dir/requirements.txt"
  log "NetBox: $(find "$dir" -name '*.whl' | wc -l) wheels downloaded in $((SECONDS - started)) s"
}

install_venv() { # <root> <wheels dir>: ~30 s
  local root="$1" started=$SECONDS
  log "NetBox: installing the wheels into a venv in the tree (first time only; ~30 s)"
  rm -rf "$root/tmp/wheels" && cp -r "$2" "$root/tmp/wheels"
  mount_proc "$root"
  {
    in_tree "$root" /usr/bin/python3 -m venv /opt/venv
    in_tree "$root" /opt/venv/bin/pip install --quiet --disable-pip-version-check --no-index \
      --find-links /tmp/wheels -r /tmp/wheels/requirements.txt
    in_tree "$root" /opt/venv/bin/pip install --quiet --disable-pip-version-check --no-index --no-deps \
      /tmp/wheels/netbox-"$NETBOX_VERSION"-py3-none-any.whl
  } >"$NETBOX_DIR/venv.log" 2>&1 || die "pip install in the tree failed; see $NETBOX_DIR/venv.log"
  as_root umount "$root/proc"
  trap - EXIT
  rm -rf "$root/tmp/wheels"
  in_tree "$root" /opt/venv/bin/python -c 'import netbox, django, psycopg' ||
    die "the venv in $root does not import netbox"
  log "NetBox: venv ready in $((SECONDS - started)) s"
}

install_netbox() {
  local started=$SECONDS
  mkdir -p "$NETBOX_DIR"
  # Work in temp names; the rename of root.tmp to root marks a complete install.
  [ -f "$NETBOX_DIR/wheels/.complete" ] || {
    download_wheels "$NETBOX_DIR/wheels.tmp"
    touch "$NETBOX_DIR/wheels.tmp/.complete"
    rm -rf "$NETBOX_DIR/wheels" && mv "$NETBOX_DIR/wheels.tmp" "$NETBOX_DIR/wheels"
  }
  local tmp="$NETBOX_DIR/root.tmp"
  if mountpoint -q "$tmp/proc" 2>/dev/null; then as_root umount "$tmp/proc"; fi
  as_root rm -rf "$tmp"
  make_tree "$tmp"
  install_venv "$tmp" "$NETBOX_DIR/wheels"
  mv "$tmp" "$NETBOX_DIR/root"
  log "NetBox $NETBOX_VERSION installed in $((SECONDS - started)) s ($NETBOX_DIR)"
}

[ -x "$NETBOX_DIR/root/opt/venv/bin/netbox" ] || install_netbox >&2

case "$mode" in
  --print-dir) printf '%s\n' "$NETBOX_DIR" ;;
  *) log "NetBox $NETBOX_VERSION: $NETBOX_DIR" ;;
esac
