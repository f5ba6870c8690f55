import type { AppDefinition } from "../types";
import { mediaBucket, postgresDatabase, zfsDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/web-apps/mastodon.nix (services.mastodon).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/web-apps/mastodon.nix";
const DOCS = "https://docs.joinmastodon.org/admin/install/";
const INSTALL_MD =
  "https://raw.githubusercontent.com/mastodon/documentation/main/content/en/admin/install.md";
const STOP = ["mastodon-web.service", "mastodon-sidekiq-all.service", "mastodon-streaming.target"];

export const mastodon: AppDefinition = {
  id: "mastodon",
  title: "Mastodon",
  purpose: "microblogging (ActivityPub)",
  category: "fediverse",
  homepage: "https://joinmastodon.org/",
  licence: {
    spdx: "AGPL-3.0-only",
    openCore: false,
    reason: "one AGPL code base; the non-profit sells no held-back edition",
    source: "https://github.com/mastodon/mastodon",
  },
  swot: {
    strengths: [
      {
        text: "largest ActivityPub network, documented spec compliance (ActivityPub, WebFinger)",
        source: DOCS,
      },
      { text: "documented backup and migration to a new machine", source: DOCS },
    ],
    weaknesses: [
      { text: "many moving parts: Rails web, streaming, Sidekiq, PostgreSQL and Redis", source: INSTALL_MD },
      { text: "needs an SMTP server before it can sign anyone up", source: INSTALL_MD },
    ],
    opportunities: [
      { text: "media on S3-compatible object storage (Garage)", source: DOCS },
      { text: "single sign-on with the cooperative's identity provider", source: DOCS },
    ],
    threats: [
      { text: "moderation work grows with every open registration", source: DOCS },
      {
        text: "the remote media cache grows without bound unless pruned (mediaAutoRemove)",
        source: NIXOS_MODULE,
      },
    ],
  },
  nixos: {
    module: "services.mastodon",
    options: [
      "services.mastodon.enable",
      "services.mastodon.localDomain",
      "services.mastodon.configureNginx",
      "services.mastodon.streamingProcesses",
      "services.mastodon.smtp.fromAddress",
      "services.mastodon.smtp.host",
      "services.mastodon.database.createLocally",
      "services.mastodon.database.host",
      "services.mastodon.redis.createLocally",
      "services.mastodon.secretKeyBaseFile",
      "services.mastodon.mediaAutoRemove.enable",
      "services.mastodon.extraConfig",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [
    { port: 443, protocol: "tcp", purpose: "web and ActivityPub through nginx", public: true },
    { port: 55001, protocol: "tcp", purpose: "Rails web (puma) behind nginx", public: false },
  ],
  requirements: { cpus: 2, memoryMiB: 2048, diskGiB: 20, source: INSTALL_MD },
  dependencies: ["postgresql", "redis", "smtp", "objectStorage"],
  federation: ["activitypub"],
  state: [
    postgresDatabase("mastodon", STOP),
    zfsDirectory("/var/lib/mastodon/public-system", "uploaded and cached media when no bucket is set", STOP),
    mediaBucket("media", STOP),
  ],
  secrets: [
    { name: "secret-key-base", kind: "random", purpose: "Rails session and cookie signing" },
    { name: "otp-secret", kind: "random", purpose: "two-factor secrets encryption" },
  ],
  defaultSubdomain: "social",
  systemUser: { user: "mastodon", group: "mastodon", source: NIXOS_MODULE },
  oidc: {
    redirectPaths: ["/auth/auth/openid_connect/callback"],
    source: "https://docs.joinmastodon.org/admin/config/",
  },
};
