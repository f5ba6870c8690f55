import type { z } from "zod";
import { checkZoneInputs } from "../../providers/powerdns/validate";
import { normalizeContent } from "../../providers/powerdns/records";
import { AppId, appDefinition } from "../apps/catalog";
import { chooseApp, placementProblems } from "../apps/policy";
import type { Dependency } from "../apps/types";
import { ConfigProblems } from "./problems";
import { HostPlacementConfig, hostPlacementProblems, parseHostPlacement } from "./hostPlacement";
import { hookProblems, type MigrationHook } from "../migration/hooks";
import { mergeHooks, type AppMigrationHook } from "../migration/hookMerge";
import { IMPLEMENTED_HOST_KINDS, siteSchema, type RawSiteConfig } from "./schema";
import { parseStorage, type StorageConfig } from "./storageConfig";
import { ADDRESS_FROM_INVENTORY, parseInventory, type InventoryConfig } from "./inventoryConfig";
import {
  parseIdentity,
  planOidcSecretDeliveries,
  serviceAccountProblems,
  type IdentityConfig,
} from "./identityConfig";

/** How a host exists: created on Proxmox (LXC container or VM), or a machine that already runs. */
export type HostKind = "existing" | "lxc" | "vm";

/** A host of the site, after validation (`site.hosts[]`). */
export interface HostConfig extends HostPlacementConfig {
  /** The host's name: lowercase letters, digits and "-"; its A record is `<name>.<domain>`. */
  readonly name: string;
  /** How the host exists: "existing" (a machine reached over SSH) or a planned kind. */
  readonly kind: HostKind;
  /** Public IPv4 address: what the site's A records point at. */
  readonly address: string;
  /** The host's IPv6 address, when it has one (published as an AAAA record). */
  readonly address6?: string;
  /** Proxmox node that hosts an lxc/vm host. */
  readonly proxmoxNode?: string;
  /** Memory the host gives its apps; apps whose minimum is larger are refused at preview. */
  readonly memoryMiB?: number;
}

/** An app instance of the site, after validation (`site.apps[]`). */
export interface AppConfig {
  /** Instance name, unique in the site (defaults to the app id). */
  readonly name: string;
  /** The catalog id of the app. */
  readonly app: AppId;
  /** The host (by name) it runs on. */
  readonly host: string;
  /** Its subdomain; its URL is `https://<subdomain>.<domain>/`. Default: the catalog's default subdomain. */
  readonly subdomain: string;
  /** A federating app's permanent identity (Matrix server_name, ActivityPub/WebFinger domain). */
  readonly domain?: string;
  /**
   * Scripts this instance plugs into the site's migrations, after its catalog entry's and before
   * the site's `migration.hooks` at each point (sdk/migration/hookMerge.ts).
   */
  readonly hooks?: readonly AppMigrationHook[];
}

/**
 * Where the site's authoritative DNS lives. `local` (written explicitly in the config) means the
 * PowerDNS that `npm run env -- up powerdns` starts on loopback.
 */
export interface DnsConfig {
  /** The DNS provider; only "powerdns". */
  readonly provider: "powerdns";
  /** "local" (the PowerDNS `npm run env -- up powerdns` starts) or the PowerDNS HTTP API's base URL. */
  readonly endpoint:
    | "local"
    | {
        /** The PowerDNS HTTP API's base URL, e.g. "https://ns1.coop.example:8081". */
        readonly apiUrl: string;
      };
  /** The PowerDNS server id (usually "localhost"). */
  readonly serverId: string;
  /** Default TTL of the site's records, in seconds (60 to 604800; default 3600). */
  readonly ttl: number;
  /** The zone's NS records, fully qualified; empty means the default ns1.<domain>. */
  readonly nameservers: readonly string[];
}

/**
 * A site's whole config (`sovereign:site`), validated and with defaults applied: what {@link
 * parseSiteConfig} returns.
 */
