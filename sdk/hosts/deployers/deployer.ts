/**
 * How a host's rendered configuration reaches the machine. Two implementations: NixOps (one
 * deployment per host, on a deploy host) and `nixos-rebuild --target-host`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SshTarget } from "../ssh";

export interface DeployRequest {
  readonly hostName: string;
  /** How the deploy tool reaches the host (host key included). */
  readonly target: pulumi.Input<SshTarget>;
  /** The rendered configuration files; configuration.nix is the entry. */
  readonly files: Readonly<Record<string, string>>;
}

export interface Deployer {
  /** Declares the deployment of one host; the returned resource's outputs carry `configurationHash`. */
  deploy(
    name: string,
    request: DeployRequest,
    opts: pulumi.CustomResourceOptions,
  ): pulumi.CustomResource & { readonly configurationHash: pulumi.Output<string> };
}

/** Where the deploy tool runs: a machine reached over SSH (the operator's or a CI runner). */
export interface DeployHost {
  readonly target: pulumi.Input<SshTarget>;
  /** The key to reach the deploy host; pass a secret. */
  readonly privateKey?: pulumi.Input<string>;
  /** Work dirs are created under here, one per host. */
  readonly workRoot: string;
}
