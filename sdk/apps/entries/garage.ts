import type { AppDefinition } from "../types";

// NixOS options: nixpkgs nixos/modules/services/web-servers/garage.nix (services.garage).
const NIXOS_MODULE = "NixOS/nixpkgs nixos/modules/services/web-servers/garage.nix";
const FEATURES = "https://garagehq.deuxfleurs.fr/documentation/reference-manual/features";
const REPO = "https://github.com/deuxfleurs-org/garage";
const ILUM = "https://ilum.cloud/docs/user-guides/object-storage/providers/garage/";

export const garage: AppDefinition = {
  id: "garage",
  title: "Garage",
  purpose: "S3-compatible object storage (core service)",
  category: "core",
  homepage: "https://garagehq.deuxfleurs.fr/",
  licence: {
    spdx: "AGPL-3.0-only",
    openCore: false,
    reason: "entirely free software from a small non-profit hosting collective; no enterprise edition",
    source: REPO,
  },
  swot: {
    strengths: [
      { text: "made for small self-hosted, geo-distributed clusters on modest hardware", source: FEATURES },
      { text: "standalone, no external dependencies to run", source: FEATURES },
    ],
    weaknesses: [
      { text: "implements a subset of the S3 API; check each app's needs", source: ILUM },
      { text: "a long first build from source on small machines", source: "TESTENV.md (Garage — verified)" },
    ],
    opportunities: [
      { text: "copies in several locations survive the loss of one datacenter", source: FEATURES },
      { text: "can hold the Pulumi stacks' own state", source: "TESTENV.md (Garage — verified)" },
    ],
    threats: [
      { text: "built by one small collective (Deuxfleurs)", source: REPO },
      { text: "OIDC and console integrations are not yet evaluated by downstreams", source: ILUM },
    ],
  },
  nixos: {
    module: "services.garage",
    options: [
      "services.garage.enable",
      "services.garage.package",
      "services.garage.settings",
      "services.garage.environmentFile",
      "services.garage.extraEnvironment",
    ],
    optionsSource: NIXOS_MODULE,
  },
  ports: [
    { port: 3900, protocol: "tcp", purpose: "S3 API", public: false },
    { port: 3901, protocol: "tcp", purpose: "RPC between nodes", public: false },
    { port: 3903, protocol: "tcp", purpose: "admin API", public: false },
  ],
  requirements: { cpus: 1, memoryMiB: 1024, diskGiB: 16, source: FEATURES },
  dependencies: [],
  provides: ["objectStorage"],
  federation: [],
  state: [
    {
      kind: "directory",
      path: "/var/lib/garage",
      strategy: "s3-copy",
      why: "metadata and data blocks are tied to node ids and the layout; objects move bucket by bucket through the S3 API (rclone) into the target cluster",
      stopForFinalCopy: ["every app writing to its buckets (their stopForFinalCopy units)"],
    },
  ],
  secrets: [
    { name: "rpc-secret", kind: "random", purpose: "rpc_secret shared by the cluster's nodes" },
    { name: "admin-token", kind: "random", purpose: "admin API bearer token" },
  ],
  defaultSubdomain: "s3",
};
