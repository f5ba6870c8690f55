import type { AppDefinition } from "../types";
import { mediaBucket, postgresDatabase, zfsDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/web-apps/pixelfed.nix (services.pixelfed).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/web-apps/pixelfed.nix";
const EBUILD = "https://gpo.zugaina.org/AJAX/Ebuild/55818936";
const ENV_EXAMPLE =
  "https://raw.githubusercontent.com/dahlia/pixelfed/0e07fd744ccfdabda7a88b37cf82c348694a67ba/.env.example";
const YUNOHOST = "https://github.com/YunoHost-Apps/pixelfed_ynh/blob/master/README_es.md";
const STOP = ["phpfpm-pixelfed.service", "pixelfed-horizon.service"];

export const pixelfed: AppDefinition = {
  id: "pixelfed",
  title: "Pixelfed",
  purpose: "photo sharing (ActivityPub)",
  category: "fediverse",
  homepage: "https://pixelfed.org/",
  licence: {
    spdx: "AGPL-3.0-only",
    openCore: false,
    reason: "one AGPL code base with no paid edition",
    source: EBUILD,
  },
  swot: {
    strengths: [
      { text: "familiar photo feed that federates with Mastodon and PeerTube", source: YUNOHOST },
      { text: "runs on PostgreSQL or MySQL (the cooperative's PostgreSQL fits)", source: EBUILD },
    ],
    weaknesses: [
      { text: "a PHP stack with Redis queues (Horizon) and image tools to keep patched", source: EBUILD },
      {
        text: "federation is switched off in the example configuration and must be enabled deliberately",
        source: ENV_EXAMPLE,
      },
    ],
    opportunities: [
      { text: "members can import their Instagram archives", source: YUNOHOST },
      { text: "media on S3-compatible storage (cloud filesystem settings)", source: ENV_EXAMPLE },
    ],
    threats: [
      { text: "image storage grows with every upload and every federated post", source: ENV_EXAMPLE },
      { text: "depends on several image optimisers and ffmpeg, each a security surface", source: EBUILD },
    ],
  },
  nixos: {
    module: "services.pixelfed",
    options: [
      "services.pixelfed.enable",
      "services.pixelfed.domain",
      "services.pixelfed.secretFile",
      "services.pixelfed.database.type",
      "services.pixelfed.database.createLocally",
      "services.pixelfed.redis.createLocally",
      "services.pixelfed.dataDir",
      "services.pixelfed.settings",
      "services.pixelfed.nginx",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [{ port: 443, protocol: "tcp", purpose: "web and ActivityPub through nginx", public: true }],
  requirements: { cpus: 1, memoryMiB: 1024, diskGiB: 20, source: EBUILD },
  dependencies: ["postgresql", "redis", "smtp", "objectStorage"],
  federation: ["activitypub"],
  state: [
    postgresDatabase("pixelfed", STOP),
    zfsDirectory("/var/lib/pixelfed", "local media and Laravel storage", STOP),
    mediaBucket("media", STOP),
  ],
  secrets: [{ name: "app-key", kind: "random", purpose: "Laravel APP_KEY (encrypts sessions and tokens)" }],
  defaultSubdomain: "photos",
};
