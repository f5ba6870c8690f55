/**
 * Where a host runs. Four placements: a Proxmox LXC container or VM (through the Proxmox VE
 * provider), a container on a plain LXC host reached over SSH, or a machine that already exists.
 */
import type { SshTarget } from "./ssh";

/** Where a host can run: a Proxmox LXC container or VM, a local LXC container, or an existing machine. */
export const PLACEMENT_KINDS = ["proxmox-lxc", "proxmox-vm", "lxc", "existing"] as const;
/** One of {@link PLACEMENT_KINDS}. */
export type PlacementKind = (typeof PLACEMENT_KINDS)[number];

interface Sized {
  /** CPU cores; default 1. */
  readonly cores?: number;
  /** Memory in MiB. */
  readonly memoryMiB: number;
  /** Root disk size in GiB. */
  readonly diskGiB: number;
}

interface ProxmoxCommon extends Sized {
  /** The Proxmox node the guest is created on. */
  readonly node: string;
  /** Storage for the root disk; a ZFS storage for replication (e.g. "local-zfs"). */
  readonly storage: string;
  /** The bridge the guest's NIC is on (e.g. "vmbr0"). */
  readonly bridge: string;
  /** The VLAN tag of the guest's network interface; none by default. */
  readonly vlanTag?: number;
  /** A fixed VMID; Proxmox picks the next free one otherwise. */
  readonly vmId?: number;
  /** Start the guest when the Proxmox node boots; default true. */
  readonly startOnBoot?: boolean;
}

/** A container on a Proxmox node. */
export interface ProxmoxLxcPlacement extends ProxmoxCommon {
  /** Always "proxmox-lxc". */
  readonly kind: "proxmox-lxc";
  /** The NixOS container template's volume id, e.g. "local:vztmpl/nixos-24.11-x86_64-linux.tar.xz". */
  readonly template: string;
}

/** A virtual machine on a Proxmox node. */
export interface ProxmoxVmPlacement extends ProxmoxCommon {
  /** Always "proxmox-vm". */
  readonly kind: "proxmox-vm";
  /** VMID of the NixOS template VM to clone (full clone). */
  readonly cloneFrom: number;
}

/** An LXC container on a host this machine manages. */
export interface LxcPlacement extends Sized {
  /** Always "lxc". */
  readonly kind: "lxc";
  /** The container's name on the LXC host; default the host name. */
  readonly containerName?: string;
  /** The machine with Debian's lxc tools, reached over SSH as root. */
  readonly lxcHost: SshTarget;
  /** lxc-create template and release ("debian"/"bookworm" here; a NixOS image in production). */
  readonly template?: string;
  /** The distribution release of the container image; default the SDK's tested one. */
  readonly release?: string;
  /** The bridge on the LXC host that the container's veth joins. */
  readonly bridge: string;
  /** The container's address, with prefix ("10.77.0.10/24"), and the gateway on the bridge. */
  readonly address: string;
  /** The IPv4 gateway of the container's network. */
  readonly gateway?: string;
}

/** A machine that already exists and is reached over SSH. */
export interface ExistingPlacement {
  /** Always "existing". */
  readonly kind: "existing";
  /** How to reach it. */
  readonly ssh: SshTarget;
  /** "nixos" gets the rendered configuration deployed; "linux" is a PlainHost. */
  readonly os: "nixos" | "linux";
  /**
   * Where the machine keeps the private half of the host key that `ssh.hostKey` pins (default
   * /etc/ssh/ssh_host_ed25519_key): secrets delivered to a plain-Linux host are decrypted with it.
   */
  readonly hostKeyPath?: string;
  /** Its memory in MiB, for the placement check. */
  readonly memoryMiB?: number;
  /** Its disk in GiB, for the placement check. */
  readonly diskGiB?: number;
}

/** Where a host runs. */
export type Placement = ProxmoxLxcPlacement | ProxmoxVmPlacement | LxcPlacement | ExistingPlacement;

/** What a placement makes of the NixOS platform options. */
export function nixosPlatformOf(p: Placement): "lxc" | "vm" | "existing" {
  return p.kind === "proxmox-lxc" || p.kind === "lxc" ? "lxc" : p.kind === "proxmox-vm" ? "vm" : "existing";
}
