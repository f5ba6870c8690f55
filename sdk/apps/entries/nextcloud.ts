import type { AppDefinition } from "../types";
import { mediaBucket, postgresDatabase, rsyncDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/web-apps/nextcloud.nix (services.nextcloud).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/web-apps/nextcloud.nix";
const REQUIREMENTS =
  "https://raw.githubusercontent.com/nextcloud/documentation/master/admin_manual/installation/system_requirements.rst";
const PRIMARY_STORAGE =
  "https://docs.nextcloud.com/server/stable/admin_manual/configuration_files/primary_storage.html?highlight=primary+storage";
const STOP = ["phpfpm-nextcloud.service", "nextcloud-cron.timer"];

export const nextcloud: AppDefinition = {
  id: "nextcloud",
  title: "Nextcloud",
  purpose: "files, calendars and contacts",
  category: "app",
  homepage: "https://nextcloud.com/",
  licence: {
    spdx: "AGPL-3.0-or-later",
    openCore: false,
    reason:
      "the server and its apps are AGPL; the enterprise subscription sells support, not held-back features",
    source: "https://github.com/nextcloud/server",
  },
  swot: {
    strengths: [
      { text: "supports the cooperative's PostgreSQL (recommended version listed)", source: REQUIREMENTS },
      {
        text: "object storage as primary storage performs better than external storage",
        source: PRIMARY_STORAGE,
      },
    ],
    weaknesses: [
      {
        text: "primary object storage keeps all metadata in the database: bucket and database must move together",
        source: PRIMARY_STORAGE,
      },
      {
        text: "switching an existing instance to object storage makes its files inaccessible",
        source: PRIMARY_STORAGE,
      },
    ],
    opportunities: [
      {
        text: "replaces proprietary office clouds; SQLite-free multi-user setups are documented",
        source: REQUIREMENTS,
      },
      { text: "Garage can be its exclusive S3 bucket", source: PRIMARY_STORAGE },
    ],
    threats: [
      {
        text: "some platforms (e.g. Oracle databases) are only supported with an enterprise subscription",
        source: REQUIREMENTS,
      },
      { text: "backups must cover the bucket and the database at the same moment", source: PRIMARY_STORAGE },
    ],
  },
  nixos: {
    module: "services.nextcloud",
    options: [
      "services.nextcloud.enable",
      "services.nextcloud.package",
      "services.nextcloud.hostName",
      "services.nextcloud.https",
      "services.nextcloud.database.createLocally",
      "services.nextcloud.config.dbtype",
      "services.nextcloud.config.dbhost",
      "services.nextcloud.config.adminpassFile",
      "services.nextcloud.config.objectstore.s3.enable",
      "services.nextcloud.config.objectstore.s3.bucket",
      "services.nextcloud.config.objectstore.s3.hostname",
      "services.nextcloud.config.objectstore.s3.key",
      "services.nextcloud.config.objectstore.s3.secretFile",
      "services.nextcloud.configureRedis",
      "services.nextcloud.settings",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [
    { port: 443, protocol: "tcp", purpose: "web, WebDAV, CalDAV and CardDAV through nginx", public: true },
  ],
  requirements: { cpus: 2, memoryMiB: 1024, diskGiB: 10, source: REQUIREMENTS },
  dependencies: ["postgresql", "redis", "smtp", "objectStorage"],
  federation: [],
  state: [
    postgresDatabase("nextcloud", STOP),
    rsyncDirectory(
      "/var/lib/nextcloud/config",
      "config.php with the instance secret and the object-store settings",
      STOP,
    ),
    mediaBucket("files", STOP),
  ],
  secrets: [
    { name: "admin-password", kind: "random", purpose: "the initial admin account" },
    { name: "instance-secret", kind: "random", purpose: "config.php secret (encrypts and signs)" },
  ],
  defaultSubdomain: "cloud",
  systemUser: { user: "nextcloud", group: "nextcloud", source: NIXOS_MODULE },
  oidc: { redirectPaths: ["/apps/user_oidc/code"], source: "https://github.com/nextcloud/user_oidc" },
};