export interface SiteConfig {
  /** The site's name (the stack's name), lowercase letters, digits and "-". */
  readonly name: string;
  /** The site's zone, in ASCII (punycode) with no trailing dot. */
  readonly domain: string;
  /** The datacenter provider the site runs at; switching it starts a migration. */
  readonly datacenter: string;
  /** A warm-standby datacenter (never the same as `datacenter`). */
  readonly standby?: string;
  /** How a change of `datacenter` moves the site. */
  readonly migration?: {
    /** Keep the source datacenter's copy after a migration's cutover. */
    readonly keepSource: boolean;
    /** TTL in seconds the site's records are lowered to before a cutover. */
    readonly switchTtl: number;
    /** Scripts at points of a migration (sdk/migration/hooks.ts). */
    readonly hooks?: readonly MigrationHook[];
  };
  /** Where the site's zone is served. */
  readonly dns: DnsConfig;
  /** The site's hosts. */
  readonly hosts: readonly HostConfig[];
  /** The site's app instances. */
  readonly apps: readonly AppConfig[];
  /** Stateful resources get `protect` unless this is false. */
  readonly protect: boolean;
  /** The site's Garage and its buckets (storageConfig.ts). */
  readonly storage?: StorageConfig;
  /** Optional: the NetBox the site registers its hosts and apps in (inventoryConfig.ts). */
  readonly inventory?: InventoryConfig;
  /** Services the site uses from outside (e.g. an SMTP relay), so apps needing them are accepted. */
  readonly externalServices?: readonly Dependency[];
  /** How identity secrets are made: @pulumi/random + @pulumi/tls plugins (default) or the built-in provider. */
  readonly secrets?: "plugins" | "builtin";
  /** Optional: the site's identity realm (identityConfig.ts). */
  readonly identity?: IdentityConfig;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A field path as people read it: `site.hosts[0].address`. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : `${out}.${String(key)}`),
    "site",
  );
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known key closest to `key`, if it is close enough to be a typo of it. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const candidate of known) {
    const d = Math.min(
      distance(key.toLowerCase(), candidate.toLowerCase()),
      candidate.toLowerCase().startsWith(key.toLowerCase()) ? 1 : Infinity,
    );
    if (!best || d < best.d) best = { key: candidate, d };
  }
  return best && best.d <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

type AnySchema = z.ZodType;

/** The object schema at `path` inside the site schema (through lists and optionals). */
function schemaAt(path: readonly PropertyKey[]): AnySchema | undefined {
  const unwrap = (schema: AnySchema | undefined): AnySchema | undefined => {
    let s = schema as { def?: { type?: string; innerType?: AnySchema } } | undefined;
    while (s?.def && (s.def.type === "optional" || s.def.type === "default" || s.def.type === "nullable"))
      s = s.def.innerType as typeof s;
    return s as AnySchema | undefined;
  };
  let current = unwrap(siteSchema);
  for (const key of path) {
    const def = (
      current as { def?: { type?: string; shape?: Record<string, AnySchema>; element?: AnySchema } }
    )?.def;
    if (def?.type === "object" && typeof key === "string") current = unwrap(def.shape?.[key]);
    else if (def?.type === "array") current = unwrap(def.element);
    else return undefined;
  }
  return current;
}

/** Known keys of the mapping at `path`, for unknown-key messages. */
function knownKeys(path: readonly PropertyKey[]): string[] {
  const def = (schemaAt(path) as { def?: { shape?: Record<string, unknown> } } | undefined)?.def;
  return Object.keys(def?.shape ?? {});
}

/** Hints for keys that were valid in earlier versions of the config. */
const RENAMED: Record<string, string> = {
  "site.dns.apiUrl": 'the PowerDNS URL is now written as `endpoint: "https://..."` (or `endpoint: local`)',
};

/** The schema's findings, one problem per field (unknown keys one per key, with a suggestion). */
function shapeProblems(p: ConfigProblems, raw: unknown): Set<string> {
  const reported = new Set<string>();
  const result = siteSchema.safeParse(raw);
  if (result.success) return reported;
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(issue.path);
      for (const key of issue.keys) {
        const field = fieldPath([...issue.path, key]);
        const suggestion = didYouMean(key, known);
        const hint =
          RENAMED[field] ??
          (suggestion ? `did you mean "${suggestion}"?` : `the keys here are ${known.join(", ")}`);
        p.add(field, `is not a known key; ${hint}`);
        reported.add(field);
      }
      continue;
    }
    const field = fieldPath(issue.path);
    if (reported.has(field)) continue;
    p.add(field, issue.message);
    reported.add(field);
  }
  return reported;
}

