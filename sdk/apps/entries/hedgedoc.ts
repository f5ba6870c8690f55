import type { AppDefinition } from "../types";
import { postgresDatabase, zfsDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/web-apps/hedgedoc.nix (services.hedgedoc).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/web-apps/hedgedoc.nix";
const REPO = "https://github.com/hedgedoc/hedgedoc/";
const RELEASES = "https://hedgedoc.org/releases/";
const ALPHA = "https://github.com/codimd/server/releases";
const ARCH = "https://archlinux.org/packages/extra-testing/any/hedgedoc/";
const STOP = ["hedgedoc.service"];

export const hedgedoc: AppDefinition = {
  id: "hedgedoc",
  title: "HedgeDoc",
  purpose: "collaborative Markdown notes",
  category: "app",
  homepage: "https://hedgedoc.org/",
  licence: {
    spdx: "AGPL-3.0-only",
    openCore: false,
    reason: "community project, one AGPL code base",
    source: ARCH,
  },
  swot: {
    strengths: [
      { text: "simple real-time collaborative Markdown editing", source: REPO },
      { text: "runs on PostgreSQL, MariaDB or SQLite", source: ARCH },
    ],
    weaknesses: [
      { text: "1.x is maintenance-only while 2.0 is rewritten", source: REPO },
      { text: "2.0 alphas change the schema without migrations", source: ALPHA },
    ],
    opportunities: [
      { text: "2.0 brings OpenID Connect login and S3 media storage", source: ALPHA },
      { text: "meeting notes beside the video meetings of Edumeet", source: REPO },
    ],
    threats: [
      { text: "security fixes keep coming for uploads (e.g. SVG script execution)", source: RELEASES },
      {
        text: "a data-loss bug with 5+ concurrent editors was only fixed in 1.10.8: stay current",
        source: RELEASES,
      },
    ],
  },
  nixos: {
    module: "services.hedgedoc",
    options: [
      "services.hedgedoc.enable",
      "services.hedgedoc.settings.domain",
      "services.hedgedoc.settings.port",
      "services.hedgedoc.settings.protocolUseSSL",
      "services.hedgedoc.settings.db",
      "services.hedgedoc.settings.uploadsPath",
      "services.hedgedoc.environmentFile",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [
    { port: 3000, protocol: "tcp", purpose: "web and websocket behind the reverse proxy", public: false },
    { port: 443, protocol: "tcp", purpose: "web through the reverse proxy", public: true },
  ],
  requirements: { cpus: 1, memoryMiB: 512, diskGiB: 5, source: ARCH },
  dependencies: ["postgresql"],
  federation: [],
  state: [
    postgresDatabase("hedgedoc", STOP),
    zfsDirectory("/var/lib/hedgedoc/uploads", "uploaded images", STOP),
  ],
  secrets: [{ name: "session-secret", kind: "random", purpose: "CMD_SESSION_SECRET" }],
  defaultSubdomain: "pad",
  systemUser: { user: "hedgedoc", group: "hedgedoc", source: NIXOS_MODULE },
  oidc: {
    redirectPaths: ["/auth/oauth2/callback"],
    source: "https://docs.hedgedoc.org/guides/auth/keycloak/",
  },
};
