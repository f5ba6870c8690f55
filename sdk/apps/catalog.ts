import { Swot } from "./swot";

/** Where an app's state lives; the replication planner picks a strategy per kind. */
export interface AppState {
  /** Databases the app keeps (replicated live, asynchronously). */
  readonly databases: readonly ("postgresql" | "mysql")[];
  /** Directories on the host's exclusive file system (ZFS send/receive or stop-and-rsync). */
  readonly paths: readonly string[];
  /** Whether media/objects can live in S3-compatible blob storage (Garage). */
  readonly blobStorage: boolean;
}

export interface AppDefinition {
  readonly id: string;
  readonly title: string;
  readonly purpose: string;
  readonly license: string;
  /** The NixOS option that configures it, or undefined where it runs on a plain Linux container. */
  readonly nixosService?: string;
  readonly defaultSubdomain: string;
  readonly fediverse: boolean;
  readonly state: AppState;
  readonly swot: Swot;
}

const catalog = {
  nextcloud: {
    id: "nextcloud",
    title: "Nextcloud",
    purpose: "files, calendars and contacts",
    license: "AGPL-3.0-or-later",
    nixosService: "services.nextcloud",
    defaultSubdomain: "cloud",
    fediverse: false,
    state: { databases: ["postgresql"], paths: ["/var/lib/nextcloud"], blobStorage: true },
    swot: {
      strengths: ["mature, large app ecosystem", "well-kept NixOS module"],
      weaknesses: ["PHP upgrades must go one major at a time", "slow with many small files"],
      opportunities: ["replaces proprietary office clouds for members", "S3 primary storage on Garage"],
      threats: ["enterprise features drift toward the company's paid offering"],
    },
  },
  forgejo: {
    id: "forgejo",
    title: "Forgejo",
    purpose: "git hosting, issues and CI",
    license: "GPL-3.0-or-later",
    nixosService: "services.forgejo",
    defaultSubdomain: "git",
    fediverse: true,
    state: { databases: ["postgresql"], paths: ["/var/lib/forgejo"], blobStorage: true },
    swot: {
      strengths: ["community governed (Codeberg e.V.)", "light on resources"],
      weaknesses: ["federation is still experimental"],
      opportunities: ["home for members leaving GitLab/GitHub"],
      threats: ["small core team"],
    },
  },
  hedgedoc: {
    id: "hedgedoc",
    title: "HedgeDoc",
    purpose: "collaborative Markdown notes",
    license: "AGPL-3.0-only",
    nixosService: "services.hedgedoc",
    defaultSubdomain: "pad",
    fediverse: false,
    state: { databases: ["postgresql"], paths: ["/var/lib/hedgedoc"], blobStorage: true },
    swot: {
      strengths: ["simple, fast real-time editing"],
      weaknesses: ["2.0 rewrite has been long in coming"],
      opportunities: ["meeting notes next to Edumeet"],
      threats: ["volunteer maintained"],
    },
  },
  edumeet: {
    id: "edumeet",
    title: "Edumeet",
    purpose: "video meetings (WebRTC SFU)",
    license: "MIT",
    defaultSubdomain: "meet",
    fediverse: false,
    state: { databases: [], paths: ["/etc/edumeet"], blobStorage: false },
    swot: {
      strengths: ["no account needed to join", "scales with mediasoup workers"],
      weaknesses: ["no NixOS module: runs in a plain Linux container"],
      opportunities: ["research and education networks use it"],
      threats: ["needs open UDP ranges at every provider"],
    },
  },
  webmail: {
    id: "webmail",
    title: "Roundcube",
    purpose: "webmail",
    license: "GPL-3.0-or-later",
    nixosService: "services.roundcube",
    defaultSubdomain: "webmail",
    fediverse: false,
    state: { databases: ["postgresql"], paths: [], blobStorage: false },
    swot: {
      strengths: ["familiar interface, plugins"],
      weaknesses: ["needs an IMAP server that is not open core"],
      opportunities: ["one login with the cooperative's identity service"],
      threats: ["frequent XSS advisories: update promptly"],
    },
  },
  documents: {
    id: "documents",
    title: "CryptPad",
    purpose: "end-to-end encrypted document collaboration",
    license: "AGPL-3.0-or-later",
    nixosService: "services.cryptpad",
    defaultSubdomain: "docs",
    fediverse: false,
    state: { databases: [], paths: ["/var/lib/cryptpad"], blobStorage: false },
    swot: {
      strengths: ["server never sees document contents"],
      weaknesses: ["needs two origins (sandbox domain)"],
      opportunities: ["secure collaboration for members handling sensitive data"],
      threats: ["lost passwords mean lost documents"],
    },
  },
  planning: {
    id: "planning",
    title: "Vikunja",
    purpose: "project planning and task lists",
    license: "AGPL-3.0-or-later",
    nixosService: "services.vikunja",
    defaultSubdomain: "plan",
    fediverse: false,
    state: { databases: ["postgresql"], paths: ["/var/lib/vikunja"], blobStorage: false },
    swot: {
      strengths: ["single binary, small footprint", "kanban, gantt and lists"],
      weaknesses: ["small team"],
      opportunities: ["replaces Trello-like services"],
      threats: ["feature gaps compared to large suites"],
    },
  },
  matrix: {
    id: "matrix",
    title: "Matrix (Synapse)",
    purpose: "federated chat",
    license: "AGPL-3.0-or-later",
    nixosService: "services.matrix-synapse",
    defaultSubdomain: "matrix",
    fediverse: true,
    state: { databases: ["postgresql"], paths: ["/var/lib/matrix-synapse"], blobStorage: true },
    swot: {
      strengths: ["open standard, bridges to other networks"],
      weaknesses: ["database grows fast with large rooms"],
      opportunities: ["public-sector adoption"],
      threats: ["server_name cannot change after launch: choose it once"],
    },
  },
  mastodon: {
    id: "mastodon",
    title: "Mastodon",
    purpose: "microblogging (ActivityPub)",
    license: "AGPL-3.0-only",
    nixosService: "services.mastodon",
    defaultSubdomain: "social",
    fediverse: true,
    state: { databases: ["postgresql"], paths: ["/var/lib/mastodon"], blobStorage: true },
    swot: {
      strengths: ["largest fediverse network"],
      weaknesses: ["media cache grows without bound unless pruned"],
      opportunities: ["members leaving commercial social networks"],
      threats: ["moderation load"],
    },
  },
  pixelfed: {
    id: "pixelfed",
    title: "Pixelfed",
    purpose: "photo sharing (ActivityPub)",
    license: "AGPL-3.0-only",
    nixosService: "services.pixelfed",
    defaultSubdomain: "photos",
    fediverse: true,
    state: { databases: ["mysql"], paths: ["/var/lib/pixelfed"], blobStorage: true },
    swot: {
      strengths: ["familiar photo-feed experience"],
      weaknesses: ["few maintainers"],
      opportunities: ["creators moving off Instagram"],
      threats: ["storage costs of images"],
    },
  },
  peertube: {
    id: "peertube",
    title: "PeerTube",
    purpose: "video hosting (ActivityPub)",
    license: "AGPL-3.0-only",
    nixosService: "services.peertube",
    defaultSubdomain: "video",
    fediverse: true,
    state: { databases: ["postgresql"], paths: ["/var/lib/peertube"], blobStorage: true },
    swot: {
      strengths: ["P2P-assisted delivery", "object storage support"],
      weaknesses: ["transcoding is CPU heavy"],
      opportunities: ["education and public broadcasters"],
      threats: ["storage and bandwidth costs"],
    },
  },
  owncast: {
    id: "owncast",
    title: "Owncast",
    purpose: "live streaming and chat",
    license: "MIT",
    nixosService: "services.owncast",
    defaultSubdomain: "live",
    fediverse: true,
    state: { databases: [], paths: ["/var/lib/owncast"], blobStorage: true },
    swot: {
      strengths: ["single binary, easy to run"],
      weaknesses: ["one stream per instance"],
      opportunities: ["events of member organisations"],
      threats: ["bandwidth spikes"],
    },
  },
  castopod: {
    id: "castopod",
    title: "Castopod",
    purpose: "podcast hosting (ActivityPub)",
    license: "AGPL-3.0-only",
    nixosService: "services.castopod",
    defaultSubdomain: "podcasts",
    fediverse: true,
    state: { databases: ["mysql"], paths: ["/var/lib/castopod"], blobStorage: true },
    swot: {
      strengths: ["podcasting 2.0 features, fediverse comments"],
      weaknesses: ["MySQL/MariaDB only"],
      opportunities: ["community radio"],
      threats: ["small project"],
    },
  },
} as const satisfies Record<string, AppDefinition>;

export type AppId = keyof typeof catalog;

export const appIds = Object.keys(catalog) as AppId[];

export function appDefinition(id: AppId): AppDefinition {
  return catalog[id];
}

export function isAppId(value: string): value is AppId {
  return Object.prototype.hasOwnProperty.call(catalog, value);
}
