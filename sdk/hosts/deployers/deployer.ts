/**
 * How a host's rendered configuration reaches the machine. Two implementations: NixOps (one
 * deployment per host, on a deploy host) and `nixos-rebuild --target-host`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SshTarget } from "../ssh";

/** What a deployer is asked to deploy: one host's rendered NixOS configuration. */
export interface DeployRequest {
  /** The host's name. */
  readonly hostName: string;
  /** How the deploy tool reaches the host (host key included). */
  readonly target: pulumi.Input<SshTarget>;
  /** The rendered configuration files; configuration.nix is the entry. */
  readonly files: Readonly<Record<string, string>>;
}

/** Deploys a NixOS configuration to a host (nixos-rebuild over SSH, NixOps, ...). */
export interface Deployer {
  /** Declares the deployment of one host; the returned resource's outputs carry `configurationHash`. */
  deploy(
    name: string,
    request: DeployRequest,
    opts: pulumi.CustomResourceOptions,
  ): pulumi.CustomResource & {
    /** Hash of the configuration the resource deployed; a change redeploys. */
    readonly configurationHash: pulumi.Output<string>;
  };
}

/** Where the deploy tool runs: a machine reached over SSH (the operator's or a CI runner). */
export interface DeployHost {
  /** How to reach the host over SSH. */
  readonly target: pulumi.Input<SshTarget>;
  /** The key to reach the deploy host; pass a secret. */
  readonly privateKey?: pulumi.Input<string>;
  /** Work dirs are created under here, one per host. */
  readonly workRoot: string;
}
