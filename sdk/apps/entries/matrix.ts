import type { AppDefinition } from "../types";
import { mediaBucket, postgresDatabase, rsyncDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/matrix/synapse.nix (services.matrix-synapse).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/matrix/synapse.nix";
const STOP = ["matrix-synapse.service"];

export const matrix: AppDefinition = {
  id: "matrix",
  title: "Matrix (Synapse)",
  purpose: "federated chat and calls",
  category: "fediverse",
  homepage: "https://element-hq.github.io/synapse/latest/",
  licence: {
    spdx: "AGPL-3.0-only",
    openCore: false,
    reason:
      "the whole homeserver is AGPL; Element sells AGPL exceptions (dual licensing), not a held-back edition of Synapse itself",
    source: "https://element.io/blog/synapse-now-lives-at-github-com-element-hq-synapse/amp",
  },
  swot: {
    strengths: [
      {
        text: "open standard with many clients and bridges; the reference homeserver",
        source: "https://element.io/blog/element-to-adopt-agplv3/?ref=runtime.news",
      },
      {
        text: "first-class PostgreSQL support, installable from PyPI into a venv",
        source: "https://element-hq.github.io/synapse/latest/postgres.html",
      },
    ],
    weaknesses: [
      {
        text: "SQLite is only for demos; federating servers need a tuned PostgreSQL",
        source: "https://github.com/matrix-org/synapse/pull/4276",
      },
      {
        text: "open federation needs several CPUs and GiBs of memory even for a few hundred users",
        source: "https://ems-docs.element.io/books/element-on-premise-documentation-lts-2310/page/ess-sizing",
      },
    ],
    opportunities: [
      {
        text: "public-sector tenders now ask for Matrix-based products",
        source: "https://element.io/blog/element-to-adopt-agplv3/?ref=runtime.news",
      },
      {
        text: "the signing key can be made elsewhere and installed, so a moved site keeps its federated identity",
        source: "https://element-hq.github.io/dendrite/installation/manual/signingkeys",
      },
    ],
    threats: [
      {
        text: "future Synapse work needs a CLA that lets Element sell non-AGPL licences: watch for features moving to paid editions",
        source: "https://element.io/blog/sustainable-licensing-at-element-with-agpl",
        severe: true,
      },
      {
        text: "losing the signing key (or the server_name) breaks the server's standing in federated rooms",
        source: "https://element-hq.github.io/dendrite/installation/manual/signingkeys",
      },
    ],
  },
  nixos: {
    module: "services.matrix-synapse",
    options: [
      "services.matrix-synapse.enable",
      "services.matrix-synapse.settings.server_name",
      "services.matrix-synapse.settings.public_baseurl",
      "services.matrix-synapse.settings.listeners",
      "services.matrix-synapse.settings.database.name",
      "services.matrix-synapse.settings.database.args",
      "services.matrix-synapse.settings.signing_key_path",
      "services.matrix-synapse.settings.trusted_key_servers",
      "services.matrix-synapse.settings.media_store_path",
      "services.matrix-synapse.extraConfigFiles",
      "services.matrix-synapse.dataDir",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [
    {
      port: 8008,
      protocol: "tcp",
      purpose: "client and federation API behind the reverse proxy",
      public: false,
    },
    { port: 8448, protocol: "tcp", purpose: "federation (when delegated by SRV to port 8448)", public: true },
    { port: 443, protocol: "tcp", purpose: "client API through the reverse proxy", public: true },
  ],
  requirements: {
    cpus: 2,
    memoryMiB: 2000,
    diskGiB: 20,
    source: "https://ems-docs.element.io/books/element-on-premise-documentation-lts-2310/page/ess-sizing",
  },
  dependencies: ["postgresql", "smtp"],
  federation: ["matrix"],
  state: [
    // Synapse refuses a database whose collation is not C (its docs: "Set up database").
    postgresDatabase("synapse", STOP, "C"),
    rsyncDirectory("/var/lib/matrix-synapse", "keys, configuration and the local media store index", STOP),
    mediaBucket("media", STOP),
  ],
  secrets: [
    { name: "signing-key", kind: "ed25519", purpose: "the server's federation signing key (its identity)" },
    { name: "registration-shared-secret", kind: "random", purpose: "admin user registration" },
    { name: "macaroon-secret-key", kind: "random", purpose: "access token signing" },
    { name: "form-secret", kind: "random", purpose: "form CSRF protection" },
  ],
  defaultSubdomain: "matrix",
  systemUser: { user: "matrix-synapse", group: "matrix-synapse", source: NIXOS_MODULE },
  oidc: {
    redirectPaths: ["/_synapse/client/oidc/callback"],
    source: "https://element-hq.github.io/synapse/latest/openid.html",
  },
};
