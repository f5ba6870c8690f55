import * as net from "net";
import { domainToASCII } from "url";
import { AppId, appDefinition } from "../apps/catalog";
import { chooseApp, placementProblems } from "../apps/policy";
import { DEPENDENCIES, type Dependency } from "../apps/types";
import { ConfigProblems } from "./problems";

/** How a host exists: created on Proxmox (LXC container or VM), or a machine that already runs. */
export type HostKind = "existing" | "lxc" | "vm";

export interface HostConfig {
  readonly name: string;
  readonly kind: HostKind;
  /** Public IPv4 address: what the site's A records point at. */
  readonly address: string;
  readonly address6?: string;
  /** Proxmox node that hosts an lxc/vm host. */
  readonly proxmoxNode?: string;
  /** Memory the host gives its apps; apps whose minimum is larger are refused at preview. */
  readonly memoryMiB?: number;
}

export interface AppConfig {
  /** Instance name, unique in the site (defaults to the app id). */
  readonly name: string;
  readonly app: AppId;
  readonly host: string;
  readonly subdomain: string;
  /** A federating app's permanent identity (Matrix server_name, ActivityPub/WebFinger domain). */
  readonly domain?: string;
}

/** Where the site's authoritative DNS lives. `local` means the harness's PowerDNS on loopback. */
export interface DnsConfig {
  readonly provider: "powerdns";
  readonly endpoint: "local" | { readonly apiUrl: string };
  readonly serverId: string;
  readonly ttl: number;
  readonly nameservers: readonly string[];
}