type Raw = Record<string, unknown>;
const isObject = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const stringAt = (obj: Raw, key: string): string | undefined =>
  typeof obj[key] === "string" ? (obj[key] as string) : undefined;

/**
 * The checks beyond the shape, each reported only where the shape was right (`skip` holds the
 * fields the schema already reported), so one run lists every problem once.
 */
class SemanticChecks {
  constructor(
    private readonly p: ConfigProblems,
    private readonly skip: ReadonlySet<string>,
  ) {}

  add(field: string, message: string): void {
    if (![...this.skip].some((s) => field === s || field.startsWith(`${s}.`) || field.startsWith(`${s}[`)))
      this.p.add(field, message);
  }

  /** Domain, endpoint, server id and name servers, through the PowerDNS provider's own zone check. */
  dns(site: Raw): { domain: string; dns: DnsConfig } {
    const given = (stringAt(site, "domain") ?? "").replace(/\.$/, "");
    const dns = isObject(site.dns) ? site.dns : {};
    const endpointText = stringAt(dns, "endpoint");
    const local = endpointText === "local";
    const nameservers = Array.isArray(dns.nameservers) ? dns.nameservers : [];
    const checked = checkZoneInputs({
      // "local" is resolved later (from .state/env.json): check the rest with a stand-in URL.
      apiUrl: local || endpointText === undefined ? "http://127.0.0.1:8081" : endpointText,
      serverId: dns.serverId ?? "localhost",
      name: `${given}.`,
      // Without given name servers the default (ns1.<domain>.) stands or falls with the domain.
      nameservers: nameservers.length > 0 ? nameservers : ["ns1.example.org."],
    });
    const fields: Record<string, string> = {
      apiUrl: "site.dns.endpoint",
      serverId: "site.dns.serverId",
      name: "site.domain",
      nameservers: "site.dns.nameservers",
    };
    const reported = new Set<string>();
    for (const failure of checked.failures) {
      const field = fields[failure.property];
      // One problem per field: the first is the cause (an invalid entry makes the list "empty" too).
      if (!field || reported.has(field)) continue;
      reported.add(field);
      const reason =
        failure.property === "apiUrl"
          ? `${JSON.stringify(endpointText)} is neither "local" nor an http(s) URL such as "https://ns1.coop.example:8081"`
          : failure.reason;
      this.add(field, reason);
    }
    const zone = checked.failures.some((f) => f.property === "name")
      ? given
      : checked.inputs.name.replace(/\.$/, "");
    if (given && !reported.has("site.domain") && !zone.includes("."))
      this.add("site.domain", `"${given}" is not a domain name; write it like "coop.example"`);
    return {
      domain: zone,
      dns: {
        provider: "powerdns",
        endpoint: local ? "local" : { apiUrl: checked.inputs.apiUrl },
        serverId: checked.inputs.serverId,
        ttl: typeof dns.ttl === "number" ? dns.ttl : 3600,
        nameservers: nameservers.length > 0 ? (checked.inputs.nameservers ?? []) : [],
      },
    };
  }

  host(raw: unknown, i: number): HostConfig | undefined {
    if (!isObject(raw)) return undefined;
    const field = `site.hosts[${i}]`;
    const kind = (stringAt(raw, "kind") ?? "existing") as HostKind;
    if (!(IMPLEMENTED_HOST_KINDS as readonly string[]).includes(kind)) {
      this.add(
        `${field}.kind`,
        `"${kind}" hosts are not implemented yet (no component creates them); use kind: existing for a machine that already runs`,
      );
    }
    const given = stringAt(raw, "address");
    const address = given === ADDRESS_FROM_INVENTORY ? given : this.address(`${field}.address`, "A", given);
    const address6 = this.address(`${field}.address6`, "AAAA", stringAt(raw, "address6"));
    return {
      name: stringAt(raw, "name") ?? "",
      kind,
      address: address ?? "",
      ...(address6 !== undefined ? { address6 } : {}),
      ...(stringAt(raw, "proxmoxNode") !== undefined ? { proxmoxNode: stringAt(raw, "proxmoxNode") } : {}),
      ...parseHostPlacement((f, m) => this.add(f, m), raw, field),
      ...(typeof raw.memoryMiB === "number" ? { memoryMiB: raw.memoryMiB } : {}),
    };
  }

