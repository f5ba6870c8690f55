/**
 * The catalog's decisions, as pure functions: is an app allowed (licence policy), which catalog id
 * did a typo mean, which threats must a preview warn about, and does a site give each app what it
 * needs (memory, a federation domain, its dependencies). Components and the site config only wire
 * their results.
 */
import { appDefinition, appIds, AppId, isAppId } from "./catalog";
import { refusal, refusedAppIds } from "./refused";
import { DEPENDENCIES, Dependency, SWOT_QUADRANTS, type AppDefinition } from "./types";

/** Where problems go: the site config's collector, or a plain list in tests. */
export interface ProblemSink {
  /** Records one problem at a config key such as "site.apps[0].app". */
  add(field: string, message: string): void;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** The catalog id closest to `name` (ties: the first in catalog order). */
export function nearestAppId(name: string): AppId {
  const wanted = name.toLowerCase();
  let best = appIds[0];
  let bestDistance = Infinity;
  for (const id of appIds) {
    // An id that contains the name (or the reverse) is a better guess than its raw distance says.
    const d = editDistance(wanted, id) - (id.includes(wanted) || wanted.includes(id) ? 0.5 : 0);
    if (d < bestDistance) {
      best = id;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * The outcome of the licence policy for a requested app: its id, or a message that names the refusal or
 * the nearest id.
 */
export type AppChoice =
  | {
      /** Accepted. */
      ok: true;
      /** The catalog id of the accepted app. */
      id: AppId;
    }
  | {
      /** Refused or unknown. */
      ok: false;
      /** Why, with the catalog's alternative or the nearest id. */
      message: string;
    };

/**
 * The licence policy for one requested app name: refused open-core software fails naming the app,
 * the reason (with its source) and the catalog's alternative; an unknown name suggests the nearest id.
 */
export function chooseApp(name: string): AppChoice {
  const refused = refusal(name);
  if (refused) {
    return {
      ok: false,
      message: `"${name}" (${refused.title}) is refused: ${refused.reason} [${refused.source}]; use ${refused.alternativeText} instead`,
    };
  }
  if (isAppId(name)) return { ok: true, id: name };
  return {
    ok: false,
    message: `"${name}" is not in the catalog; did you mean "${nearestAppId(name)}"? (catalog: ${appIds.join(", ")})`,
  };
}

/** One line per severe SWOT threat of the given apps: what a preview warns about. */
export function severeThreatWarnings(apps: readonly { name: string; app: AppId }[]): string[] {
  return apps.flatMap(({ name, app }) =>
    appDefinition(app)
      .swot.threats.filter((t) => t.severe)
      .map((t) => `app "${name}" (${appDefinition(app).title}): severe threat: ${t.text} [${t.source}]`),
  );
}

/** Dependencies a site must provide itself; mysql and redis are created on the app's own host by its module. */
export const SITE_DEPENDENCIES: readonly Dependency[] = [
  "postgresql",
  "smtp",
  "oidc",
  "objectStorage",
  "imap",
];

/** A host as the placement check sees it: its name and, when known, its memory. */
export interface PlacementHost {
  /** The host's name in the site config. */
  readonly name: string;
  /** The host's memory in MiB; without it the memory check is skipped. */
  readonly memoryMiB?: number;
}

/** An app instance as the placement check sees it. */
export interface PlacementApp {
  /** The instance name. */
  readonly name: string;
  /** The catalog id of the app. */
  readonly app: AppId;
  /** The host (by name) the instance is placed on. */
  readonly host: string;
  /** The instance's own domain, when it is not `<subdomain>.<site domain>`. */
  readonly domain?: string;
}

const PROVIDER_HINT: Record<Dependency, string> = {
  postgresql: 'add app "postgresql"',
  mysql: "set database.createLocally on its host",
  redis: "set redis.createLocally on its host",
  smtp: 'add app "mail" or list "smtp" under site.externalServices',
  imap: 'add app "mail"',
  oidc: 'add app "keycloak" or list "oidc" under site.externalServices',
  objectStorage: 'add app "garage" or list "objectStorage" under site.externalServices',
};

/** What the site provides: from the apps it runs, plus services it declares as external. */
export function providedServices(
  apps: readonly PlacementApp[],
  external: readonly Dependency[],
): Set<Dependency> {
  return new Set([...external, ...apps.flatMap((a) => appDefinition(a.app).provides ?? [])]);
}

/**
 * Whether each app fits where it is placed: its host has at least the app's minimum memory, a
 * federating app has a domain (its permanent federation identity), and the site provides each
 * dependency.
 */
export function placementProblems(
  hosts: readonly PlacementHost[],
  apps: readonly PlacementApp[],
  external: readonly Dependency[],
  problems: ProblemSink,
  fieldOf: (index: number) => string = (i) => `site.apps[${i}]`,
): void {
  const provided = providedServices(apps, external);
  federationDomainProblems(apps, problems, fieldOf);
  apps.forEach((placed, i) => {
    const def = appDefinition(placed.app);
    const host = hosts.find((h) => h.name === placed.host);
    const need = def.requirements.memoryMiB;
    if (host?.memoryMiB !== undefined && host.memoryMiB < need) {
      problems.add(
        `${fieldOf(i)}.host`,
        `"${placed.host}" has ${host.memoryMiB} MiB of memory but ${def.title} needs at least ${need} MiB; place it on a larger host or raise the host's memoryMiB`,
      );
    }
    if (def.federation.length > 0 && !placed.domain) {
      problems.add(
        `${fieldOf(i)}.domain`,
        `${def.title} federates (${def.federation.join(", ")}) and needs a domain: its federated identity, which can never change; set domain (e.g. the site's domain)`,
      );
    }
    if (def.federation.length === 0 && placed.domain) {
      problems.add(
        `${fieldOf(i)}.domain`,
        `${def.title} does not federate, so it has no federation domain; remove domain`,
      );
    }
    for (const dep of def.dependencies) {
      // mysql and redis come with the app's module on its own host.
      if (!SITE_DEPENDENCIES.includes(dep) || provided.has(dep)) continue;
      problems.add(
        `${fieldOf(i)}.app`,
        `${def.title} needs ${dep} but the site has none; ${PROVIDER_HINT[dep]}`,
      );
    }
  });
}

/** Two apps speaking the same federation protocol cannot share a domain: acct:user@domain would be ambiguous. */
export function federationDomainProblems(
  apps: readonly PlacementApp[],
  problems: ProblemSink,
  fieldOf: (index: number) => string = (i) => `site.apps[${i}]`,
): void {
  const claimed = new Map<string, string>();
  apps.forEach((placed, i) => {
    if (!placed.domain) return;
    for (const protocol of appDefinition(placed.app).federation) {
      const key = `${protocol} ${placed.domain}`;
      const other = claimed.get(key);
      if (other) {
        problems.add(
          `${fieldOf(i)}.domain`,
          `"${placed.domain}" is already the ${protocol} domain of app "${other}"; give "${placed.name}" its own domain (e.g. its subdomain)`,
        );
      } else claimed.set(key, placed.name);
    }
  });
}

/** A Linux system account or group name (useradd's rule). */
const SYSTEM_ACCOUNT = /^[a-z_][a-z0-9_-]{0,31}$/;

/** Every missing field and unsourced SWOT point of one entry (empty when complete). */
export function entryProblems(def: AppDefinition): string[] {
  const out: string[] = [];
  const need = (ok: unknown, what: string): void => {
    if (!ok) out.push(`${def.id}: ${what}`);
  };
  need(def.title && def.purpose && def.homepage, "title, purpose and homepage are required");
  need(/^[a-z][a-z0-9-]*$/.test(def.defaultSubdomain), "defaultSubdomain must be a DNS label");
  need(def.licence.spdx && def.licence.reason && def.licence.source, "licence needs spdx, reason and source");
  need(def.licence.openCore === false, "an open-core app cannot be in the catalog; list it in refused.ts");
  for (const quadrant of SWOT_QUADRANTS) {
    const points = def.swot[quadrant];
    need(points.length >= 2, `swot.${quadrant} needs at least 2 points (has ${points.length})`);
    points.forEach((p, i) => {
      need(p.text.trim().length > 0, `swot.${quadrant}[${i}] has no text`);
      need(
        isSource(p.source),
        `swot.${quadrant}[${i}] ("${p.text}") has no source (a URL or a document name)`,
      );
      need(
        !p.severe || quadrant === "threats",
        `swot.${quadrant}[${i}] is marked severe but only threats can be`,
      );
    });
  }
  need(Boolean(def.nixos) !== Boolean(def.plainLinux), "exactly one of nixos and plainLinux");
  if (def.nixos) {
    need(def.nixos.options.length > 0, "nixos.options is empty");
    need(
      def.nixos.options.every(
        (o) => o.startsWith(`${def.nixos?.module}.`) || /^services\.[a-z0-9-]+\./.test(o),
      ),
      "nixos.options must be full option paths (services.<module>.<option>)",
    );
    need(isSource(def.nixos.optionsSource), "nixos.optionsSource is required");
  }
  if (def.plainLinux)
    need(
      def.plainLinux.steps.length > 0 && isSource(def.plainLinux.source),
      "plainLinux needs steps and a source",
    );
  if (def.oidc && !def.oidc.publicClient)
    need(
      def.systemUser,
      'systemUser is required for an app with a confidential OIDC client: its client secret is delivered owned by that account (e.g. { user: "forgejo", group: "forgejo", source: <the NixOS module> })',
    );
  if (def.systemUser) {
    for (const field of ["user", "group"] as const)
      need(
        SYSTEM_ACCOUNT.test(def.systemUser[field]),
        `systemUser.${field} ${JSON.stringify(def.systemUser[field])} is not a system account name (lower-case letters, digits, "_", "-"; at most 32)`,
      );
    need(
      isSource(def.systemUser.source),
      "systemUser.source is required (where the account's name comes from)",
    );
  }
  need(def.ports.length > 0, "ports is empty");
  need(
    def.ports.every(
      (p) => Number.isInteger(p.port) && p.port > 0 && p.port < 65536 && (p.to ?? p.port) >= p.port,
    ),
    "ports must be 1..65535 (ranges from <= to)",
  );
  const r = def.requirements;
  need(
    r.cpus > 0 && r.memoryMiB > 0 && r.diskGiB > 0 && isSource(r.source),
    "requirements need cpus, memoryMiB, diskGiB and a source",
  );
  need(
    def.dependencies.every((d) => (DEPENDENCIES as readonly string[]).includes(d)),
    "unknown dependency",
  );
  need(def.state.length > 0, "state is empty: every app keeps something");
  for (const s of def.state) {
    const label = s.kind === "directory" ? s.path : s.name;
    need(s.why.length > 0, `state ${label} has no why`);
    need(s.stopForFinalCopy.length > 0, `state ${label} does not say what to stop for the final copy`);
  }
  need(!refusedAppIds.includes(def.id), "is both offered and refused");
  return out;
}

function isSource(source: string | undefined): boolean {
  if (!source || source.trim().length < 4) return false;
  if (/^https?:\/\//.test(source)) {
    try {
      return Boolean(new URL(source).hostname.includes("."));
    } catch {
      return false;
    }
  }
  return /[A-Za-z]/.test(source);
}