export interface SiteConfig {
  readonly name: string;
  /** The site's zone, in ASCII (punycode) with no trailing dot. */
  readonly domain: string;
  /** The datacenter provider the site runs at; switching it starts a migration. */
  readonly datacenter: string;
  readonly dns: DnsConfig;
  readonly hosts: readonly HostConfig[];
  readonly apps: readonly AppConfig[];
  /** Stateful resources get `protect` unless this is false. */
  readonly protect: boolean;
  /** How identity secrets are made: @pulumi/random + @pulumi/tls plugins (default) or the built-in provider. */
  readonly secrets?: "plugins" | "builtin";
  /** Services the site uses from outside (e.g. an SMTP relay), so apps needing them are accepted. */
  readonly externalServices?: readonly Dependency[];
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(p: ConfigProblems, obj: Raw, key: string, field: string, fallback?: string): string {
  const value = obj[key] ?? fallback;
  if (typeof value !== "string" || value.length === 0) {
    p.add(`${field}.${key}`, `is required and must be a non-empty string`);
    return "";
  }
  return value;
}

function name(p: ConfigProblems, obj: Raw, key: string, field: string, fallback?: string): string {
  const value = str(p, obj, key, field, fallback);
  if (value && !NAME.test(value)) {
    p.add(`${field}.${key}`, `"${value}" must be lowercase letters, digits and "-", starting with a letter`);
  }
  return value;
}

function isDomainName(text: string): boolean {
  const ascii = domainToASCII(text.replace(/\.$/, "").toLowerCase());
  return Boolean(ascii) && ascii.includes(".") && ascii.split(".").every((l) => LABEL.test(l));
}

function parseDomain(p: ConfigProblems, raw: Raw): string {
  const given = str(p, raw, "domain", "site").replace(/\.$/, "");
  const ascii = domainToASCII(given.toLowerCase());
  if (given && !isDomainName(given)) {
    p.add("site.domain", `"${given}" is not a domain name; write it like "coop.example"`);
  }
  return ascii;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function parseDns(p: ConfigProblems, raw: unknown): DnsConfig {
  const dns = isObject(raw) ? raw : {};
  if (raw !== undefined && !isObject(raw)) p.add("site.dns", "must be a mapping");
  const provider = dns.provider ?? "powerdns";
  if (provider !== "powerdns")
    p.add("site.dns.provider", `"${String(provider)}" is not supported; use "powerdns"`);
  let endpoint: DnsConfig["endpoint"] = "local";
  if (dns.apiUrl !== undefined) {
    const url = typeof dns.apiUrl === "string" ? parseUrl(dns.apiUrl) : undefined;
    if (!url || !/^https?:$/.test(url.protocol)) {
      p.add("site.dns.apiUrl", `must be an http(s) URL such as "https://ns1.coop.example:8081"`);
    } else endpoint = { apiUrl: dns.apiUrl as string };
  }
  const ttl = dns.ttl ?? 3600;
  if (!Number.isInteger(ttl) || (ttl as number) < 60 || (ttl as number) > 604800) {
    p.add("site.dns.ttl", `${JSON.stringify(ttl)} must be a whole number of seconds from 60 to 604800`);
  }
  const nameservers = dns.nameservers ?? [];
  if (!Array.isArray(nameservers) || nameservers.some((n) => typeof n !== "string")) {
    p.add("site.dns.nameservers", `must be a list of host names such as ["ns1.coop.example."]`);
  }
  return {
    provider: "powerdns",
    endpoint,
    serverId: typeof dns.serverId === "string" ? dns.serverId : "localhost",
    ttl: ttl as number,
    nameservers: Array.isArray(nameservers) ? (nameservers as string[]) : [],
  };
}

function parseHost(p: ConfigProblems, raw: unknown, i: number): HostConfig | undefined {
  const field = `site.hosts[${i}]`;
  if (!isObject(raw)) {
    p.add(field, "must be a mapping with name, kind and address");
    return undefined;
  }
  const kind = raw.kind ?? "existing";
  if (kind !== "existing" && kind !== "lxc" && kind !== "vm") {
    p.add(`${field}.kind`, `"${String(kind)}" is not one of existing, lxc, vm`);
  }
  const address = str(p, raw, "address", field);
  if (address && !net.isIPv4(address))
    p.add(`${field}.address`, `"${address}" is not an IPv4 address (e.g. 192.0.2.10)`);
  const address6 = raw.address6;
  if (address6 !== undefined && (typeof address6 !== "string" || !net.isIPv6(address6))) {
    p.add(`${field}.address6`, `"${String(address6)}" is not an IPv6 address (e.g. 2001:db8::10)`);
  }
  if ((kind === "lxc" || kind === "vm") && typeof raw.proxmoxNode !== "string") {
    p.add(`${field}.proxmoxNode`, `is required for kind "${kind}": the Proxmox node to create it on`);
  }
  const memoryMiB = raw.memoryMiB;
  if (memoryMiB !== undefined && (!Number.isInteger(memoryMiB) || (memoryMiB as number) <= 0)) {
    p.add(`${field}.memoryMiB`, `${JSON.stringify(memoryMiB)} must be a whole number of MiB, e.g. 4096`);
  }
  return {
    name: name(p, raw, "name", field),
    kind: kind as HostKind,
    address,
    ...(typeof address6 === "string" ? { address6 } : {}),
    ...(typeof raw.proxmoxNode === "string" ? { proxmoxNode: raw.proxmoxNode } : {}),
    ...(typeof memoryMiB === "number" ? { memoryMiB } : {}),
  };
}

function parseApp(
  p: ConfigProblems,
  raw: unknown,
  i: number,
  hosts: ReadonlySet<string>,
): AppConfig | undefined {
  const field = `site.apps[${i}]`;
  if (!isObject(raw)) {
    p.add(field, "must be a mapping with app and host");
    return undefined;
  }
  const appName = str(p, raw, "app", field);
  const choice = appName ? chooseApp(appName) : undefined;
  if (choice && !choice.ok) {
    p.add(`${field}.app`, choice.message);
    return undefined;
  }
  const app = appName as AppId;
  const host = str(p, raw, "host", field);
  if (host && !hosts.has(host)) {
    p.add(
      `${field}.host`,
      `"${host}" is not a host of this site; declare it under site.hosts or use one of ${[...hosts].join(", ") || "(none)"}`,
    );
  }
  const subdomain = str(
    p,
    raw,
    "subdomain",
    field,
    appName ? appDefinition(app).defaultSubdomain : undefined,
  );
  if (subdomain && !LABEL.test(subdomain))
    p.add(`${field}.subdomain`, `"${subdomain}" is not a DNS label (a-z, 0-9, "-")`);
  const domain = raw.domain;
  if (domain !== undefined && (typeof domain !== "string" || !isDomainName(domain))) {
    p.add(`${field}.domain`, `"${String(domain)}" is not a domain name; write it like "coop.example"`);
  }
  return {
    name: name(p, raw, "name", field, appName),
    app,
    host,
    subdomain,
    ...(typeof domain === "string" ? { domain: domain.replace(/\.$/, "").toLowerCase() } : {}),
  };
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => v && values.indexOf(v) !== i))];
}

