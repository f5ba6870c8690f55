/**
 * Proxmox VE placements through @muhlba91/pulumi-proxmoxve (the bpg provider). The argument
 * builders are pure, so tests can assert every input a real Proxmox needs; the plugin itself only
 * runs where it can be downloaded (under `pulumi.runtime.setMocks` in this project's tests).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ContainerLegacyArgs } from "@muhlba91/pulumi-proxmoxve/containerLegacy";
import type { VmLegacyArgs } from "@muhlba91/pulumi-proxmoxve/vmLegacy";
import { HostSpec, parseCidr } from "./hostSpec";
import type { ProxmoxLxcPlacement, ProxmoxVmPlacement } from "./placement";

/** Who owns the guest, written into its description and tags (Proxmox has no other metadata). */
export interface GuestOwner {
  /** The Pulumi project. */
  readonly project: string;
  /** The stack. */
  readonly stack: string;
  /** The resource's name. */
  readonly resource: string;
}

/** The Proxmox tag that marks a guest as owned by `owner` (Proxmox tags allow only a few characters). */
export function ownerTag(owner: GuestOwner): string {
  // Proxmox tags: [a-z0-9_+.-]
  return `sovereign-${owner.project}-${owner.stack}`.toLowerCase().replace(/[^a-z0-9_+.-]/g, "-");
}

function description(spec: HostSpec, owner: GuestOwner): string {
  return `${spec.name}.${spec.domain}, managed by sovereign (owner: ${owner.project}/${owner.stack}/${owner.resource}); changes here are overwritten`;
}

function ipConfig(spec: HostSpec) {
  const v4 = parseCidr(spec.ipv4, 4);
  const v6 = spec.ipv6 ? parseCidr(spec.ipv6, 6) : undefined;
  return {
    ipv4: {
      address: `${v4?.address}/${v4?.prefixLength}`,
      ...(spec.gateway4 ? { gateway: spec.gateway4 } : {}),
    },
    ...(v6
      ? {
          ipv6: {
            address: `${v6.address}/${v6.prefixLength}`,
            ...(spec.gateway6 ? { gateway: spec.gateway6 } : {}),
          },
        }
      : {}),
  };
}

/** An unprivileged NixOS container with nesting (systemd in NixOS containers needs it). */
export function proxmoxLxcArgs(
  spec: HostSpec,
  p: ProxmoxLxcPlacement,
  owner: GuestOwner,
  protect: boolean,
): ContainerLegacyArgs {
  return {
    nodeName: p.node,
    ...(p.vmId !== undefined ? { vmId: p.vmId } : {}),
    description: description(spec, owner),
    tags: ["sovereign", ownerTag(owner)],
    unprivileged: true,
    features: { nesting: true },
    operatingSystem: { templateFileId: p.template, type: "nixos" },
    cpu: { cores: p.cores ?? 1 },
    memory: { dedicated: p.memoryMiB, swap: 0 },
    disk: { datastoreId: p.storage, size: p.diskGiB },
    networkInterfaces: [
      { name: "eth0", bridge: p.bridge, ...(p.vlanTag !== undefined ? { vlanId: p.vlanTag } : {}) },
    ],
    initialization: {
      hostname: spec.name,
      ipConfigs: [ipConfig(spec)],
      dns: { domain: spec.domain, ...(spec.nameservers?.length ? { servers: [...spec.nameservers] } : {}) },
      userAccount: { keys: spec.sshKeys.map((k) => k.trim()) },
    },
    startOnBoot: p.startOnBoot ?? true,
    started: true,
    protection: protect,
  };
}

/** A full clone of a NixOS template VM, with cloud-init for address and keys and the guest agent on. */
export function proxmoxVmArgs(
  spec: HostSpec,
  p: ProxmoxVmPlacement,
  owner: GuestOwner,
  protect: boolean,
): VmLegacyArgs {
  return {
    nodeName: p.node,
    name: spec.name,
    ...(p.vmId !== undefined ? { vmId: p.vmId } : {}),
    description: description(spec, owner),
    tags: ["sovereign", ownerTag(owner)],
    clone: { vmId: p.cloneFrom, full: true, datastoreId: p.storage },
    agent: { enabled: true },
    cpu: { cores: p.cores ?? 1, type: "x86-64-v2-AES" },
    memory: { dedicated: p.memoryMiB },
    disks: [{ interface: "scsi0", datastoreId: p.storage, size: p.diskGiB }],
    networkDevices: [
      { bridge: p.bridge, model: "virtio", ...(p.vlanTag !== undefined ? { vlanId: p.vlanTag } : {}) },
    ],
    operatingSystem: { type: "l26" },
    initialization: {
      datastoreId: p.storage,
      ipConfigs: [ipConfig(spec)],
      dns: { domain: spec.domain, ...(spec.nameservers?.length ? { servers: [...spec.nameservers] } : {}) },
      userAccount: { username: "root", keys: spec.sshKeys.map((k) => k.trim()) },
    },
    onBoot: p.startOnBoot ?? true,
    started: true,
    protection: protect,
  };
}

/** Creates the Proxmox guest. The provider package is loaded here, so sites without Proxmox never need it. */
export function createProxmoxGuest(
  name: string,
  spec: HostSpec,
  owner: GuestOwner,
  protect: boolean,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const proxmox = require("@muhlba91/pulumi-proxmoxve") as typeof import("@muhlba91/pulumi-proxmoxve");
  const p = spec.placement;
  const withProtect = { ...opts, protect };
  if (p.kind === "proxmox-lxc")
    return new proxmox.ContainerLegacy(
      `${name}-container`,
      proxmoxLxcArgs(spec, p, owner, protect),
      withProtect,
    );
  if (p.kind === "proxmox-vm")
    return new proxmox.VmLegacy(`${name}-vm`, proxmoxVmArgs(spec, p, owner, protect), withProtect);
  throw new Error(`host ${spec.name}: placement "${p.kind}" is not a Proxmox placement`);
}