  /** An address as the record provider will store it (canonical IPv6), or its refusal. */
  private address(field: string, type: "A" | "AAAA", value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const checked = normalizeContent(type, value, "host.");
    if (!checked.ok) {
      this.add(field, checked.reason.replace(/ \((A|AAAA) records hold (e\.g\. .*)\)$/, " ($2)"));
      return value;
    }
    return checked.value;
  }

  app(raw: unknown, i: number, hosts: ReadonlySet<string>): AppConfig | undefined {
    if (!isObject(raw)) return undefined;
    const field = `site.apps[${i}]`;
    const appName = stringAt(raw, "app") ?? "";
    const choice = appName ? chooseApp(appName) : undefined;
    if (choice && !choice.ok) {
      this.add(`${field}.app`, choice.message);
      return undefined;
    }
    const app = appName as AppId;
    const host = stringAt(raw, "host") ?? "";
    if (host && !hosts.has(host)) {
      this.add(
        `${field}.host`,
        `"${host}" is not a host of this site; declare it under site.hosts or use one of ${[...hosts].join(", ") || "(none)"}`,
      );
    }
    const subdomain = stringAt(raw, "subdomain") ?? (appName ? appDefinition(app).defaultSubdomain : "");
    if (subdomain && !LABEL.test(subdomain))
      this.add(`${field}.subdomain`, `"${subdomain}" is not a DNS label (a-z, 0-9, "-")`);
    const domain = stringAt(raw, "domain")?.replace(/\.$/, "").toLowerCase();
    if (domain !== undefined && !(domain.includes(".") && domain.split(".").every((l) => LABEL.test(l))))
      this.add(`${field}.domain`, `"${domain}" is not a domain name; write it like "coop.example"`);
    const hooks = Array.isArray(raw.hooks) ? (raw.hooks as AppMigrationHook[]) : undefined;
    return {
      name: stringAt(raw, "name") ?? appName,
      app,
      host,
      subdomain,
      ...(domain ? { domain } : {}),
      ...(hooks ? { hooks } : {}),
    };
  }
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => v && values.indexOf(v) !== i))];
}