function parseExternalServices(p: ConfigProblems, raw: unknown): Dependency[] {
  if (raw === undefined) return [];
  const known = DEPENDENCIES as readonly string[];
  if (!Array.isArray(raw) || raw.some((d) => typeof d !== "string" || !known.includes(d))) {
    p.add("site.externalServices", `must be a list of services from ${known.join(", ")}`);
    return [];
  }
  return raw as Dependency[];
}

/**
 * Turns the stack's `sovereign:site` config into a typed, validated SiteConfig. Every problem is
 * reported at once, naming the field and the fix, before any resource exists.
 */
export function parseSiteConfig(raw: unknown): SiteConfig {
  const p = new ConfigProblems();
  if (!isObject(raw)) {
    p.add(
      "site",
      "is missing; set `sovereign:site` in the stack's Pulumi.<stack>.yaml (see stacks/Pulumi.local.yaml)",
    );
    p.throwIfAny("the site config");
  }
  const site = raw as Raw;
  const rawHosts = Array.isArray(site.hosts) ? site.hosts : [];
  if (!Array.isArray(site.hosts) || rawHosts.length === 0) p.add("site.hosts", "must list at least one host");
  const hosts = rawHosts.map((h, i) => parseHost(p, h, i)).filter((h): h is HostConfig => h !== undefined);
  const hostNames = new Set(hosts.map((h) => h.name));
  const rawApps = site.apps ?? [];
  if (!Array.isArray(rawApps)) p.add("site.apps", "must be a list");
  const parsedApps = (Array.isArray(rawApps) ? rawApps : []).map((a, i) => ({
    app: parseApp(p, a, i, hostNames),
    i,
  }));
  const apps = parsedApps.map((x) => x.app).filter((a): a is AppConfig => a !== undefined);
  const rawIndex = parsedApps.filter((x) => x.app !== undefined).map((x) => x.i);
  for (const dup of duplicates(hosts.map((h) => h.name)))
    p.add("site.hosts", `host name "${dup}" is used twice`);
  for (const dup of duplicates(apps.map((a) => a.name)))
    p.add("site.apps", `app name "${dup}" is used twice; give one a "name"`);
  for (const dup of duplicates(apps.map((a) => a.subdomain))) {
    const users = apps.filter((a) => a.subdomain === dup).map((a) => `"${a.name}"`);
    p.add(
      "site.apps",
      `subdomain "${dup}" is used by apps ${users.join(" and ")}; give each its own subdomain`,
    );
  }
  apps.forEach((app, i) => {
    if (hostNames.has(app.subdomain)) {
      p.add(
        `site.apps[${rawIndex[i]}].subdomain`,
        `"${app.subdomain}" is also a host name (a CNAME cannot share a name); pick another subdomain`,
      );
    }
  });
  if (site.protect !== undefined && typeof site.protect !== "boolean")
    p.add("site.protect", "must be true or false");
  const externalServices = parseExternalServices(p, site.externalServices);
  if (site.secrets !== undefined && site.secrets !== "plugins" && site.secrets !== "builtin")
    p.add(
      "site.secrets",
      `"${String(site.secrets)}" must be "plugins" (@pulumi/random and @pulumi/tls) or "builtin"`,
    );
  placementProblems(hosts, apps, externalServices, p, (i) => `site.apps[${rawIndex[i]}]`);
  const config: SiteConfig = {
    name: name(p, site, "name", "site"),
    domain: parseDomain(p, site),
    datacenter: name(p, site, "datacenter", "site"),
    dns: parseDns(p, site.dns),
    hosts,
    apps,
    protect: site.protect !== false,
    ...(externalServices.length > 0 ? { externalServices } : {}),
    ...(site.secrets === "builtin" || site.secrets === "plugins" ? { secrets: site.secrets } : {}),
  };
  p.throwIfAny(`the site config "${typeof site.name === "string" ? site.name : "?"}"`);
  return config;
}
