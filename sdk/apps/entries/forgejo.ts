import type { AppDefinition } from "../types";
import { postgresDatabase, rsyncDirectory, zfsDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/misc/forgejo.nix (services.forgejo).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/misc/forgejo.nix";
const FAQ = "https://forgejo.org/faq/";
const DATABASE = "https://forgejo.org/docs/latest/admin/database-preparation";
const LICENCE =
  "https://prohoster.info/en/blog/novosti-interneta/platforma-sovmestnoj-razrabotki-forgejo-perehodit-s-liczenzii-mit-na-gplv3";
const STOP = ["forgejo.service"];

export const forgejo: AppDefinition = {
  id: "forgejo",
  title: "Forgejo",
  purpose: "git hosting, issues and CI",
  category: "app",
  homepage: "https://forgejo.org/",
  licence: {
    spdx: "GPL-3.0-or-later",
    openCore: false,
    reason: "copyleft since v9; the domains are held by the non-profit Codeberg e.V., no paid edition exists",
    source: LICENCE,
  },
  swot: {
    strengths: [
      { text: "community governance under a non-profit (Codeberg e.V.)", source: FAQ },
      { text: "a single Go binary on PostgreSQL; SQLite for the smallest sites", source: DATABASE },
    ],
    weaknesses: [
      { text: "federation between forges is still being built", source: FAQ },
      { text: "a hard fork of Gitea, so fixes must be carried over by its own team", source: FAQ },
    ],
    opportunities: [
      {
        text: "home for members leaving GitLab or GitHub (GitLab is refused as open core)",
        source: "https://about.gitlab.com/stewardship/",
      },
      { text: "GPLv3 guards against proprietary, vendor-locked derivatives", source: LICENCE },
    ],
    threats: [
      { text: "Gitea, its upstream, moved to a for-profit company: divergence grows", source: FAQ },
      { text: "large repositories and LFS objects make the data directory grow fast", source: DATABASE },
    ],
  },
  nixos: {
    module: "services.forgejo",
    options: [
      "services.forgejo.enable",
      "services.forgejo.database.type",
      "services.forgejo.database.host",
      "services.forgejo.database.createDatabase",
      "services.forgejo.settings.server.DOMAIN",
      "services.forgejo.settings.server.ROOT_URL",
      "services.forgejo.settings.server.HTTP_PORT",
      "services.forgejo.settings.mailer.ENABLED",
      "services.forgejo.lfs.enable",
      "services.forgejo.stateDir",
      "services.forgejo.secrets",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [
    { port: 3000, protocol: "tcp", purpose: "web behind the reverse proxy", public: false },
    { port: 22, protocol: "tcp", purpose: "git over SSH", public: true },
    { port: 443, protocol: "tcp", purpose: "web and git over HTTPS", public: true },
  ],
  requirements: { cpus: 1, memoryMiB: 512, diskGiB: 10, source: DATABASE },
  dependencies: ["postgresql", "smtp"],
  federation: [],
  state: [
    postgresDatabase("forgejo", STOP),
    zfsDirectory("/var/lib/forgejo/repositories", "git repositories and LFS objects", STOP),
    rsyncDirectory("/var/lib/forgejo/custom", "app.ini and the instance secrets", STOP),
  ],
  secrets: [
    { name: "secret-key", kind: "random", purpose: "security.SECRET_KEY" },
    { name: "internal-token", kind: "random", purpose: "security.INTERNAL_TOKEN" },
  ],
  defaultSubdomain: "git",
  systemUser: { user: "forgejo", group: "forgejo", source: NIXOS_MODULE },
  oidc: {
    redirectPaths: ["/user/oauth2/sovereign/callback"],
    source: "https://forgejo.org/docs/latest/user/oauth2-provider/",
  },
};
