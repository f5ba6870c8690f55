import type { AppDefinition } from "../types";
import { postgresDatabase, zfsDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/web-apps/kanboard.nix (services.kanboard).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/web-apps/kanboard.nix";
const README = "https://raw.githubusercontent.com/kanboard/kanboard/master/README.md";
const STOP = ["phpfpm-kanboard.service"];

export const planning: AppDefinition = {
  id: "planning",
  title: "Kanboard",
  purpose: "project planning (kanban boards)",
  category: "app",
  homepage: "https://kanboard.org/",
  licence: {
    spdx: "MIT",
    openCore: false,
    reason: "MIT-licensed, community-maintained, no paid edition (Vikunja was refused: Vikunja Pro)",
    source: "https://github.com/web3d/kanboard",
  },
  swot: {
    strengths: [
      { text: "small PHP application, simple to install and to run", source: README },
      { text: "a NixOS module with its own data directory and nginx virtual host", source: NIXOS_MODULE },
    ],
    weaknesses: [
      { text: "in maintenance mode: no major new features", source: README },
      { text: "SQLite by default; PostgreSQL must be configured through settings", source: NIXOS_MODULE },
    ],
    opportunities: [
      { text: "replaces Trello-like services for member projects", source: README },
      { text: "the community still publishes releases regularly", source: README },
    ],
    threats: [
      {
        text: "the author develops no new features; the project depends on outside contributors",
        source: README,
      },
      { text: "falling behind newer tools may push members elsewhere", source: README },
    ],
  },
  nixos: {
    module: "services.kanboard",
    options: [
      "services.kanboard.enable",
      "services.kanboard.domain",
      "services.kanboard.dataDir",
      "services.kanboard.settings",
      "services.kanboard.nginx",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [{ port: 443, protocol: "tcp", purpose: "web through nginx", public: true }],
  requirements: { cpus: 1, memoryMiB: 256, diskGiB: 2, source: README },
  dependencies: ["postgresql", "smtp"],
  federation: [],
  state: [postgresDatabase("kanboard", STOP), zfsDirectory("/var/lib/kanboard", "task attachments", STOP)],
  secrets: [],
  defaultSubdomain: "plan",
};
