/**
 * Pure planning for one deployed app instance: the state declarations replication and migration
 * read, the NixOS fragment for its host, and what federation needs (DNS records and the
 * /.well-known documents the domain must serve). AppService and FediService only wire these.
 */
import type { AppDefinition, IdentitySecret, ReplicationStrategy } from "./types";

/** One piece of an instance's state, as the replication and migration planners read it. */
export interface StateDeclaration {
  /** The app instance the state belongs to. */
  readonly app: string;
  /** The host (by name) the state lives on. */
  readonly host: string;
  /** What the state is: a database, a directory on the host, or an object-storage bucket. */
  readonly kind: "database" | "directory" | "bucket";
  /** Database or bucket name, or directory path. */
  readonly name: string;
  /** Databases: the engine that holds them. */
  readonly engine?: "postgresql" | "mysql";
  /** Databases: the locale they must be created with (see DatabaseState.locale). */
  readonly locale?: string;
  /** How the state is copied to another host or datacenter (see {@link REPLICATION_STRATEGIES}). */
  readonly strategy: ReplicationStrategy;
  /** Why this strategy was chosen, in one line (shown in migration plans). */
  readonly why: string;
  /** The services to stop before the final copy of a migration, so nothing is written meanwhile. */
  readonly stopForFinalCopy: readonly string[];
}

/**
 * The state declarations of one app instance on a host: the catalog's state with the instance's names
 * (databases and buckets of a second instance are named after it). Pure.
 */
export function planAppState(def: AppDefinition, instance: string, host: string): StateDeclaration[] {
  const own = instance === def.id;
  return def.state.map((s): StateDeclaration => {
    const common = {
      app: instance,
      host,
      strategy: s.strategy,
      why: s.why,
      stopForFinalCopy: s.stopForFinalCopy,
    };
    switch (s.kind) {
      case "database":
        return {
          ...common,
          kind: "database",
          engine: s.engine,
          name: own ? s.name : instance.replace(/-/g, "_"),
          ...(s.locale ? { locale: s.locale } : {}),
        };
      case "bucket":
        return { ...common, kind: "bucket", name: `${instance}-${s.name}` };
      case "directory":
        return { ...common, kind: "directory", name: s.path };
    }
  });
}

/** Where an instance's secret files are installed on its host. */
export function secretPath(instance: string, secret: IdentitySecret | string): string {
  return `/run/secrets/sovereign/${instance}/${typeof secret === "string" ? secret : secret.name}`;
}

/** A value the SDK can write into a NixOS option: scalars, lists and attribute sets (rendered by sdk/nix). */
export type NixValue =
  string | number | boolean | null | readonly NixValue[] | { readonly [k: string]: NixValue };

/**
 * The NixOS side of an app on its host: the options the catalog lists, with the values the SDK knows
 * (names, URLs, secret file paths). Options left `unresolved` are filled by the host from the site's
 * services (database host, SMTP relay, bucket credentials).
 */
export interface NixosFragment {
  /** The NixOS module's option prefix, e.g. "services.forgejo". */
  readonly module: string;
  /** Option path (relative to `module`) to the value the SDK sets, e.g. names, URLs and secret file paths. */
  readonly values: Readonly<Record<string, NixValue>>;
  /**
   * Option paths the catalog lists that the SDK cannot fill; the host sets them from the site's own
   * config.
   */
  readonly unresolved: readonly string[];
  /**
   * Secret name to the file path on the host where the secret is installed (under
   * /run/secrets/sovereign).
   */
  readonly secretFiles: Readonly<Record<string, string>>;
}

/**
 * Where an app instance runs: its instance name, public domain and database host, for planning its NixOS
 * fragment.
 */
export interface InstancePlace {
  /** The instance name (the app id, or the name given to a second instance). */
  readonly instance: string;
  /** The app's own name, e.g. "matrix.coop.example" (no trailing dot). */
  readonly fqdn: string;
  /** The federated identity's domain (fedi apps), e.g. "coop.example". */
  readonly domain?: string;
}

/** Known option suffixes and how their value follows from where the instance is placed. */
const KNOWN_VALUES: readonly [RegExp, (p: InstancePlace) => NixValue][] = [
  [/\.enable$/, () => true],
  [/\.settings\.server_name$/, (p) => p.domain ?? p.fqdn],
  [/\.localDomain$/, (p) => p.domain ?? p.fqdn],
  [/\.settings\.public_baseurl$/, (p) => `https://${p.fqdn}/`],
  [/\.settings\.server\.ROOT_URL$/, (p) => `https://${p.fqdn}/`],
  [/\.settings\.server\.DOMAIN$/, (p) => p.fqdn],
  [/\.(hostName|domain|settings\.domain|settings\.hostname|frontendHostname)$/, (p) => p.fqdn],
  [/\.settings\.httpUnsafeOrigin$/, (p) => `https://${p.fqdn}`],
  [/\.configureNginx$/, () => true],
];

