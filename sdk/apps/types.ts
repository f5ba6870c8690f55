/**
 * The types of the app catalog, in one place. Every entry (sdk/apps/entries/<app>.ts) is plain data
 * of these types; the decisions over them (policy.ts, requirements.ts) are pure functions.
 */

/** Where a claim comes from: a URL, or the name of a document (e.g. "seed.md", a NixOS module path). */
export type Source = string;

/** One SWOT point. A `severe` threat is shown as a warning at every preview of a site that runs it. */
export interface SwotPoint {
  readonly text: string;
  readonly source: Source;
  readonly severe?: boolean;
}

/** Strengths, weaknesses, opportunities and threats: every app the cooperative runs carries one. */
export interface Swot {
  readonly strengths: readonly SwotPoint[];
  readonly weaknesses: readonly SwotPoint[];
  readonly opportunities: readonly SwotPoint[];
  readonly threats: readonly SwotPoint[];
}

export const SWOT_QUADRANTS = ["strengths", "weaknesses", "opportunities", "threats"] as const;
export type SwotQuadrant = (typeof SWOT_QUADRANTS)[number];

export interface Licence {
  /** SPDX licence expression, e.g. "AGPL-3.0-only" or "IPL-1.0 OR EPL-2.0". */
  readonly spdx: string;
  /** Open core = a free edition whose vendor holds features back for a paid one (refused by the cooperative). */
  readonly openCore: boolean;
  /** One line: why the verdict is what it is. */
  readonly reason: string;
  readonly source: Source;
}

/** How the app is installed on a NixOS host: the module and the option paths it needs. */
export interface NixosSetup {
  /** The module's option prefix, e.g. "services.matrix-synapse". */
  readonly module: string;
  /** Full option paths the SDK sets for it (real NixOS option names). */
  readonly options: readonly string[];
  /** Where the option names come from (the nixpkgs module file). */
  readonly optionsSource: Source;
}

/** How the app is installed where NixOS has no module for it (a plain Linux container or VM). */
export interface PlainLinuxRecipe {
  readonly distribution: string;
  readonly packages: readonly string[];
  readonly steps: readonly string[];
  readonly source: Source;
}

export type Protocol = "tcp" | "udp";

export interface PortSpec {
  readonly port: number;
  /** Last port of a range (e.g. WebRTC media), inclusive. */
  readonly to?: number;
  readonly protocol: Protocol;
  readonly purpose: string;
  /** Reachable from the internet (true) or only from the host/reverse proxy (false). */
  readonly public: boolean;
}

/** The least a host must give the app (one small instance, not a large one). */
export interface Requirements {
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly diskGiB: number;
  readonly source: Source;
}

/** What an app needs from the rest of the site. */
export const DEPENDENCIES = [
  "postgresql",
  "mysql",
  "redis",
  "smtp",
  "oidc",
  "objectStorage",
  "imap",
] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

export type Federation = "activitypub" | "matrix";

export const REPLICATION_STRATEGIES = [
  "db-streaming-replication",
  "stop-then-rsync",
  "zfs-send-receive",
  "s3-copy",
] as const;
/** How one piece of state travels to another datacenter. */
export type ReplicationStrategy = (typeof REPLICATION_STRATEGIES)[number];

interface StateBase {
  readonly strategy: ReplicationStrategy;
  /** Why this strategy fits this piece of state. */
  readonly why: string;
  /** What must be stopped so that the final copy is consistent (systemd units or processes). */
  readonly stopForFinalCopy: readonly string[];
}

export interface DatabaseState extends StateBase {
  readonly kind: "database";
  readonly engine: "postgresql" | "mysql";
  /** Database name (the instance name is used when several instances run on one site). */
  readonly name: string;
  /** libc locale (collation and ctype) the database must be created with, when the app requires one (Synapse: "C"). */
  readonly locale?: string;
}

export interface DirectoryState extends StateBase {
  readonly kind: "directory";
  readonly path: string;
}

export interface BucketState extends StateBase {
  readonly kind: "bucket";
  /** Bucket name suffix; the instance prefixes it (e.g. "matrix-media"). */
  readonly name: string;
}

export type StateItem = DatabaseState | DirectoryState | BucketState;

/** Secrets an app needs generated once and carried with the site (its identity). */
export type IdentitySecretKind = "random" | "ed25519" | "rsa";

export interface IdentitySecret {
  readonly name: string;
  readonly kind: IdentitySecretKind;
  readonly purpose: string;
}

export type AppCategory = "app" | "fediverse" | "core";

/** How an app signs its users in through the site's identity provider with OpenID Connect. */
export interface OidcSupport {
  /** Paths under the app's URL that the provider may redirect back to after sign-in. */
  readonly redirectPaths: readonly string[];
  /** A public client (single-page or native app): no client secret. Default false. */
  readonly publicClient?: boolean;
  /** Where the redirect path and the OIDC support are documented. */
  readonly source: Source;
}

export interface AppDefinition {
  readonly id: string;
  readonly title: string;
  readonly purpose: string;
  readonly category: AppCategory;
  readonly homepage: string;
  readonly licence: Licence;
  readonly swot: Swot;
  /** Exactly one of nixos / plainLinux says how it is installed. */
  readonly nixos?: NixosSetup;
  readonly plainLinux?: PlainLinuxRecipe;
  readonly ports: readonly PortSpec[];
  readonly requirements: Requirements;
  readonly dependencies: readonly Dependency[];
  /** What a site gets from running this app (core services provide what others depend on). */
  readonly provides?: readonly Dependency[];
  readonly federation: readonly Federation[];
  readonly state: readonly StateItem[];
  readonly secrets: readonly IdentitySecret[];
  readonly defaultSubdomain: string;
  /**
   * The system account the app's service runs as (made by its NixOS module or its package): the
   * secrets delivered for the app (its OIDC client secret...) are owned by it, mode 0400. Required
   * for an app with a confidential OIDC client (checked by systemUserProblems).
   */
  readonly systemUser?: SystemUser;
  /** Present when the app can sign its users in with the site's OpenID Connect provider. */
  readonly oidc?: OidcSupport;
}

/** A service's own system account and group on its host. */
export interface SystemUser {
  /** e.g. "forgejo" (NixOS: services.forgejo.user). */
  readonly user: string;
  readonly group: string;
  /** Where the name comes from (the NixOS module, the package or the recipe). */
  readonly source: Source;
}

/** Open-core software the cooperative refuses, and what the catalog offers instead. */
export interface RefusedApp {
  readonly id: string;
  readonly title: string;
  readonly reason: string;
  readonly source: Source;
  /** Catalog ids to use instead (one or a stack of them). */
  readonly alternative: readonly string[];
  readonly alternativeText: string;
}
