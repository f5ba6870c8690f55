import type { AppDefinition } from "../types";
import { zfsDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/video/owncast.nix (services.owncast).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/video/owncast.nix";
const REPO = "https://github.com/owncast/owncast";
const CLOUDRON = "https://docs.cloudron.io/apps/owncast";
const README_STORAGE = "https://github.com/aaronpk/owncast";
const STOP = ["owncast.service"];

export const owncast: AppDefinition = {
  id: "owncast",
  title: "Owncast",
  purpose: "live streaming and chat",
  category: "fediverse",
  homepage: "https://owncast.online/",
  licence: {
    spdx: "MIT",
    openCore: false,
    reason: "MIT-licensed single binary with no paid edition",
    source: REPO,
  },
  swot: {
    strengths: [
      { text: "one self-contained server with chat built in", source: REPO },
      { text: "works with any RTMP broadcaster such as OBS", source: CLOUDRON },
    ],
    weaknesses: [
      { text: "single user: one stream per instance", source: REPO },
      { text: "ships a well-known default stream key that must be changed", source: CLOUDRON },
    ],
    opportunities: [
      {
        text: "events of member organisations without a commercial platform",
        source: "https://github.com/tomleb/owncast",
      },
      { text: "segments can be offloaded to S3-compatible storage", source: README_STORAGE },
    ],
    threats: [
      { text: "viewer bandwidth grows with the audience of every stream", source: README_STORAGE },
      { text: "an unchanged stream key lets anyone broadcast on the cooperative's domain", source: CLOUDRON },
    ],
  },
  nixos: {
    module: "services.owncast",
    options: [
      "services.owncast.enable",
      "services.owncast.listen",
      "services.owncast.port",
      "services.owncast.rtmp-port",
      "services.owncast.dataDir",
      "services.owncast.openFirewall",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [
    { port: 8080, protocol: "tcp", purpose: "web, chat and HLS behind the reverse proxy", public: false },
    { port: 1935, protocol: "tcp", purpose: "RTMP ingest from the broadcaster", public: true },
    { port: 443, protocol: "tcp", purpose: "viewers through the reverse proxy", public: true },
  ],
  requirements: { cpus: 2, memoryMiB: 1024, diskGiB: 10, source: REPO },
  dependencies: [],
  federation: ["activitypub"],
  state: [zfsDirectory("/var/lib/owncast", "its SQLite database, configuration and recordings", STOP)],
  secrets: [{ name: "stream-key", kind: "random", purpose: "the broadcaster's stream key" }],
  defaultSubdomain: "live",
};
