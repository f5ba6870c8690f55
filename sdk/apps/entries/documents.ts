import type { AppDefinition } from "../types";
import { zfsDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/web-apps/cryptpad.nix (services.cryptpad).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/web-apps/cryptpad.nix";
const CONFIG = "https://raw.githubusercontent.com/xwiki-labs/cryptpad/main/config/config.example.js";
const README = "https://raw.githubusercontent.com/cryptpad/cryptpad/main/readme.md";
const TRUST = "https://github.com/jhhuh/cryptpad";
const STOP = ["cryptpad.service"];

export const documents: AppDefinition = {
  id: "documents",
  title: "CryptPad",
  purpose: "end-to-end encrypted document collaboration",
  category: "app",
  homepage: "https://cryptpad.org/",
  licence: {
    spdx: "AGPL-3.0-or-later",
    openCore: false,
    reason: "one AGPL code base, funded by grants and donations",
    source: CONFIG,
  },
  swot: {
    strengths: [
      { text: "documents are encrypted in the browser: a breached server leaks no content", source: README },
      { text: "a full suite (documents, sheets, slides, forms, kanban, whiteboard)", source: README },
    ],
    weaknesses: [
      {
        text: "needs two origins (main and sandbox domain); misconfigured sandboxes are the usual failure",
        source: CONFIG,
      },
      { text: "only a standalone Node server behind NGINX is supported upstream", source: CONFIG },
    ],
    opportunities: [
      { text: "secure collaboration for members handling sensitive data", source: README },
      {
        text: "official container images since 5.4 ease testing",
        source: "https://github.com/promasu/cryptpad",
      },
    ],
    threats: [
      { text: "users must still trust the server to send honest code", source: TRUST },
      { text: "lost passwords mean lost documents: the operator cannot recover them", source: README },
    ],
  },
  nixos: {
    module: "services.cryptpad",
    options: [
      "services.cryptpad.enable",
      "services.cryptpad.configureNginx",
      "services.cryptpad.settings.httpUnsafeOrigin",
      "services.cryptpad.settings.httpSafeOrigin",
      "services.cryptpad.settings.httpPort",
      "services.cryptpad.settings.adminKeys",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [
    { port: 3000, protocol: "tcp", purpose: "API and websocket behind nginx", public: false },
    { port: 443, protocol: "tcp", purpose: "main and sandbox origins through nginx", public: true },
  ],
  requirements: { cpus: 1, memoryMiB: 1024, diskGiB: 10, source: CONFIG },
  dependencies: [],
  federation: [],
  state: [zfsDirectory("/var/lib/cryptpad", "encrypted blocks, blobs and the pad history", STOP)],
  secrets: [],
  defaultSubdomain: "docs",
};
