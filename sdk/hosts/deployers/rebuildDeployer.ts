import * as pulumi from "@pulumi/pulumi";
import { NixosRebuild } from "../../../providers/nixops/resources";
import { Deployer, DeployHost, DeployRequest } from "./deployer";

export interface RebuildDeployerArgs extends DeployHost {
  /** The nixos-rebuild CLI as an argv prefix; default ["nixos-rebuild"]. */
  readonly command?: string[];
  /** The nixos-rebuild action; default "switch". */
  readonly action?: "switch" | "boot" | "test" | "dry-activate";
  /** The key the deploy host uses to reach the targets, if it has none of its own; pass a secret. */
  readonly targetPrivateKey?: pulumi.Input<string>;
}

/** `nixos-rebuild <action> --target-host root@HOST` on the deploy host, per host. */
export class NixosRebuildDeployer implements Deployer {
  constructor(private readonly args: RebuildDeployerArgs) {}

  deploy(name: string, r: DeployRequest, opts: pulumi.CustomResourceOptions) {
    const a = this.args;
    return new NixosRebuild(
      `${name}-rebuild`,
      {
        hostName: r.hostName,
        deployHost: a.target,
        privateKey: a.privateKey,
        target: r.target,
        targetPrivateKey: a.targetPrivateKey,
        files: r.files,
        command: a.command,
        workDir: `${a.workRoot}/${r.hostName}`,
        action: a.action,
      },
      opts,
    );
  }
}
