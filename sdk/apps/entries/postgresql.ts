import type { AppDefinition } from "../types";

// NixOS options: nixpkgs nixos/modules/services/databases/postgresql.nix (services.postgresql).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/databases/postgresql.nix";
const STANDBY = "https://postgresql.org/docs/current/warm-standby.html";

export const postgresql: AppDefinition = {
  id: "postgresql",
  title: "PostgreSQL",
  purpose: "the site's relational database (core service)",
  category: "core",
  homepage: "https://www.postgresql.org/",
  licence: {
    spdx: "PostgreSQL",
    openCore: false,
    reason: "community project under a permissive licence; vendors' forks do not hold features back from it",
    source: "https://www.postgresql.org/about/licence/",
  },
  swot: {
    strengths: [
      {
        text: "built-in log-shipping and streaming standbys, loosely coupled and cheap for the primary",
        source: STANDBY,
      },
      {
        text: "what most catalog apps recommend (Nextcloud, Synapse, PeerTube)",
        source: "https://element-hq.github.io/synapse/latest/postgres.html",
      },
    ],
    weaknesses: [
      {
        text: "a standby must run the same major version: upgrades and moves are planned together",
        source: STANDBY,
      },
      {
        text: "apps need superuser-created extensions (e.g. PeerTube's pg_trgm)",
        source: "https://docs.joinpeertube.org/install-any-os",
      },
    ],
    opportunities: [
      {
        text: "WAL can be shipped over any distance: a standby in the next datacenter before a move",
        source: STANDBY,
      },
      { text: "one cluster per site serves every app's database", source: NIXOS_MODULE },
    ],
    threats: [
      { text: "asynchronous standbys can lose the last transactions if the primary dies", source: STANDBY },
      { text: "an unmaintained major version falls out of support", source: STANDBY },
    ],
  },
  nixos: {
    module: "services.postgresql",
    options: [
      "services.postgresql.enable",
      "services.postgresql.package",
      "services.postgresql.enableTCPIP",
      "services.postgresql.ensureDatabases",
      "services.postgresql.ensureUsers",
      "services.postgresql.authentication",
      "services.postgresql.settings",
      "services.postgresql.dataDir",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [{ port: 5432, protocol: "tcp", purpose: "SQL, site-internal only", public: false }],
  requirements: { cpus: 1, memoryMiB: 1024, diskGiB: 10, source: STANDBY },
  dependencies: [],
  provides: ["postgresql"],
  federation: [],
  state: [
    {
      kind: "directory",
      path: "/var/lib/postgresql",
      strategy: "db-streaming-replication",
      why: "the whole cluster is cloned with pg_basebackup and kept current by streaming WAL; file copies of a running cluster are not consistent",
      stopForFinalCopy: ["every app writing to the cluster (their stopForFinalCopy units)"],
    },
  ],
  secrets: [{ name: "replication-password", kind: "random", purpose: "the standby's replication role" }],
  defaultSubdomain: "db",
};
