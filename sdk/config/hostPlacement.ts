/**
 * The hosts section's placement settings (issue 10): `placement`, `sshKeys` and `timeZone` on a
 * `site.hosts[i]` entry, checked with the same rules as NixOSHost (hostSpecProblems), so a site
 * config names every problem by its key before any resource exists.
 */
import * as fs from "fs";
import * as path from "path";
import type { ExtraModule } from "../nix/nixos";
import type { AppConfig, HostConfig } from "./siteConfig";
import { duplicateAddressProblems, HostSpec, hostSpecProblems } from "../hosts/hostSpec";
import { Placement, PLACEMENT_KINDS } from "../hosts/placement";

export interface HostPlacementConfig {
  /** How the host is made and reached; without it the host's configuration is only rendered. */
  readonly placement?: Placement;
  /** SSH public keys (OpenSSH format) allowed to log in as root on the host. */
  readonly sshKeys?: readonly string[];
  /** The host's time zone, e.g. "Europe/Berlin"; default UTC. */
  readonly timeZone?: string;
  /** Extra NixOS modules, imported as they are: `{ name, inline }` or `{ name, file }` (relative to the project dir). */
  readonly modules?: readonly ExtraModule[];
}

type Raw = Record<string, unknown>;
type Add = (field: string, message: string) => void;

/** The placement settings of one raw host entry (shape only; rules come in hostPlacementProblems). */
export function parseHostPlacement(add: Add, raw: Raw, field: string): HostPlacementConfig {
  const out: { placement?: Placement; sshKeys?: string[]; timeZone?: string; modules?: ExtraModule[] } = {};
  if (raw.placement !== undefined) {
    const p = raw.placement;
    if (typeof p !== "object" || p === null || Array.isArray(p))
      add(`${field}.placement`, `must be a mapping with kind: one of ${PLACEMENT_KINDS.join(", ")}`);
    else out.placement = p as Placement;
  }
  if (raw.sshKeys !== undefined) {
    if (!Array.isArray(raw.sshKeys) || raw.sshKeys.some((k) => typeof k !== "string"))
      add(`${field}.sshKeys`, 'must be a list of public key lines ("ssh-ed25519 AAAA... comment")');
    else out.sshKeys = raw.sshKeys as string[];
  }
  if (raw.timeZone !== undefined) {
    if (typeof raw.timeZone !== "string" || !/^[A-Za-z_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(raw.timeZone))
      add(`${field}.timeZone`, 'must be a time zone name such as "Europe/Amsterdam"');
    else out.timeZone = raw.timeZone;
  }
  if (raw.modules !== undefined) out.modules = parseModules(add, raw.modules, `${field}.modules`);
  return out;
}

function parseModules(add: Add, raw: unknown, field: string): ExtraModule[] {
  if (!Array.isArray(raw)) {
    add(field, "must be a list of { name, inline } or { name, file } entries");
    return [];
  }
  return raw.flatMap((m: unknown, i): ExtraModule[] => {
    const entry = (typeof m === "object" && m !== null ? m : {}) as Raw;
    const name = typeof entry.name === "string" ? entry.name : "";
    if (typeof entry.inline === "string") return [{ name, inline: entry.inline }];
    if (typeof entry.file === "string") {
      const file = path.resolve(entry.file);
      if (!fs.existsSync(file)) {
        add(
          `${field}[${i}].file`,
          `${file} does not exist (paths are relative to the project dir, ${process.cwd()})`,
        );
        return [];
      }
      return [{ name, file, text: fs.readFileSync(file, "utf8") }];
    }
    add(`${field}[${i}]`, "needs `inline` (Nix text) or `file` (a .nix file)");
    return [];
  });
}

/** The host as a HostSpec (the config's `address` is the spec's `ipv4`). */
export function hostSpecOf(
  host: HostConfig & HostPlacementConfig,
  domain: string,
  apps: readonly AppConfig[],
): HostSpec {
  return {
    name: host.name,
    domain,
    ipv4: host.address,
    ...(host.address6 ? { ipv6: host.address6 } : {}),
    sshKeys: host.sshKeys ?? [],
    ...(host.timeZone ? { timeZone: host.timeZone } : {}),
    ...(host.modules ? { extraModules: host.modules } : {}),
    apps: apps
      .filter((a) => a.host === host.name)
      .map((a) => ({ app: a.app, fqdn: `${a.subdomain}.${domain}` })),
    placement: host.placement ?? { kind: "existing", os: "nixos", ssh: { host: host.address } },
  };
}

/** Site-level rules: placed hosts as NixOSHost checks them, and no two hosts on one address. */
export function hostPlacementProblems(
  add: Add,
  hosts: readonly (HostConfig & HostPlacementConfig)[],
  domain: string,
  apps: readonly AppConfig[],
): void {
  const specs = hosts.map((h) => hostSpecOf(h, domain, apps));
  const configField = (f: string) =>
    f
      .replace(/\.ipv4$/, ".address")
      .replace(/\.ipv6$/, ".address6")
      .replace(".extraModules", ".modules");
  hosts.forEach((h, i) => {
    for (const [field, message] of hostSpecProblems(specs[i], `site.hosts[${i}]`)) {
      // The host name is checked by the site config itself; an unplaced host is only rendered.
      if (field === `site.hosts[${i}].name`) continue;
      if (!h.placement && !field.includes(".extraModules")) continue;
      add(configField(field), message);
    }
  });
  for (const [field, message] of duplicateAddressProblems(specs, "site.hosts")) {
    add(configField(field), message);
  }
}
