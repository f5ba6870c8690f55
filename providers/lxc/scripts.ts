/**
 * The shell run on an LXC host (Debian's lxc tools), over SSH, one script per operation. Values
 * arrive as positional arguments, never spliced into the script text.
 */

/** Reads the Debian mirror from the LXC host's own apt sources (deb822 or one-line format). */
const MIRRORS = `
uris() {
  { grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | sed 's/^URIs:[[:space:]]*//' | tr ' ' '\\n'
    grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | sed -E 's/^deb[[:space:]]+(\\[[^]]*\\][[:space:]]+)?//' | cut -d' ' -f1
  } | grep -E '^https?://'
}
MIRROR="\${MIRROR:-$(uris | grep -v security | head -n1)}"
SECURITY_MIRROR="\${SECURITY_MIRROR:-$(uris | grep security | head -n1)}"
[ -n "$MIRROR" ] || { echo "no Debian mirror found in /etc/apt/sources.list(.d) on $(hostname)" >&2; exit 3; }
export MIRROR SECURITY_MIRROR
`;

/** owner of an existing container: prints "absent", "owner:<id>" or "unowned". */
export const OWNER_OF = `
set -eu
name="$1"
if ! lxc-info -n "$name" >/dev/null 2>&1; then echo absent; exit 0; fi
f="/var/lib/lxc/$name/sovereign-owner"
if [ -f "$f" ]; then echo "owner:$(cat "$f")"; else echo unowned; fi
`;

/**
 * create NAME TEMPLATE RELEASE CONFIG_FILE KEYS_FILE OWNER: lxc-create (rootfs cached by the
 * template in /var/cache/lxc), owner marker, root's keys, LXC-managed eth0, start, print host key.
 */
export const CREATE = `
set -eu
name="$1"; template="$2"; release="$3"; config="$4"; keys="$5"; owner="$6"
${MIRRORS}
if ! lxc-info -n "$name" >/dev/null 2>&1; then
  lxc-create -n "$name" -f "$config" -t "$template" -- -r "$release" >/var/tmp/sovereign-lxc-create-$name.log 2>&1 || {
    tail -n 20 /var/tmp/sovereign-lxc-create-$name.log >&2; exit 4; }
fi
printf '%s\\n' "$owner" > "/var/lib/lxc/$name/sovereign-owner"
root="/var/lib/lxc/$name/rootfs"
install -d -m 700 "$root/root/.ssh"
install -m 600 "$keys" "$root/root/.ssh/authorized_keys"
if [ -f "$root/etc/network/interfaces" ]; then
  printf 'auto lo\\niface lo inet loopback\\n\\n# eth0 is configured by LXC (lxc.net.0.ipv4.*)\\nauto eth0\\niface eth0 inet manual\\n' > "$root/etc/network/interfaces"
fi
rm -f "$config" "$keys"
if [ "$(lxc-info -n "$name" -sH)" != RUNNING ]; then lxc-start -n "$name" -d; fi
lxc-wait -n "$name" -s RUNNING -t 30
cat "$root/etc/ssh/ssh_host_ed25519_key.pub"
`;

/** update-keys NAME KEYS_FILE */
export const UPDATE_KEYS = `
set -eu
install -m 600 "$2" "/var/lib/lxc/$1/rootfs/root/.ssh/authorized_keys"; rm -f "$2"
`;

/** state NAME: RUNNING/STOPPED/... or "absent", then the host key line. */
export const STATE = `
set -eu
if ! lxc-info -n "$1" >/dev/null 2>&1; then echo absent; exit 0; fi
lxc-info -n "$1" -sH
cat "/var/lib/lxc/$1/rootfs/etc/ssh/ssh_host_ed25519_key.pub" 2>/dev/null || true
`;

/** destroy NAME */
export const DESTROY = `
set -eu
lxc-stop -n "$1" -k >/dev/null 2>&1 || true
lxc-destroy -n "$1"
`;