/**
 * Turns the stack's `sovereign:site` config into a typed, validated SiteConfig. Every problem is
 * reported at once, naming the field and the fix, before any resource exists: first the shape
 * (sdk/config/schema.ts: types, unknown keys with a suggestion), then the values, with the same
 * normalisers the providers use.
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
  const checks = new SemanticChecks(p, shapeProblems(p, site));
  const { domain, dns } = checks.dns(site);
  const rawHosts = Array.isArray(site.hosts) ? site.hosts : [];
  const hosts = rawHosts.map((h, i) => checks.host(h, i)).filter((h): h is HostConfig => h !== undefined);
  const hostNames = new Set(hosts.map((h) => h.name));
  const parsedApps = (Array.isArray(site.apps) ? site.apps : []).map((a, i) => ({
    app: checks.app(a, i, hostNames),
    i,
  }));
  const apps = parsedApps.map((x) => x.app).filter((a): a is AppConfig => a !== undefined);
  // Problems name the app's place in the config, also when an earlier entry was refused.
  const rawIndex = parsedApps.filter((x) => x.app !== undefined).map((x) => x.i);
  for (const dup of duplicates(hosts.map((h) => h.name)))
    checks.add("site.hosts", `host name "${dup}" is used twice`);
  for (const dup of duplicates(apps.map((a) => a.name)))
    checks.add("site.apps", `app name "${dup}" is used twice; give one a "name"`);
  for (const dup of duplicates(apps.map((a) => a.subdomain))) {
    const users = apps.filter((a) => a.subdomain === dup).map((a) => `"${a.name}"`);
    checks.add(
      "site.apps",
      `subdomain "${dup}" is used by apps ${users.join(" and ")}; give each its own subdomain`,
    );
  }
  apps.forEach((app, i) => {
    if (hostNames.has(app.subdomain)) {
      checks.add(
        `site.apps[${rawIndex[i]}].subdomain`,
        `"${app.subdomain}" is also a host name (a CNAME cannot share a name); pick another subdomain`,
      );
    }
  });
  hostPlacementProblems((f, m) => checks.add(f, m), hosts, domain, apps);
  const storage = parseStorage(p, site.storage);
  const inventory = parseInventory(p, site.inventory);
  const identity = parseIdentity(p, site.identity, typeof site.name === "string" ? site.name : "");
  if (identity) planOidcSecretDeliveries(hosts, apps, (f, m) => checks.add(f, m));
  if (identity) serviceAccountProblems(identity, apps, (f, m) => checks.add(f, m));
  hosts.forEach((host, i) => {
    if (host.address === ADDRESS_FROM_INVENTORY && !inventory?.prefix)
      checks.add(
        `site.hosts[${i}].address`,
        `"netbox" takes the address from site.inventory.prefix, which is not set; set it or give an IPv4 address`,
      );
  });
  const externalServices = (
    Array.isArray(site.externalServices) ? site.externalServices : []
  ) as Dependency[];
  // A site with a storage section has its own Garage: apps needing object storage are served.
  const provided: Dependency[] = [
    ...externalServices,
    ...(site.storage !== undefined ? ["objectStorage" as const] : []),
  ];
  placementProblems(hosts, apps, provided, checks, (i) => `site.apps[${rawIndex[i]}]`);
  const migrationRaw = site.migration as { hooks?: unknown } | undefined;
  const appNames = apps.map((a) => a.name);
  for (const problem of hookProblems("site.migration.hooks", migrationRaw?.hooks, appNames)) {
    const [field, ...rest] = problem.split(" ");
    if (/\.app |used twice/.test(problem)) checks.add(field, rest.join(" "));
  }
  // Two hooks making one step (an app's and the site's, or two apps'): named at the later one.
  const merged = siteHooks(
    apps,
    Array.isArray(migrationRaw?.hooks) ? (migrationRaw.hooks as MigrationHook[]) : [],
    rawIndex,
  );
  for (const problem of merged.problems)
    if (problem.message.startsWith("makes the step")) checks.add(problem.field, problem.message);
  if (site.standby !== undefined && site.standby === site.datacenter)
    checks.add(
      "site.standby",
      `is the same datacenter as site.datacenter ("${String(site.datacenter)}"); name another datacenter or remove standby`,
    );
  p.throwIfAny(`the site config "${typeof site.name === "string" ? site.name : "?"}"`);
  const typed = site as RawSiteConfig;
  return {
    ...(storage ? { storage } : {}),
    ...(inventory ? { inventory } : {}),
    ...(identity ? { identity } : {}),
    name: typed.name,
    domain,
    datacenter: typed.datacenter,
    ...(typed.standby ? { standby: typed.standby } : {}),
    migration: {
      keepSource: typed.migration?.keepSource ?? false,
      switchTtl: typed.migration?.switchTtl ?? 60,
      ...(typed.migration?.hooks ? { hooks: typed.migration.hooks } : {}),
    },
    dns,
    hosts,
    apps,
    protect: typed.protect !== false,
    ...(externalServices.length > 0 ? { externalServices } : {}),
    ...(typed.secrets ? { secrets: typed.secrets } : {}),
  };
}

/**
 * The site's migration hooks merged (sdk/migration/hookMerge.ts): each app's catalog hooks and
 * declared hooks, then the config's `migration.hooks`, then the program's. `rawIndex[i]` is the
 * place of `apps[i]` in the config's `site.apps` (for the problems' field names).
 */
export function siteHooks(
  apps: readonly AppConfig[],
  site: readonly MigrationHook[],
  rawIndex: readonly number[] = apps.map((_, i) => i),
  program: readonly MigrationHook[] = [],
) {
  return mergeHooks({
    apps: apps.map((a, i) => ({
      instance: a.name,
      catalog: appDefinition(a.app).migrationHooks ?? [],
      catalogField: `catalog.${a.app}.migrationHooks`,
      declared: a.hooks ?? [],
      declaredField: `site.apps[${rawIndex[i]}].hooks`,
    })),
    site,
    program,
  });
}
