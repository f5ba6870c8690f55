/**
 * A host as plain data, its validation (every problem at once, naming the field and the fix) and
 * the NixOS model derived from it. Pure: NixOSHost only wires these results into resources.
 */
import * as net from "net";
import { AppId, isAppId } from "../apps/catalog";
import { hostNeeds } from "../apps/needs";
import { ExtraModule, NixosHostModel, ZfsDataset } from "../nix/nixos";
import { nixosPlatformOf, Placement, PLACEMENT_KINDS } from "./placement";
import { sshTargetProblems } from "./ssh";
import type { AgenixSecret } from "../secrets/hostSecretPlan";

/** What a NixOS host is made of: name, placement, network, apps, datasets and extra modules. */
export interface HostSpec {
  /** The host's name (its hostname and the first label of its FQDN). */
  readonly name: string;
  /** The site's domain; the host is `<name>.<domain>`. */
  readonly domain: string;
  /** Where the host runs (a Proxmox guest, an LXC container, or an existing machine). */
  readonly placement: Placement;
  /** The host's IPv4 address, with prefix length ("192.0.2.10/24"; /32 when omitted). */
  readonly ipv4: string;
  /** The host's IPv6 address with its prefix length, e.g. "2001:db8::5/64". */
  readonly ipv6?: string;
  /** The IPv4 default gateway. */
  readonly gateway4?: string;
  /** The IPv6 default gateway. */
  readonly gateway6?: string;
  /** DNS resolvers the host uses. */
  readonly nameservers?: readonly string[];
  /** Authorized keys for root (at least one: it is how deployers get in). */
  readonly sshKeys: readonly string[];
  /** The catalog apps the host runs, with the domain each answers on. */
  readonly apps?: readonly {
    /** The catalog id of the app. */
    readonly app: AppId;
    /** The domain it answers on, e.g. "git.coop.example". */
    readonly fqdn: string;
  }[];
  /** ZFS datasets to create on the host. */
  readonly datasets?: readonly ZfsDataset[];
  /** Extra NixOS modules included in the host's configuration. */
  readonly extraModules?: readonly ExtraModule[];
  /** The host's time zone; default "UTC". */
  readonly timeZone?: string;
  /** NixOS `system.stateVersion`; default the SDK's tested release. */
  readonly stateVersion?: string;
  /** The network interface the addresses are set on; default "eth0". */
  readonly interface?: string;
  /** agenix declarations (`age.secrets.<name>`) of the secrets delivered to the host; no secret in them. */
  readonly ageSecrets?: Readonly<Record<string, AgenixSecret>>;
  /**
   * Absolute path of agenix's NixOS module (`modules/age.nix` of github:ryantm/agenix), imported
   * when the host gets `age.secrets`. Default: the `agenix` channel, i.e. `<agenix/modules/age.nix>`
   * (what `nix-channel --add https://github.com/ryantm/agenix/archive/main.tar.gz agenix` installs).
   */
  readonly agenixModule?: string;
}

/** One problem of a host spec: the field and what is wrong with it. */
export type Problem = readonly [field: string, message: string];

/** A host spec with problems, each as [field, message]; thrown before any resource is declared. */
export class HostSpecError extends Error {
  constructor(
    /** The host's name. */
    readonly host: string,
    /** Each problem with its field. */
    readonly problems: readonly Problem[],
  ) {
    super(
      `host "${host}" has ${problems.length} problem(s); please fix:\n${problems.map(([f, m]) => `  - ${f}: ${m}`).join("\n")}`,
    );
    this.name = "HostSpecError";
  }
}

const HOST_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const KEY_LINE =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/;
const MODULE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** "192.0.2.10/24" → { address, prefixLength }; undefined when malformed. */
export function parseCidr(
  text: string,
  family: 4 | 6,
):
  | {
      /** The address part. */
      address: string;
      /** The prefix length. */
      prefixLength: number;
    }
  | undefined {
  const [address, prefix, ...rest] = text.split("/");
  const max = family === 4 ? 32 : 128;
  if (rest.length > 0 || net.isIP(address) !== family) return undefined;
  if (prefix === undefined) return { address, prefixLength: max };
  const n = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && n >= 0 && n <= max ? { address, prefixLength: n } : undefined;
}

