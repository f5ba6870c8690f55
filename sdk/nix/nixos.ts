/**
 * The typed NixOS configuration the SDK writes for a host, and its rendering into files. Only real
 * NixOS option paths are used (NixOS manual, "Configuration Options"): networking.*, users.*,
 * services.openssh.*, time.timeZone, fileSystems.*, boot.*, system.stateVersion, _module.args.
 */
import { createHash } from "crypto";
import type { AppId } from "../apps/catalog";
import { appDefinition } from "../apps/catalog";
import { appNeeds } from "../apps/needs";
import { appFragment, proxyVirtualHost } from "./appModules";
import {
  attrsFromPaths,
  call,
  comment,
  mkDefault,
  NixAttrs,
  NixValue,
  nixosModule,
  path,
  plus,
  ref,
} from "./expr";
import { render } from "./render";
import type { AgenixSecret } from "../secrets/hostSecretPlan";

/** What kind of machine a NixOS host is: an LXC container, a VM, or an existing machine. */
export type NixosPlatform = "lxc" | "vm" | "existing";

/** A static IP address with its prefix length. */
export interface StaticAddress {
  /** The address, e.g. "10.0.0.5". */
  readonly address: string;
  /** The prefix length, e.g. 24. */
  readonly prefixLength: number;
}

/** A NixOS host's network settings. */
export interface NixosNetwork {
  /** The interface the addresses go on ("eth0" in Proxmox/LXC containers). */
  readonly interface: string;
  /** Static IPv4 addresses. */
  readonly ipv4: readonly StaticAddress[];
  /** Static IPv6 addresses. */
  readonly ipv6: readonly StaticAddress[];
  /** The IPv4 default gateway. */
  readonly gateway4?: string;
  /** The IPv6 default gateway. */
  readonly gateway6?: string;
  /** DNS resolvers. */
  readonly nameservers: readonly string[];
}

/** A login user of a NixOS host. */
export interface NixosUser {
  /** The user name. */
  readonly name: string;
  /** SSH public keys allowed to log in as the user. */
  readonly authorizedKeys: readonly string[];
  /** Extra groups, e.g. ["wheel"]. */
  readonly extraGroups?: readonly string[];
}

/** A ZFS dataset on a NixOS host. */
export interface ZfsDataset {
  /** "tank/apps/nextcloud" */
  readonly dataset: string;
  /** Where it is mounted. */
  readonly mountpoint: string;
}

/** An extra module from the site: a file (copied beside the configuration) or inline Nix text. */
export type ExtraModule =
  | {
      /** The module's name (used in comments and the import list). */
      readonly name: string;

      /** The file the module is written to, relative to the configuration. */
      readonly file: string;
      /** The module's Nix text. */
      readonly text: string;
    }
  | {
      /** The module's name. */
      readonly name: string;
      /** Nix text included inline in the configuration. */
      readonly inline: string;
    };
/** Everything a NixOS host's configuration is rendered from. */
export interface NixosHostModel {
  /** The host name. */
  readonly hostName: string;
  /** The DNS domain (networking.domain). */
  readonly domain: string;
  /** What kind of machine it is. */
  readonly platform: NixosPlatform;
  /** The time zone, e.g. "UTC". */
  readonly timeZone: string;
  /** Network settings. */
  readonly network: NixosNetwork;
  /** Keys for root; also the deployers' way in. */
  readonly rootAuthorizedKeys: readonly string[];
  /** Login users. */
  readonly users: readonly NixosUser[];
  /** Catalog apps with the domain each answers on. */
  readonly apps: readonly {
    /** The catalog id of the app. */
    readonly app: AppId;
    /** The domain it answers on, e.g. "git.coop.example". */
    readonly fqdn: string;
  }[];
  /** Extra TCP ports opened in the firewall. */
  readonly extraTcpPorts: readonly number[];
  /** Extra UDP ports opened in the firewall. */
  readonly extraUdpPorts: readonly number[];
  /** ZFS datasets. */
  readonly datasets: readonly ZfsDataset[];
  /** Extra NixOS modules. */
  readonly extraModules: readonly ExtraModule[];
  /** system.stateVersion: the NixOS release the host was first installed with; never bump it casually. */
  readonly stateVersion: string;
  /**
   * `age.secrets.<name>` of the secrets delivered to the host (HostSecret with os "nixos" stores
   * their age ciphertext at `file`): agenix's module decrypts them with the host's SSH key at
   * activation. Paths, owners and modes only; a secret's value never reaches the model.
   */
  readonly ageSecrets?: Readonly<Record<string, AgenixSecret>>;
  /** Absolute path of agenix's module; default `<agenix/modules/age.nix>` (the "agenix" channel). */
  readonly agenixModule?: string;
  /** Private keys agenix decrypts with (`age.identityPaths`); default agenix's: the host's SSH keys. */
  readonly ageIdentityPaths?: readonly string[];
}

