import * as pulumi from "@pulumi/pulumi";
import { NixOpsDeployment } from "../../../providers/nixops/resources";
import { resourceOwner as ownerId } from "../../../providers/shared/resourceOwner";
import { Deployer, DeployHost, DeployRequest } from "./deployer";

export interface NixOpsDeployerArgs extends DeployHost {
  /** The NixOps CLI as an argv prefix; default ["nixops"]. */
  readonly command?: string[];
  /** NixOps state file on the deploy host; default `<workRoot>/deployments.nixops`. */
  readonly stateFile?: string;
  /** Deployment names are `<prefix>-<host>`. */
  readonly prefix: string;
  /** Export each deployment after deploying to `<exportDir>/<deployment>.json` ("a deployment to a file"). */
  readonly exportDir?: string;
  /** Re-create deployments from their export files in exportDir (restore on a new deploy host). */
  readonly restore?: boolean;
}

/** One NixOps deployment per host, driven on the deploy host. */
export class NixOpsDeployer implements Deployer {
  constructor(private readonly args: NixOpsDeployerArgs) {}

  deploy(name: string, r: DeployRequest, opts: pulumi.CustomResourceOptions) {
    const a = this.args;
    const deployment = `${a.prefix}-${r.hostName}`;
    const exportFile = a.exportDir ? `${a.exportDir}/${deployment}.json` : undefined;
    return new NixOpsDeployment(
      `${name}-nixops`,
      {
        deployHost: a.target,
        privateKey: a.privateKey,
        command: a.command,
        stateFile: a.stateFile ?? `${a.workRoot}/deployments.nixops`,
        deployment,
        workDir: `${a.workRoot}/${deployment}`,
        owner: ownerId(`${name}-nixops`),
        machines: [{ name: r.hostName, target: r.target, files: r.files }],
        exportTo: exportFile,
        restoreFrom: a.restore ? exportFile : undefined,
      },
      opts,
    );
  }
}
