import type { AppDefinition } from "../types";
import { postgresDatabase, rsyncDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/web-apps/keycloak.nix (services.keycloak).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/web-apps/keycloak.nix";
const PRODUCTION = "https://www.keycloak.org/server/configuration-production?ref=ivarclemens.nl";
const CHECKLIST = "https://phasetwo.io/checklist/keycloak-production-checklist.md";
const REDHAT =
  "https://docs.redhat.com/en/documentation/red_hat_build_of_keycloak/24.0/html/server_guide/all-config-";
const H2 = "https://skycloak.io/blog/8-default-configurations-to-adjust-right-away-on-your-keycloak-cluster/";
const STOP = ["keycloak.service"];

export const keycloak: AppDefinition = {
  id: "keycloak",
  title: "Keycloak",
  purpose: "identity provider: single sign-on with OIDC and SAML (core service)",
  category: "core",
  homepage: "https://www.keycloak.org/",
  licence: {
    spdx: "Apache-2.0",
    openCore: false,
    reason:
      "the Red Hat build is the same code with support; nothing is held back from the community edition",
    source: REDHAT,
  },
  swot: {
    strengths: [
      { text: "OIDC and SAML for every app in one place; documented production setup", source: PRODUCTION },
      { text: "PostgreSQL is a supported production database", source: CHECKLIST },
    ],
    weaknesses: [
      { text: "refuses to start in production mode until hostname and TLS are set", source: CHECKLIST },
      {
        text: "a JVM service: slow to start (tens of seconds) and memory hungry",
        source: "TESTENV.md (Keycloak — verified)",
      },
    ],
    opportunities: [
      { text: "one login for members across Nextcloud, Forgejo, Mastodon and Edumeet", source: PRODUCTION },
      { text: "clustered caches for high availability when the cooperative grows", source: REDHAT },
    ],
    threats: [
      {
        text: "trusts forwarded headers from every address unless proxy-trusted-addresses is set",
        source: CHECKLIST,
      },
      { text: "the embedded H2 default loses data in production; it must be replaced", source: H2 },
    ],
  },
  nixos: {
    module: "services.keycloak",
    options: [
      "services.keycloak.enable",
      "services.keycloak.settings.hostname",
      "services.keycloak.settings.http-host",
      "services.keycloak.settings.http-port",
      "services.keycloak.settings.proxy-headers",
      "services.keycloak.database.type",
      "services.keycloak.database.host",
      "services.keycloak.database.name",
      "services.keycloak.database.username",
      "services.keycloak.database.passwordFile",
      "services.keycloak.database.createLocally",
      "services.keycloak.initialAdminPassword",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [
    { port: 8080, protocol: "tcp", purpose: "HTTP behind the reverse proxy", public: false },
    { port: 443, protocol: "tcp", purpose: "login pages and OIDC endpoints", public: true },
  ],
  requirements: { cpus: 2, memoryMiB: 1024, diskGiB: 2, source: PRODUCTION },
  dependencies: ["postgresql", "smtp"],
  provides: ["oidc"],
  federation: [],
  state: [
    postgresDatabase("keycloak", STOP),
    rsyncDirectory("/var/lib/keycloak", "the built server configuration and realm import files", STOP),
  ],
  secrets: [{ name: "admin-password", kind: "random", purpose: "the bootstrap admin account" }],
  defaultSubdomain: "id",
};
