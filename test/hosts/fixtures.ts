/** Shared pieces of the hosts tests: a host spec, the harness sshd as an SSH target, the stand-ins. */
import * as fs from "fs";
import * as path from "path";
import type { HostSpec } from "../../sdk/hosts/hostSpec";
import type { SshTarget } from "../../sdk/hosts/ssh";
import type { SshdServiceWithArgs } from "../harness";

export const TEST_KEY =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx0ZXN0a2V5Zm9yc292ZXJlaWdudGVzdHNvbmx5MTIz test@sovereign";

export function webSpec(overrides: Partial<HostSpec> = {}): HostSpec {
  return {
    name: "web1",
    domain: "coop.test",
    ipv4: "192.0.2.10/24",
    gateway4: "192.0.2.1",
    nameservers: ["192.0.2.53"],
    sshKeys: [TEST_KEY],
    apps: [
      { app: "nextcloud", fqdn: "cloud.coop.test" },
      { app: "forgejo", fqdn: "git.coop.test" },
    ],
    datasets: [{ dataset: "tank/apps/nextcloud", mountpoint: "/var/lib/nextcloud" }],
    extraModules: [
      { name: "motd", inline: '{ hostFacts, ... }: { users.motd = "Welcome to ${hostFacts.fqdn}"; }\n' },
    ],
    placement: {
      kind: "proxmox-lxc",
      node: "pve1",
      template: "local:vztmpl/nixos-24.11-x86_64-linux.tar.xz",
      storage: "local-zfs",
      bridge: "vmbr0",
      vlanTag: 20,
      cores: 2,
      memoryMiB: 2048,
      diskGiB: 32,
    },
    ...overrides,
  };
}

/** The harness sshd as an SSH target, its host key pinned from the known_hosts file it wrote. */
export function sshdTarget(sshd: SshdServiceWithArgs): SshTarget {
  const line = fs.readFileSync(sshd.knownHostsPath, "utf8").trim();
  const hostKey = line.split(/\s+/).slice(1, 3).join(" ");
  return { host: sshd.host, port: sshd.port, user: sshd.user, hostKey };
}

export function standin(name: "nixops-standin" | "nixos-rebuild-standin"): string[] {
  return [process.execPath, path.join(__dirname, "..", "standins", `${name}.js`)];
}

export function readLog(file: string): Record<string, unknown>[] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
}
