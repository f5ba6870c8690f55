import type { AppDefinition } from "../types";
import { postgresDatabase, rsyncDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/mail/roundcube.nix (services.roundcube).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/mail/roundcube.nix";
const ABOUT = "https://web-production-4e80b.up.railway.app/page/Roundcube";
const CISA = "https://www.aigovhub.io/blog/roundcube-vulnerabilities-nis2-dora-compliance-2026";
const XSS = "https://www.sentinelone.com/vulnerability-database/cve-2026-48849/";
const STOP = ["phpfpm-roundcube.service"];

export const webmail: AppDefinition = {
  id: "webmail",
  title: "Roundcube",
  purpose: "webmail (core service)",
  category: "core",
  homepage: "https://roundcube.net/",
  licence: {
    spdx: "GPL-3.0-or-later",
    openCore: false,
    reason: "GPL webmail with no paid edition; stewarded by Nextcloud since 2023",
    source: ABOUT,
  },
  swot: {
    strengths: [
      { text: "desktop-like interface, plugins, 70+ languages", source: ABOUT },
      { text: "speaks plain IMAP, so it fits Cyrus (Dovecot is refused as open core)", source: ABOUT },
    ],
    weaknesses: [
      { text: "stored XSS bugs recur in HTML mail handling", source: XSS },
      { text: "a PHP application exposed to the internet with long production lifetimes", source: CISA },
    ],
    opportunities: [
      { text: "sustained development since Nextcloud took it over", source: ABOUT },
      { text: "one login with the cooperative's identity provider through plugins", source: ABOUT },
    ],
    threats: [
      {
        text: "actively exploited vulnerabilities (CISA KEV, 2026): patch within days of each release",
        source: CISA,
        severe: true,
      },
      { text: "state-sponsored groups have targeted Roundcube installations", source: CISA },
    ],
  },
  nixos: {
    module: "services.roundcube",
    options: [
      "services.roundcube.enable",
      "services.roundcube.hostName",
      "services.roundcube.configureNginx",
      "services.roundcube.database.host",
      "services.roundcube.database.dbname",
      "services.roundcube.database.username",
      "services.roundcube.database.passwordFile",
      "services.roundcube.plugins",
      "services.roundcube.maxAttachmentSize",
      "services.roundcube.extraConfig",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [{ port: 443, protocol: "tcp", purpose: "webmail through nginx", public: true }],
  requirements: { cpus: 1, memoryMiB: 256, diskGiB: 2, source: ABOUT },
  dependencies: ["postgresql", "imap", "smtp"],
  federation: [],
  state: [
    postgresDatabase("roundcube", STOP),
    rsyncDirectory("/var/lib/roundcube", "the des_key and local plugin settings", STOP),
  ],
  secrets: [{ name: "des-key", kind: "random", purpose: "encrypts the IMAP password in the session" }],
  defaultSubdomain: "webmail",
  systemUser: { user: "roundcube", group: "roundcube", source: NIXOS_MODULE },
  oidc: {
    redirectPaths: ["/index.php/login/oauth"],
    source: "https://github.com/roundcube/roundcubemail/wiki/Configuration:-OAuth2",
  },
};
