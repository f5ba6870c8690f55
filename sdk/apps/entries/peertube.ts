import type { AppDefinition } from "../types";
import { mediaBucket, postgresDatabase, zfsDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/web-apps/peertube.nix (services.peertube).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/web-apps/peertube.nix";
const INSTALL = "https://docs.joinpeertube.org/install-any-os";
const COSTS = "https://github.com/Chocobozzz/PeerTube/issues/5783";
const SIZING = "https://gist.github.com/kimsible/0d7e2328d01591e64ab459c9fbf327ac";
const PACKAGE = "https://raw.githubusercontent.com/Chocobozzz/PeerTube/develop/package.json";
const STOP = ["peertube.service"];

export const peertube: AppDefinition = {
  id: "peertube",
  title: "PeerTube",
  purpose: "video hosting (ActivityPub)",
  category: "fediverse",
  homepage: "https://joinpeertube.org/",
  licence: {
    spdx: "AGPL-3.0-only",
    openCore: false,
    reason: "developed by the non-profit Framasoft as one AGPL code base",
    source: PACKAGE,
  },
  swot: {
    strengths: [
      {
        text: "peer-to-peer assisted delivery spreads the load of popular videos",
        source: "https://github.com/KRtekTM/PeerTube",
      },
      { text: "a documented production install on PostgreSQL and Redis", source: INSTALL },
    ],
    weaknesses: [
      { text: "transcoding is CPU heavy; small CPUs transcode slowly", source: SIZING },
      { text: "needs PostgreSQL extensions (pg_trgm, unaccent) created by a superuser", source: INSTALL },
    ],
    opportunities: [
      {
        text: "education and public broadcasters looking for a non-commercial video platform",
        source: "https://github.com/brainzhang-javascript/PeerTube",
      },
      { text: "videos on object storage keep the hosts' disks small", source: COSTS },
    ],
    threats: [
      {
        text: "storage is the dominant, permanent cost; instances die when it outgrows their budget",
        source: COSTS,
        severe: true,
      },
      { text: "a low-bandwidth link slows the whole federation down", source: INSTALL },
    ],
  },
  nixos: {
    module: "services.peertube",
    options: [
      "services.peertube.enable",
      "services.peertube.localDomain",
      "services.peertube.listenWeb",
      "services.peertube.listenHttp",
      "services.peertube.enableWebHttps",
      "services.peertube.configureNginx",
      "services.peertube.database.createLocally",
      "services.peertube.database.host",
      "services.peertube.redis.createLocally",
      "services.peertube.secrets.secretsFile",
      "services.peertube.settings",
      "services.peertube.dataDirs",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [
    { port: 443, protocol: "tcp", purpose: "web, ActivityPub and HLS through nginx", public: true },
    { port: 9000, protocol: "tcp", purpose: "PeerTube's own HTTP listener behind nginx", public: false },
  ],
  requirements: { cpus: 2, memoryMiB: 2048, diskGiB: 50, source: SIZING },
  dependencies: ["postgresql", "redis", "smtp", "objectStorage"],
  federation: ["activitypub"],
  state: [
    postgresDatabase("peertube", STOP),
    zfsDirectory("/var/lib/peertube", "videos, previews and captions not yet moved to the bucket", STOP),
    mediaBucket("videos", STOP),
  ],
  secrets: [{ name: "peertube-secret", kind: "random", purpose: "secrets.peertube (signs tokens)" }],
  defaultSubdomain: "video",
  systemUser: { user: "peertube", group: "peertube", source: NIXOS_MODULE },
  oidc: {
    redirectPaths: ["/plugins/auth-openid-connect/router/code-cb"],
    source:
      "https://framagit.org/framasoft/peertube/official-plugins/-/tree/master/peertube-plugin-auth-openid-connect",
  },
};