function placementProblems(p: Placement, apps: readonly AppId[], f: string): Problem[] {
  const out: Problem[] = [];
  const kind = (p as { kind?: unknown }).kind;
  if (!PLACEMENT_KINDS.includes(kind as never)) {
    return [
      [`${f}.kind`, `${JSON.stringify(kind)} is not a placement; use one of ${PLACEMENT_KINDS.join(", ")}`],
    ];
  }
  const need = hostNeeds(apps);
  const sized = p as { memoryMiB?: number; diskGiB?: number; cores?: number };
  const appList = apps.length > 0 ? apps.join(", ") : "no apps";
  if (p.kind !== "existing" || sized.memoryMiB !== undefined) {
    if (!Number.isInteger(sized.memoryMiB) || (sized.memoryMiB as number) < need.memoryMiB) {
      out.push([
        `${f}.memoryMiB`,
        `${sized.memoryMiB} MiB is less than the ${need.memoryMiB} MiB its apps need (${appList} + the base system); raise it to at least ${need.memoryMiB}`,
      ]);
    }
  }
  if (p.kind !== "existing" || sized.diskGiB !== undefined) {
    if (!Number.isInteger(sized.diskGiB) || (sized.diskGiB as number) < need.diskGiB) {
      out.push([
        `${f}.diskGiB`,
        `${sized.diskGiB} GiB is less than the ${need.diskGiB} GiB its apps need (${appList} + the base system); raise it to at least ${need.diskGiB}`,
      ]);
    }
  }
  if (sized.cores !== undefined && (!Number.isInteger(sized.cores) || sized.cores < 1)) {
    out.push([`${f}.cores`, `${sized.cores} must be a whole number >= 1`]);
  }
  const nonEmpty = (key: string, value: unknown, hint: string) => {
    if (typeof value !== "string" || value.trim() === "")
      out.push([`${f}.${key}`, `is required for placement "${p.kind}": ${hint}`]);
  };
  switch (p.kind) {
    case "proxmox-lxc":
    case "proxmox-vm":
      nonEmpty("node", p.node, 'the Proxmox node to create the guest on (e.g. "pve1")');
      nonEmpty("storage", p.storage, 'the storage for the root disk (e.g. "local-zfs")');
      nonEmpty("bridge", p.bridge, 'the bridge for the NIC (e.g. "vmbr0")');
      if (p.vlanTag !== undefined && (!Number.isInteger(p.vlanTag) || p.vlanTag < 1 || p.vlanTag > 4094)) {
        out.push([`${f}.vlanTag`, `${p.vlanTag} is not a VLAN id (1-4094)`]);
      }
      if (p.vmId !== undefined && (!Number.isInteger(p.vmId) || p.vmId < 100)) {
        out.push([`${f}.vmId`, `${p.vmId} is not a Proxmox VMID (a whole number >= 100)`]);
      }
      if (p.kind === "proxmox-lxc")
        nonEmpty(
          "template",
          p.template,
          'the NixOS container template (e.g. "local:vztmpl/nixos-24.11.tar.xz")',
        );
      else if (!Number.isInteger(p.cloneFrom) || p.cloneFrom < 100) {
        out.push([
          `${f}.cloneFrom`,
          `is required for placement "proxmox-vm": the VMID of the NixOS template VM to clone`,
        ]);
      }
      break;
    case "lxc":
      out.push(...sshTargetProblems(p.lxcHost ?? ({} as never), `${f}.lxcHost`));
      nonEmpty("bridge", p.bridge, "the bridge on the LXC host the container's veth joins");
      if (typeof p.address !== "string" || !p.address.includes("/") || !parseCidr(p.address, 4)) {
        out.push([
          `${f}.address`,
          `${JSON.stringify(p.address)} must be the container's IPv4 address with prefix, e.g. "10.77.0.10/24"`,
        ]);
      }
      if (p.gateway !== undefined && net.isIPv4(p.gateway) === false)
        out.push([`${f}.gateway`, `${JSON.stringify(p.gateway)} is not an IPv4 address`]);
      break;
    case "existing":
      out.push(...sshTargetProblems(p.ssh ?? ({} as never), `${f}.ssh`));
      if (p.os !== "nixos" && p.os !== "linux")
        out.push([`${f}.os`, `${JSON.stringify(p.os)} must be "nixos" or "linux"`]);
      if (
        p.hostKeyPath !== undefined &&
        (typeof p.hostKeyPath !== "string" || !p.hostKeyPath.startsWith("/"))
      )
        out.push([
          `${f}.hostKeyPath`,
          `${JSON.stringify(p.hostKeyPath)} must be the absolute path of the host's private SSH host key on the host (default /etc/ssh/ssh_host_ed25519_key)`,
        ]);
      break;
  }
  return out;
}

