/**
 * The types of the app catalog, in one place. Every entry (sdk/apps/entries/<app>.ts) is plain data
 * of these types; the decisions over them (policy.ts, requirements.ts) are pure functions.
 */

import type { AppMigrationHook } from "../migration/hookMerge";

/** Where a claim comes from: a URL, or the name of a document (e.g. "seed.md", a NixOS module path). */
export type Source = string;

/** One SWOT point. A `severe` threat is shown as a warning at every preview of a site that runs it. */
export interface SwotPoint {
  /** The claim, in one sentence. */
  readonly text: string;
  /** Where the claim comes from. */
  readonly source: Source;
  /** Threats only: shown as a warning at every preview of a site that runs the app. */
  readonly severe?: boolean;
}

/** Strengths, weaknesses, opportunities and threats: every app the cooperative runs carries one. */
export interface Swot {
  /** What the app does well. */
  readonly strengths: readonly SwotPoint[];
  /** What it does badly or lacks. */
  readonly weaknesses: readonly SwotPoint[];
  /** What running it opens up for the cooperative. */
  readonly opportunities: readonly SwotPoint[];
  /** What could go wrong (security, maintenance, vendor). */
  readonly threats: readonly SwotPoint[];
}

/** The four SWOT quadrants, in their usual order. */
export const SWOT_QUADRANTS = ["strengths", "weaknesses", "opportunities", "threats"] as const;
/** One of the four SWOT quadrants. */
export type SwotQuadrant = (typeof SWOT_QUADRANTS)[number];

/** An app's licence and the cooperative's verdict on it. */
export interface Licence {
  /** SPDX licence expression, e.g. "AGPL-3.0-only" or "IPL-1.0 OR EPL-2.0". */
  readonly spdx: string;
  /** Open core = a free edition whose vendor holds features back for a paid one (refused by the cooperative). */
  readonly openCore: boolean;
  /** One line: why the verdict is what it is. */
  readonly reason: string;
  /** Where the licence facts come from. */
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
  /** The distribution the recipe is written for, e.g. "debian-13". */
  readonly distribution: string;
  /** Distribution packages to install. */
  readonly packages: readonly string[];
  /** Shell steps run after the packages are installed, in order. */
  readonly steps: readonly string[];
  /** Where the recipe comes from (the app's install documentation). */
  readonly source: Source;
}

/** A transport protocol of a port. */
export type Protocol = "tcp" | "udp";

/** A port the app listens on. */
export interface PortSpec {
  /** The port number (1 to 65535). */
  readonly port: number;
  /** Last port of a range (e.g. WebRTC media), inclusive. */
  readonly to?: number;
  /** Its transport protocol. */
  readonly protocol: Protocol;
  /** What the port is for, e.g. "HTTP behind the reverse proxy". */
  readonly purpose: string;
  /** Reachable from the internet (true) or only from the host/reverse proxy (false). */
  readonly public: boolean;
}

