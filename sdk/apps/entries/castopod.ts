import type { AppDefinition } from "../types";
import { mediaBucket, mysqlDatabase, zfsDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/web-apps/castopod.nix (services.castopod).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/web-apps/castopod.nix";
const COMPOSER = "https://raw.githubusercontent.com/ad-aures/castopod/develop/composer.json";
const UNRAID = "https://raw.githubusercontent.com/nwithan8/unraid_templates/main/templates/castopod.xml";
const MIRROR = "https://www.github.com/topics/castopod";
const STOP = ["phpfpm-castopod.service", "castopod-scheduled.timer"];

export const castopod: AppDefinition = {
  id: "castopod",
  title: "Castopod",
  purpose: "podcast hosting (ActivityPub)",
  category: "fediverse",
  homepage: "https://castopod.org/",
  licence: {
    spdx: "AGPL-3.0-or-later",
    openCore: false,
    reason: "one AGPL code base; the company behind it sells hosting, not a richer edition",
    source: COMPOSER,
  },
  swot: {
    strengths: [
      { text: "made for podcasters to engage their audience, with fediverse comments", source: COMPOSER },
      { text: "S3 media storage through the AWS SDK it bundles", source: COMPOSER },
    ],
    weaknesses: [
      { text: "needs MariaDB/MySQL and Redis, not the site's PostgreSQL", source: UNRAID },
      { text: "tracks the newest PHP closely, so hosts must keep up", source: COMPOSER },
    ],
    opportunities: [
      {
        text: "community radio and member podcasts on their own domain",
        source: "https://github.com/YunoHost-Apps/castopod_ynh",
      },
      { text: "development happens on its own forge, mirrored read-only to GitHub", source: MIRROR },
    ],
    threats: [
      { text: "a small team behind it", source: MIRROR },
      { text: "audio storage and download bandwidth grow with every episode", source: UNRAID },
    ],
  },
  nixos: {
    module: "services.castopod",
    options: [
      "services.castopod.enable",
      "services.castopod.localDomain",
      "services.castopod.configureNginx",
      "services.castopod.database.createLocally",
      "services.castopod.database.hostname",
      "services.castopod.database.name",
      "services.castopod.database.passwordFile",
      "services.castopod.environmentFile",
      "services.castopod.dataDir",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [{ port: 443, protocol: "tcp", purpose: "web, feeds and ActivityPub through nginx", public: true }],
  requirements: { cpus: 1, memoryMiB: 1024, diskGiB: 20, source: UNRAID },
  dependencies: ["mysql", "redis", "smtp", "objectStorage"],
  federation: ["activitypub"],
  state: [
    mysqlDatabase("castopod", STOP),
    zfsDirectory("/var/lib/castopod", "uploaded audio and images when no bucket is set", STOP),
    mediaBucket("media", STOP),
  ],
  secrets: [{ name: "analytics-salt", kind: "random", purpose: "anonymises listener analytics" }],
  defaultSubdomain: "podcasts",
};