/** The host's resolved facts, given to every site module as the `hostFacts` module argument. */
export interface HostFacts {
  /** The host name. */
  readonly hostName: string;
  /** The DNS domain. */
  readonly domain: string;
  /** The fully qualified name. */
  readonly fqdn: string;
  /** What kind of machine it is. */
  readonly platform: NixosPlatform;
  /** IPv4 addresses (without prefix length). */
  readonly ipv4: readonly string[];
  /** IPv6 addresses (without prefix length). */
  readonly ipv6: readonly string[];
  /** ZFS dataset name to mountpoint. */
  readonly datasets: Readonly<Record<string, string>>;
  /** Each app's domain and the port it listens on (null when it has none). */
  readonly apps: Readonly<
    Record<
      string,
      {
        /** The domain the app answers on. */
        readonly fqdn: string;
        /** The port it listens on behind the reverse proxy, or null when it has none. */
        readonly port: number | null;
      }
    >
  >;
  /** TCP ports open in the firewall. */
  readonly tcpPorts: readonly number[];
  /** UDP ports open in the firewall. */
  readonly udpPorts: readonly number[];
}

/** A NixOS host's rendered configuration: the files to write and the facts derived from it. */
export interface RenderedConfiguration {
  /** File name (relative to the configuration dir) → content. `configuration.nix` is the entry. */
  readonly files: Readonly<Record<string, string>>;
  /** sha256 over the files (names and contents), hex. */
  readonly hash: string;
}

/** networking.hostId (required by ZFS): 8 hex digits, stable per host name. */
export function hostIdOf(hostName: string): string {
  return createHash("sha256").update(hostName).digest("hex").slice(0, 8);
}