/** The least a host must give the app (one small instance, not a large one). */
export interface Requirements {
  /** CPU cores the app needs for a small cooperative's use. */
  readonly cpus: number;
  /** Memory it needs, in MiB (used by the placement check). */
  readonly memoryMiB: number;
  /** Disk it needs, in GiB (without user data). */
  readonly diskGiB: number;
  /** Where the figures come from. */
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
/** A service an app depends on (a database engine, object storage, SMTP, OIDC, ...). */
export type Dependency = (typeof DEPENDENCIES)[number];

/** A federation protocol an app speaks. */
export type Federation = "activitypub" | "matrix";

/**
 * How state is copied between hosts: the replication strategies, from continuous streaming to a copy at
 * cutover.
 */
export const REPLICATION_STRATEGIES = [
  "db-streaming-replication",
  "stop-then-rsync",
  "zfs-send-receive",
  "s3-copy",
] as const;
/** How one piece of state travels to another datacenter. */
export type ReplicationStrategy = (typeof REPLICATION_STRATEGIES)[number];

interface StateBase {
  /** How this piece of state is copied to another host or datacenter. */
  readonly strategy: ReplicationStrategy;
  /** Why this strategy fits this piece of state. */
  readonly why: string;
  /** What must be stopped so that the final copy is consistent (systemd units or processes). */
  readonly stopForFinalCopy: readonly string[];
}

/** A database an app keeps. */
export interface DatabaseState extends StateBase {
  /** Always "database". */
  readonly kind: "database";
  /** The database engine. */
  readonly engine: "postgresql" | "mysql";
  /** Database name (the instance name is used when several instances run on one site). */
  readonly name: string;
  /** libc locale (collation and ctype) the database must be created with, when the app requires one (Synapse: "C"). */
  readonly locale?: string;
}

/** A directory on the host an app keeps its files in. */
export interface DirectoryState extends StateBase {
  /** Always "directory". */
  readonly kind: "directory";
  /** The directory's absolute path on the host. */
  readonly path: string;
}

/** An object-storage bucket an app keeps files in. */
export interface BucketState extends StateBase {
  /** Always "bucket". */
  readonly kind: "bucket";
  /** Bucket name suffix; the instance prefixes it (e.g. "matrix-media"). */
  readonly name: string;
}

/** One piece of an app's state: a database, a directory or a bucket. */
export type StateItem = DatabaseState | DirectoryState | BucketState;

/** Secrets an app needs generated once and carried with the site (its identity). */
export type IdentitySecretKind = "random" | "ed25519" | "rsa";

/** A secret an app needs (generated by the SDK and installed on the host as a file). */
export interface IdentitySecret {
  /** The secret's name (also its file name under /run/secrets/sovereign/<instance>/). */
  readonly name: string;
  /** What kind of secret it is (how it is generated). */
  readonly kind: IdentitySecretKind;
  /** What the app uses it for. */
  readonly purpose: string;
}

/** Catalog category: an ordinary app, a federated (fediverse) app, or a core service of the site. */
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

/**
 * An app in the catalog: what it is, its licence verdict, SWOT, how it is installed, what it needs and
 * keeps.
 */
export interface AppDefinition {
  /** The app's id (the catalog key), e.g. "forgejo". */
  readonly id: string;
  /** Its display name. */
  readonly title: string;
  /** What the cooperative runs it for, in one line. */
  readonly purpose: string;
  /** Its category. */
  readonly category: AppCategory;
  /** The project's home page. */
  readonly homepage: string;
  /** Its licence and the cooperative's verdict. */
  readonly licence: Licence;
  /** Its SWOT analysis. */
  readonly swot: Swot;
  /** Exactly one of nixos / plainLinux says how it is installed. */
  readonly nixos?: NixosSetup;
  /** How to install it where NixOS has no module for it. */
  readonly plainLinux?: PlainLinuxRecipe;
  /** The ports it listens on. */
  readonly ports: readonly PortSpec[];
  /** The resources it needs. */
  readonly requirements: Requirements;
  /** The services it depends on. */
  readonly dependencies: readonly Dependency[];
  /** What a site gets from running this app (core services provide what others depend on). */
  readonly provides?: readonly Dependency[];
  /** The federation protocols it speaks (empty for a non-federated app). */
  readonly federation: readonly Federation[];
  /** The state it keeps (what migration copies). */
  readonly state: readonly StateItem[];
  /** The secrets it needs. */
  readonly secrets: readonly IdentitySecret[];
  /** The subdomain it gets when the site config gives none, e.g. "git". */
  readonly defaultSubdomain: string;
  /**
   * The system account the app's service runs as (made by its NixOS module or its package): the
   * secrets delivered for the app (its OIDC client secret...) are owned by it, mode 0400. Required
   * for an app with a confidential OIDC client (checked by systemUserProblems).
   */
  readonly systemUser?: SystemUser;
  /** Present when the app can sign its users in with the site's OpenID Connect provider. */
  readonly oidc?: OidcSupport;
  /**
   * Scripts every site running the app plugs into its migrations (flush before the final copy,
   * fix-ups after the restore...), at the site hooks' five points (sdk/migration/hooks.ts), on the
   * app's host; merged with the site's hooks in the order sdk/migration/hookMerge.ts documents.
   */
  readonly migrationHooks?: readonly AppMigrationHook[];
}

/** A service's own system account and group on its host. */
export interface SystemUser {
  /** e.g. "forgejo" (NixOS: services.forgejo.user). */
  readonly user: string;
  /** Its primary group, e.g. "forgejo"; delivered secrets are owned by user:group. */
  readonly group: string;
  /** Where the name comes from (the NixOS module, the package or the recipe). */
  readonly source: Source;
}

/** Open-core software the cooperative refuses, and what the catalog offers instead. */
export interface RefusedApp {
  /** The refused app's name as a user would request it. */
  readonly id: string;
  /** Its display name. */
  readonly title: string;
  /** Why the cooperative refuses it (e.g. open core). */
  readonly reason: string;
  /** Where the reason comes from. */
  readonly source: Source;
  /** Catalog ids to use instead (one or a stack of them). */
  readonly alternative: readonly string[];
  /** The catalog app to use instead, in words. */
  readonly alternativeText: string;
}