/** Every problem with a host spec; empty when it is good. */
export function hostSpecProblems(spec: HostSpec, field = "host"): Problem[] {
  const out: Problem[] = [];
  if (typeof spec.name !== "string" || !HOST_NAME.test(spec.name)) {
    out.push([
      `${field}.name`,
      `${JSON.stringify(spec.name)} is not a host name: lowercase letters, digits and "-", starting with a letter, at most 63`,
    ]);
  }
  if (typeof spec.ipv4 !== "string" || !parseCidr(spec.ipv4, 4)) {
    out.push([
      `${field}.ipv4`,
      `${JSON.stringify(spec.ipv4)} is not an IPv4 address (e.g. "192.0.2.10" or "192.0.2.10/24")`,
    ]);
  }
  if (spec.ipv6 !== undefined && !parseCidr(spec.ipv6, 6)) {
    out.push([
      `${field}.ipv6`,
      `${JSON.stringify(spec.ipv6)} is not an IPv6 address (e.g. "2001:db8::10/64")`,
    ]);
  }
  if (spec.gateway4 !== undefined && !net.isIPv4(spec.gateway4))
    out.push([`${field}.gateway4`, `${JSON.stringify(spec.gateway4)} is not an IPv4 address`]);
  if (spec.gateway6 !== undefined && !net.isIPv6(spec.gateway6))
    out.push([`${field}.gateway6`, `${JSON.stringify(spec.gateway6)} is not an IPv6 address`]);
  for (const [i, ns] of (spec.nameservers ?? []).entries()) {
    if (!net.isIP(ns)) out.push([`${field}.nameservers[${i}]`, `${JSON.stringify(ns)} is not an IP address`]);
  }
  if (spec.agenixModule !== undefined && !/^\/[^\0]*\.nix$/.test(spec.agenixModule))
    out.push([
      `${field}.agenixModule`,
      `${JSON.stringify(spec.agenixModule)} must be the absolute path of agenix's modules/age.nix (or leave it out to use the "agenix" channel)`,
    ]);
  if (!Array.isArray(spec.sshKeys) || spec.sshKeys.length === 0) {
    out.push([
      `${field}.sshKeys`,
      "needs at least one SSH public key (e.g. the contents of ~/.ssh/id_ed25519.pub): without one nobody, not even the deployer, can log in",
    ]);
  } else {
    spec.sshKeys.forEach((k, i) => {
      if (typeof k !== "string" || !KEY_LINE.test(k.trim()))
        out.push([`${field}.sshKeys[${i}]`, `is not an SSH public key line ("ssh-ed25519 AAAA... comment")`]);
    });
  }
  const apps = (spec.apps ?? []).map((a) => a.app);
  apps.forEach((a, i) => {
    if (!isAppId(a)) out.push([`${field}.apps[${i}].app`, `${JSON.stringify(a)} is not in the app catalog`]);
  });
  if (spec.placement === undefined || typeof spec.placement !== "object") {
    out.push([`${field}.placement`, `is required: one of ${PLACEMENT_KINDS.join(", ")}`]);
  } else {
    out.push(...placementProblems(spec.placement, apps.filter(isAppId), `${field}.placement`));
  }
  const moduleNames = new Set<string>();
  (spec.extraModules ?? []).forEach((m, i) => {
    if (!MODULE_NAME.test(m.name))
      out.push([
        `${field}.extraModules[${i}].name`,
        `${JSON.stringify(m.name)} must be lowercase letters, digits, "-" and "_"`,
      ]);
    if (moduleNames.has(m.name)) out.push([`${field}.extraModules[${i}].name`, `"${m.name}" is used twice`]);
    moduleNames.add(m.name);
    const text = "inline" in m ? m.inline : m.text;
    if (typeof text !== "string" || text.trim() === "")
      out.push([`${field}.extraModules[${i}]`, "is empty; give a Nix module (a file or inline text)"]);
  });
  (spec.datasets ?? []).forEach((d, i) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/.test(d.dataset))
      out.push([
        `${field}.datasets[${i}].dataset`,
        `${JSON.stringify(d.dataset)} is not a ZFS dataset name ("pool/path")`,
      ]);
    if (!d.mountpoint.startsWith("/"))
      out.push([
        `${field}.datasets[${i}].mountpoint`,
        `${JSON.stringify(d.mountpoint)} must be an absolute path`,
      ]);
  });
  return out;
}