function sorted(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** What a host's model tells about it (addresses, open ports, apps), as a JSON-ready summary. Pure. */
export function hostFacts(
  model: NixosHostModel,
  tcpPorts: readonly number[],
  udpPorts: readonly number[],
): HostFacts {
  return {
    hostName: model.hostName,
    domain: model.domain,
    fqdn: `${model.hostName}.${model.domain}`,
    platform: model.platform,
    ipv4: model.network.ipv4.map((a) => a.address),
    ipv6: model.network.ipv6.map((a) => a.address),
    datasets: Object.fromEntries(model.datasets.map((d) => [d.dataset, d.mountpoint])),
    apps: Object.fromEntries(
      model.apps.map((a) => [
        a.app,
        { fqdn: a.fqdn, port: appFragment(a.app, { fqdn: a.fqdn, domain: model.domain })?.proxyPort ?? null },
      ]),
    ),
    tcpPorts,
    udpPorts,
  };
}

function platformOptions(platform: NixosPlatform): [string, NixValue][] {
  switch (platform) {
    case "lxc":
      // An LXC container: no bootloader or kernel of its own.
      return [["boot.isContainer", true]];
    case "vm":
      return [
        ["services.qemuGuest.enable", true],
        ["boot.loader.grub.device", mkDefault("/dev/sda")],
        ['fileSystems."/"', mkDefault({ device: "/dev/disk/by-label/nixos", fsType: "ext4" })],
      ];
    case "existing":
      return [];
  }
}

function moduleFileName(name: string): string {
  return `site-modules/${name}.nix`;
}

/**
 * agenix's NixOS module as the configuration imports it: the given absolute path, or
 * `builtins.findFile builtins.nixPath "agenix/modules/age.nix"` (what `<agenix/modules/age.nix>`
 * means: the "agenix" channel).
 */
function agenixModuleOf(model: NixosHostModel): NixValue {
  return model.agenixModule !== undefined
    ? path(model.agenixModule)
    : call(ref("builtins", "findFile"), ref("builtins", "nixPath"), "agenix/modules/age.nix");
}

/**
 * Renders the host's configuration: `configuration.nix` (what the SDK sets), `host-facts.nix`
 * (the facts, as data) and one file per site module, imported as it is.
 */
export function renderNixosConfiguration(model: NixosHostModel): RenderedConfiguration {
  const hasAgeSecrets = Object.keys(model.ageSecrets ?? {}).length > 0;
  const ctx = (fqdn: string) => ({ fqdn, domain: model.domain });
  const fragments = model.apps.map((a) => ({ a, f: appFragment(a.app, ctx(a.fqdn)) }));
  const tcp = sorted([22, ...model.extraTcpPorts, ...model.apps.flatMap((a) => appNeedsPorts(a.app).tcp)]);
  const udp = sorted([...model.extraUdpPorts, ...model.apps.flatMap((a) => appNeedsPorts(a.app).udp)]);
  const facts = hostFacts(model, tcp, udp);
  const iface = model.network.interface;

  const options: [string, NixValue][] = [
    ["networking.hostName", model.hostName],
    ["networking.domain", model.domain],
    ["networking.useDHCP", false],
    [`networking.interfaces.${iface}.ipv4.addresses`, model.network.ipv4.map((a) => ({ ...a }))],
    [`networking.interfaces.${iface}.ipv6.addresses`, model.network.ipv6.map((a) => ({ ...a }))],
    ...(model.network.gateway4
      ? [
          ["networking.defaultGateway", { address: model.network.gateway4, interface: iface }] as [
            string,
            NixValue,
          ],
        ]
      : []),
    ...(model.network.gateway6
      ? [
          ["networking.defaultGateway6", { address: model.network.gateway6, interface: iface }] as [
            string,
            NixValue,
          ],
        ]
      : []),
    ["networking.nameservers", [...model.network.nameservers]],
    ["networking.firewall.enable", true],
    ["networking.firewall.allowedTCPPorts", tcp],
    ["networking.firewall.allowedUDPPorts", udp],
    ["time.timeZone", model.timeZone],
    ["services.openssh.enable", true],
    ["services.openssh.settings.PasswordAuthentication", false],
    ["services.openssh.settings.PermitRootLogin", "prohibit-password"],
    ["users.mutableUsers", false],
    ["users.users.root.openssh.authorizedKeys.keys", [...model.rootAuthorizedKeys]],
    ...model.users.map((u): [string, NixValue] => [
      `users.users."${u.name}"`,
      {
        isNormalUser: true,
        extraGroups: [...(u.extraGroups ?? [])],
        openssh: { authorizedKeys: { keys: [...u.authorizedKeys] } },
      },
    ]),
    ...platformOptions(model.platform),
    ...(model.datasets.length > 0
      ? ([
          ["boot.supportedFilesystems", ["zfs"]],
          ["networking.hostId", hostIdOf(model.hostName)],
          ["services.zfs.autoScrub.enable", true],
          ...model.datasets.map((d): [string, NixValue] => [
            `fileSystems."${d.mountpoint}"`,
            { device: d.dataset, fsType: "zfs", options: ["zfsutil"] },
          ]),
        ] as [string, NixValue][])
      : []),
    ...fragments.flatMap(({ a, f }): [string, NixValue][] => {
      if (!f) return [];
      const service = (appDefinition(a.app).nixos as { module: string }).module;
      const entries: [string, NixValue][] = [[service, comment(`${a.app}: ${f.source}`, f.options)]];
      if (f.proxyPort !== undefined) {
        entries.push([`services.nginx.virtualHosts."${a.fqdn}"`, proxyVirtualHost(f.proxyPort)]);
      }
      return entries;
    }),
    ...(fragments.some(({ f }) => f?.proxyPort !== undefined)
      ? ([
          ["services.nginx.enable", true],
          ["security.acme.acceptTerms", true],
          ["security.acme.defaults.email", `hostmaster@${model.domain}`],
        ] as [string, NixValue][])
      : []),
    ...Object.keys(model.ageSecrets ?? {})
      .sort()
      .map((name, i): [string, NixValue] => {
        const s = (model.ageSecrets ?? {})[name];
        const declaration = { file: s.file, path: s.path, owner: s.owner, group: s.group, mode: s.mode };
        return [
          `age.secrets."${name}"`,
          i === 0
            ? comment(
                "agenix (github:ryantm/agenix, its module imported by the host) decrypts each file with the host's SSH key at activation; the files hold age ciphertext only.",
                declaration,
              )
            : declaration,
        ];
      }),
    ...(hasAgeSecrets && model.ageIdentityPaths?.length
      ? [["age.identityPaths", [...model.ageIdentityPaths]] as [string, NixValue]]
      : []),
    // The facts stay data in their own file; site modules take them as `{ hostFacts, ... }:`.
    ["_module.args.hostFacts", call("import", path("./host-facts.nix"))],
    ["system.stateVersion", model.stateVersion],
  ];
  const body: NixAttrs = {
    imports: [
      ...(model.platform === "vm" ? [plus(ref("modulesPath"), "/profiles/qemu-guest.nix")] : []),
      ...(hasAgeSecrets ? [agenixModuleOf(model)] : []),
      ...model.extraModules.map((m) => path(`./${moduleFileName(m.name)}`)),
    ],
    ...attrsFromPaths(options),
  };
  const files: Record<string, string> = {
    "configuration.nix": render(
      comment(
        `Host ${model.hostName}.${model.domain}: written by sovereign; edit the site config, not this file.`,
        nixosModule(body, ["config", "lib", "pkgs", "modulesPath"]),
      ),
    ),
    "host-facts.nix": render(
      comment("The host's resolved facts (module argument `hostFacts`).", facts as unknown as NixValue),
    ),
  };
  for (const m of model.extraModules) files[moduleFileName(m.name)] = "inline" in m ? m.inline : m.text;
  return { files, hash: hashFiles(files) };
}

function appNeedsPorts(app: AppId): { tcp: readonly number[]; udp: readonly number[] } {
  const n = appNeeds(app);
  return { tcp: n.tcpPorts, udp: n.udpPorts };
}

/** sha256 over sorted file names and contents (length-prefixed, so no two file sets collide). */
export function hashFiles(files: Readonly<Record<string, string>>): string {
  const h = createHash("sha256");
  for (const name of Object.keys(files).sort()) {
    const content = Buffer.from(files[name], "utf8");
    h.update(`${Buffer.byteLength(name)}:${name}:${content.length}:`).update(content);
  }
  return h.digest("hex");
}
