/**
 * Where a host runs. Four placements: a Proxmox LXC container or VM (through the Proxmox VE
 * provider), a container on a plain LXC host reached over SSH, or a machine that already exists.
 */
import type { SshTarget } from "./ssh";

export const PLACEMENT_KINDS = ["proxmox-lxc", "proxmox-vm", "lxc", "existing"] as const;
export type PlacementKind = (typeof PLACEMENT_KINDS)[number];

interface Sized {
  readonly cores?: number;
  readonly memoryMiB: number;
  readonly diskGiB: number;
}

interface ProxmoxCommon extends Sized {
  /** The Proxmox node the guest is created on. */
  readonly node: string;
  /** Storage for the root disk; a ZFS storage for replication (e.g. "local-zfs"). */
  readonly storage: string;
  /** The bridge the guest's NIC is on (e.g. "vmbr0"). */
  readonly bridge: string;
  readonly vlanTag?: number;
  /** A fixed VMID; Proxmox picks the next free one otherwise. */
  readonly vmId?: number;
  readonly startOnBoot?: boolean;
}

export interface ProxmoxLxcPlacement extends ProxmoxCommon {
  readonly kind: "proxmox-lxc";
  /** The NixOS container template's volume id, e.g. "local:vztmpl/nixos-24.11-x86_64-linux.tar.xz". */
  readonly template: string;
}

export interface ProxmoxVmPlacement extends ProxmoxCommon {
  readonly kind: "proxmox-vm";
  /** VMID of the NixOS template VM to clone (full clone). */
  readonly cloneFrom: number;
}

export interface LxcPlacement extends Sized {
  readonly kind: "lxc";
  /** The container's name on the LXC host; default the host name. */
  readonly containerName?: string;
  /** The machine with Debian's lxc tools, reached over SSH as root. */
  readonly lxcHost: SshTarget;
  /** lxc-create template and release ("debian"/"bookworm" here; a NixOS image in production). */
  readonly template?: string;
  readonly release?: string;
  /** The bridge on the LXC host that the container's veth joins. */
  readonly bridge: string;
  /** The container's address, with prefix ("10.77.0.10/24"), and the gateway on the bridge. */
  readonly address: string;
  readonly gateway?: string;
}

export interface ExistingPlacement {
  readonly kind: "existing";
  readonly ssh: SshTarget;
  /** "nixos" gets the rendered configuration deployed; "linux" is a PlainHost. */
  readonly os: "nixos" | "linux";
  /**
   * Where the machine keeps the private half of the host key that `ssh.hostKey` pins (default
   * /etc/ssh/ssh_host_ed25519_key): secrets delivered to a plain-Linux host are decrypted with it.
   */
  readonly hostKeyPath?: string;
  readonly memoryMiB?: number;
  readonly diskGiB?: number;
}

export type Placement = ProxmoxLxcPlacement | ProxmoxVmPlacement | LxcPlacement | ExistingPlacement;

/** What a placement makes of the NixOS platform options. */
export function nixosPlatformOf(p: Placement): "lxc" | "vm" | "existing" {
  return p.kind === "proxmox-lxc" || p.kind === "lxc" ? "lxc" : p.kind === "proxmox-vm" ? "vm" : "existing";
}
