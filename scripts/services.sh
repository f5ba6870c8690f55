#!/usr/bin/env bash
# Installs the Debian packages behind the real-service harness (test/harness/), if missing.
# Idempotent and silent when everything is present. The harness runs its own servers on loopback
# ports, so installing must leave no system-wide PowerDNS, PostgreSQL, sshd or zfs-fuse running:
# a policy-rc.d forbids starting them, and any instance that still came up is stopped again.
source "$(dirname "$0")/lib/common.sh"

SERVICE_DEBS=(pdns-server pdns-backend-sqlite3 sqlite3 zfs-fuse postgresql openssh-server openssh-client
  bind9-dnsutils rsync rclone debootstrap redis-server nix-bin lxc lxc-templates age
  libpq-dev python3-venv gcc maven unzip)
# Mail (issue 12): Postfix, Cyrus IMAP + SASL, OpenDKIM, and the clients the mail tests use.
SERVICE_DEBS+=(postfix cyrus-imapd sasl2-bin opendkim opendkim-tools swaks python3-dkim libpam-pwdfile)
# swaks needs these for STARTTLS and AUTH (Debian only recommends them).
SERVICE_DEBS+=(libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl)
POLICY_RC=/usr/sbin/policy-rc.d

missing_debs() {
  local pkg
  for pkg in "${SERVICE_DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

pid_in_file_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# PowerDNS run with its packaged config: no --config-dir (the harness always passes one).
system_pdns_pids() {
  local pid
  for pid in $(pgrep -x pdns_server || true); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- '--config-dir=' || echo "$pid"
  done
}

# The system-wide instances that run right now, one name a line.
system_instances() {
  pid_in_file_alive /run/sshd.pid && echo ssh
  [ -x /etc/init.d/postgresql ] && /etc/init.d/postgresql status >/dev/null 2>&1 && echo postgresql
  pid_in_file_alive /var/run/zfs-fuse.pid && echo zfs-fuse
  [ -n "$(system_pdns_pids)" ] && echo pdns
  return 0
}

stop_system_instance() {
  log "stopping the system-wide $1 that the package install started"
  case "$1" in
    pdns) system_pdns_pids | xargs -r kill ;;
    *) as_root "/etc/init.d/$1" stop >/dev/null ;;
  esac
}

[ -z "$(missing_debs)" ] && exit 0

running_before="$(system_instances)"
temporary_policy=""
if [ ! -e "$POLICY_RC" ]; then
  temporary_policy=1
  printf '#!/bin/sh\n# sovereign scripts/services.sh: no service starts during install\nexit 101\n' |
    as_root tee "$POLICY_RC" >/dev/null
  as_root chmod 755 "$POLICY_RC"
  trap 'as_root rm -f "$POLICY_RC"' EXIT
fi

# shellcheck disable=SC2046 # one package name a word
ensure_debs $(missing_debs)

for instance in $(system_instances); do
  grep -qx "$instance" <<<"$running_before" || stop_system_instance "$instance"
done
[ -z "$temporary_policy" ] || { as_root rm -f "$POLICY_RC"; trap - EXIT; }