/**
 * The NixOS fragment of an app instance (module options with the values the SDK knows), or undefined when
 * the app has no NixOS module. Pure.
 */
export function planNixosFragment(def: AppDefinition, place: InstancePlace): NixosFragment | undefined {
  if (!def.nixos) return undefined;
  const values: Record<string, NixValue> = {};
  const unresolved: string[] = [];
  for (const option of def.nixos.options) {
    const known = KNOWN_VALUES.find(([re]) => re.test(option));
    if (known) values[option] = known[1](place);
    else unresolved.push(option);
  }
  const secretFiles = Object.fromEntries(def.secrets.map((s) => [s.name, secretPath(place.instance, s)]));
  if (def.id === "matrix") {
    values["services.matrix-synapse.settings.signing_key_path"] = secretFiles["signing-key"];
    unresolved.splice(unresolved.indexOf("services.matrix-synapse.settings.signing_key_path"), 1);
  }
  return { module: def.nixos.module, values, unresolved, secretFiles };
}

/**
 * How a Matrix server name is delegated to the homeserver: an SRV record, a /.well-known document, or
 * both.
 */
export type MatrixDelegation = "srv" | "well-known" | "both";

/** A record set federation needs, relative names resolved to absolute ("_matrix._tcp.coop.example."). */
export interface FederationRecord {
  /** The record's name relative to the zone, e.g. "_matrix-fed._tcp". */
  readonly name: string;
  /** Always "SRV". */
  readonly type: "SRV";
  /** The SRV record contents: "<priority> <weight> <port> <target>.". */
  readonly records: readonly string[];
}

/** A document the web server of `domain` must serve (or a redirect it must answer with). */
export interface WellKnownDocument {
  /** The domain the document must be served on (the site's apex or the app's domain). */
  readonly domain: string;
  /** The URL path, e.g. "/.well-known/matrix/server". */
  readonly path: string;
  /** The document's media type. */
  readonly contentType: "application/json";
  /** The JSON body; absent when the app itself serves the document. */
  readonly body?: string;
  /** Answer with a 301 to this URL (WebFinger on a domain whose app runs elsewhere). */
  readonly redirect?: string;
}

/**
 * What federation needs outside the app: DNS records and the /.well-known documents its domain must
 * serve.
 */
export interface FederationPlan {
  /** SRV records to publish in the zone. */
  readonly records: readonly FederationRecord[];
  /** Documents the domain's web server must answer with. */
  readonly wellKnown: readonly WellKnownDocument[];
  /** Where WebFinger (acct:user@domain) is answered. */
  readonly webfingerHost?: string;
}

/** Matrix federation listens on 8448 unless delegated elsewhere; the SRV target carries the port. */
export const MATRIX_FEDERATION_PORT = 8448;

/**
 * The DNS records and /.well-known documents an app's federation needs (Matrix delegation, WebFinger for
 * ActivityPub). Pure.
 */
export function planFederation(
  def: AppDefinition,
  place: InstancePlace,
  delegation: MatrixDelegation = "both",
): FederationPlan {
  const domain = place.domain;
  if (!domain || def.federation.length === 0) return { records: [], wellKnown: [] };
  const records: FederationRecord[] = [];
  const wellKnown: WellKnownDocument[] = [];
  if (def.federation.includes("matrix")) {
    if (delegation !== "well-known") {
      // Matrix 1.8 looks up _matrix-fed._tcp first; older servers still ask for _matrix._tcp.
      const target = `10 0 ${MATRIX_FEDERATION_PORT} ${place.fqdn}.`;
      records.push({ name: `_matrix-fed._tcp.${domain}.`, type: "SRV", records: [target] });
      records.push({ name: `_matrix._tcp.${domain}.`, type: "SRV", records: [target] });
    }
    if (delegation !== "srv") {
      wellKnown.push({
        domain,
        path: "/.well-known/matrix/server",
        contentType: "application/json",
        body: JSON.stringify({ "m.server": `${place.fqdn}:443` }),
      });
      wellKnown.push({
        domain,
        path: "/.well-known/matrix/client",
        contentType: "application/json",
        body: JSON.stringify({ "m.homeserver": { base_url: `https://${place.fqdn}` } }),
      });
    }
  }
  let webfingerHost: string | undefined;
  if (def.federation.includes("activitypub")) {
    webfingerHost = place.fqdn;
    if (domain !== place.fqdn) {
      for (const path of ["/.well-known/webfinger", "/.well-known/host-meta", "/.well-known/nodeinfo"]) {
        wellKnown.push({
          domain,
          path,
          contentType: "application/json",
          redirect: `https://${place.fqdn}${path}`,
        });
      }
    }
  }
  return { records, wellKnown, ...(webfingerHost ? { webfingerHost } : {}) };
}