/**
 * Checks a host spec; throws a {@link HostSpecError} listing every problem by field. @param field the key
 * prefix problems are reported under
 */
export function assertHostSpec(spec: HostSpec, field = "host"): void {
  const problems = hostSpecProblems(spec, field);
  if (problems.length > 0) throw new HostSpecError(typeof spec.name === "string" ? spec.name : "?", problems);
}

/** Hosts that share an address, as problems naming both. */
export function duplicateAddressProblems(specs: readonly HostSpec[], field = "hosts"): Problem[] {
  const seen = new Map<string, string>();
  const out: Problem[] = [];
  specs.forEach((s, i) => {
    for (const [key, cidr] of [
      ["ipv4", s.ipv4],
      ["ipv6", s.ipv6],
    ] as const) {
      if (!cidr) continue;
      const addr = cidr.split("/")[0].toLowerCase();
      const other = seen.get(addr);
      if (other !== undefined)
        out.push([
          `${field}[${i}].${key}`,
          `${addr} is also the address of host "${other}"; give each host its own address`,
        ]);
      else seen.set(addr, s.name);
    }
  });
  return out;
}

/** The NixOS model of a valid spec. */
export function nixosModelOf(spec: HostSpec): NixosHostModel {
  const v4 = parseCidr(spec.ipv4, 4) as { address: string; prefixLength: number };
  const v6 = spec.ipv6 ? parseCidr(spec.ipv6, 6) : undefined;
  return {
    hostName: spec.name,
    domain: spec.domain,
    platform: nixosPlatformOf(spec.placement),
    timeZone: spec.timeZone ?? "UTC",
    network: {
      interface: spec.interface ?? "eth0",
      ipv4: [v4],
      ipv6: v6 ? [v6] : [],
      gateway4: spec.gateway4,
      gateway6: spec.gateway6,
      nameservers: spec.nameservers ?? [],
    },
    rootAuthorizedKeys: spec.sshKeys.map((k) => k.trim()),
    users: [],
    apps: spec.apps ?? [],
    extraTcpPorts: [],
    extraUdpPorts: [],
    datasets: spec.datasets ?? [],
    extraModules: spec.extraModules ?? [],
    stateVersion: spec.stateVersion ?? "24.11",
    ageSecrets: spec.ageSecrets ?? {},
    ...(spec.agenixModule !== undefined ? { agenixModule: spec.agenixModule } : {}),
    ...(spec.placement.kind === "existing" && spec.placement.hostKeyPath !== undefined
      ? { ageIdentityPaths: [spec.placement.hostKeyPath] }
      : {}),
  };
}
