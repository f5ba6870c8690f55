/**
 * NixOSHost: a host with a lifecycle, a rendered NixOS configuration and a deployer. It validates
 * its spec before declaring anything, creates the guest its placement names (Proxmox LXC/VM, an
 * LXC container on a plain LXC host, or nothing for an existing machine), publishes A/AAAA in the
 * site's zone, waits (bounded) until SSH answers with the expected host key, and hands the
 * rendered files to its deployer. `configurationHash` changes whenever the configuration does, so
 * `pulumi preview` shows a configuration change as a diff.
 */
import * as pulumi from "@pulumi/pulumi";
import { LxcContainer } from "../../providers/lxc/resources";
import { resourceOwner as ownerId } from "../../providers/shared/resourceOwner";
import { SshReachable } from "../../providers/hosts/resources";
import type { DnsZone } from "../dns/dnsZone";
import { sshfpRecords } from "../dns/sshfp";
import { renderNixosConfiguration, RenderedConfiguration } from "../nix/nixos";
import { Deployer } from "./deployers/deployer";
import { assertHostSpec, HostSpec, nixosModelOf, parseCidr } from "./hostSpec";
import { createProxmoxGuest } from "./proxmox";
import type { SshTarget } from "./ssh";

/** Inputs of a {@link NixOSHost}: the host spec and how it is deployed. */
export interface NixOSHostArgs extends HostSpec {
  /** Publish the host's A/AAAA records here. */
  readonly dnsZone?: DnsZone;
  /** The key the SDK (and the deployers) use to log in; pass a secret. Without it, no SSH wait. */
  readonly sshPrivateKey?: pulumi.Input<string>;
  /** How long to wait for SSH after the guest starts; default 180 s. */
  readonly sshWaitSeconds?: number;
  /** For Proxmox guests, whose key is made at first boot: the key to expect once known. */
  readonly sshHostKey?: string;
  /** How the configuration reaches the host; default none (the configuration is rendered only). */
  readonly deployer?: Deployer;
  /** Guests are protected from deletion unless this is false. */
  readonly protect?: boolean;
}

/**
 * A NixOS machine of the site: its placement (an existing machine, an LXC container or a VM on
 * Proxmox), its rendered NixOS configuration (a change shows in preview as a new hash), its DNS
 * records, and its deployment through the given deployer.
 *
 * @example
 * ```ts
 * const web1 = new NixOSHost("web1", {
 *   name: "web1",
 *   domain: "coop.example",
 *   placement: { kind: "existing" },
 *   ipv4: "192.0.2.10",
 *   sshKeys: ["ssh-ed25519 AAAA... admin@coop"],
 *   dnsZone: zone,
 * });
 * ```
 */
export class NixOSHost extends pulumi.ComponentResource {
  /** The host's fully qualified name. */
  readonly fqdn: string;
  /** The host's IPv4 address. */
  readonly address: string;
  /** The rendered configuration: file name → content. */
  readonly configuration: Readonly<Record<string, string>>;
  /** Hash of the rendered configuration; it changes exactly when the configuration does. */
  readonly configurationHash: string;
  /** How to reach the host over SSH (with its verified host key when known). */
  readonly sshTarget: pulumi.Output<SshTarget>;
  /** The guest resource (Proxmox container/VM or LXC container), if the placement makes one. */
  readonly guest?: pulumi.CustomResource;
  /** The SSH reachability check of the host, when it is deployed. */
  readonly reachable?: SshReachable;
  /** The deployment resource, when a deployer is given. */
  readonly deployment?: pulumi.CustomResource;

  constructor(name: string, args: NixOSHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:hosts:NixOSHost", name, {}, opts);
    assertHostSpec(args, `host ${args.name}`);
    const rendered: RenderedConfiguration = renderNixosConfiguration(nixosModelOf(args));
    this.configuration = rendered.files;
    this.configurationHash = rendered.hash;
    this.fqdn = `${args.name}.${args.domain}`;
    this.address = (parseCidr(args.ipv4, 4) as { address: string }).address;
    const protect = args.protect ?? true;
    const child = { parent: this };
    const p = args.placement;

    let target: pulumi.Output<SshTarget>;
    if (p.kind === "proxmox-lxc" || p.kind === "proxmox-vm") {
      this.guest = createProxmoxGuest(
        name,
        args,
        { project: pulumi.getProject(), stack: pulumi.getStack(), resource: name },
        protect,
        child,
      );
      target = pulumi.output({
        host: this.address,
        user: "root",
        ...(args.sshHostKey ? { hostKey: args.sshHostKey } : {}),
      });
    } else if (p.kind === "lxc") {
      const container = new LxcContainer(
        `${name}-lxc`,
        {
          lxcHost: p.lxcHost,
          privateKey: args.sshPrivateKey,
          name: p.containerName ?? args.name,
          template: p.template,
          release: p.release,
          bridge: p.bridge,
          address: p.address,
          gateway: p.gateway,
          memoryMiB: p.memoryMiB,
          authorizedKeys: [...args.sshKeys],
          owner: ownerId(`${name}-lxc`),
        },
        { ...child, protect },
      );
      this.guest = container;
      const host = (parseCidr(p.address, 4) as { address: string }).address;
      target = container.hostKey.apply((hostKey) => ({ host, user: "root", hostKey }));
    } else {
      target = pulumi.output(p.ssh);
    }
    this.sshTarget = target;

    args.dnsZone?.host(
      args.name,
      { ipv4: [this.address], ipv6: args.ipv6 ? [args.ipv6.split("/")[0]] : undefined },
      `host ${args.name}`,
    );
    // SSHFP from the host key, where it is known: pinned, or read from the LXC container's rootfs.
    const knownKey = p.kind === "existing" ? p.ssh.hostKey : args.sshHostKey;
    if (args.dnsZone && (knownKey || p.kind === "lxc")) {
      const records = knownKey
        ? sshfpRecords(knownKey)
        : target.apply((t) => (t.hostKey ? sshfpRecords(t.hostKey) : []));
      args.dnsZone.record({ name: args.name, type: "SSHFP", records }, `host ${args.name} SSH key`);
    }

    const canProbe = p.kind === "existing" || p.kind === "lxc" || args.sshHostKey !== undefined;
    if (args.sshPrivateKey !== undefined && canProbe) {
      this.reachable = new SshReachable(
        `${name}-ssh`,
        {
          hostName: args.name,
          target,
          privateKey: args.sshPrivateKey,
          timeoutSeconds: args.sshWaitSeconds ?? 180,
          verifyAtPreview: p.kind === "existing",
        },
        { ...child, dependsOn: this.guest ? [this.guest] : [] },
      );
    }

    const nixos = p.kind !== "existing" || p.os === "nixos";
    if (args.deployer && nixos) {
      this.deployment = args.deployer.deploy(
        name,
        { hostName: args.name, target, files: rendered.files },
        {
          ...child,
          dependsOn: [this.reachable ?? this.guest].filter(
            (r): r is pulumi.CustomResource => r !== undefined,
          ),
        },
      );
    }
    this.registerOutputs({
      fqdn: this.fqdn,
      address: this.address,
      configurationHash: this.configurationHash,
      configuration: this.configuration,
      sshTarget: this.sshTarget,
    });
  }
}
