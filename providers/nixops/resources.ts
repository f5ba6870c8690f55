/** The deployers' dynamic resources: a NixOps deployment and a `nixos-rebuild --target-host` run. */
import * as pulumi from "@pulumi/pulumi";
import type { SshTarget } from "../../sdk/hosts/ssh";
import { keysStaySecret, secretOrUndefined } from "../hosts/resources";
import { providerAt, providerSpecifier } from "../shared/moduleLocation";
import type { Machine } from "./cli";

export interface NixOpsDeploymentArgs {
  deployHost: pulumi.Input<SshTarget>;
  privateKey?: pulumi.Input<string>;
  /** Default ["nixops"]. */
  command?: string[];
  stateFile: string;
  deployment: string;
  workDir: string;
  owner: string;
  machines: pulumi.Input<
    { name: string; target: pulumi.Input<SshTarget>; files: pulumi.Input<Machine["files"]> }[]
  >;
  exportTo?: string;
  restoreFrom?: string;
  adopt?: boolean;
}

export class NixOpsDeployment extends pulumi.dynamic.Resource {
  declare readonly uuid: pulumi.Output<string>;
  declare readonly configurationHash: pulumi.Output<string>;
  declare readonly machineStatus: pulumi.Output<{ name: string; status: string }[]>;
  declare readonly deployLog: pulumi.Output<string>;
  constructor(name: string, args: NixOpsDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerAt(providerSpecifier("nixops/deploymentProvider")),
      name,
      {
        ...args,
        privateKey: secretOrUndefined(args.privateKey),
        command: args.command ?? ["nixops"],
        adopt: args.adopt ?? false,
        uuid: undefined,
        configurationHash: undefined,
        machineStatus: undefined,
        deployLog: undefined,
      },
      keysStaySecret(opts, ["privateKey"]),
    );
  }
}

export interface NixosRebuildArgs {
  hostName: string;
  deployHost: pulumi.Input<SshTarget>;
  privateKey?: pulumi.Input<string>;
  target: pulumi.Input<SshTarget>;
  targetPrivateKey?: pulumi.Input<string>;
  files: pulumi.Input<Record<string, string>>;
  /** Default ["nixos-rebuild"]. */
  command?: string[];
  workDir: string;
  action?: "switch" | "boot" | "test" | "dry-activate";
}

export class NixosRebuild extends pulumi.dynamic.Resource {
  declare readonly configurationHash: pulumi.Output<string>;
  declare readonly commandLine: pulumi.Output<string[]>;
  declare readonly output: pulumi.Output<string>;
  constructor(name: string, args: NixosRebuildArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerAt(providerSpecifier("nixops/rebuildProvider")),
      name,
      {
        ...args,
        privateKey: secretOrUndefined(args.privateKey),
        targetPrivateKey: secretOrUndefined(args.targetPrivateKey),
        command: args.command ?? ["nixos-rebuild"],
        action: args.action ?? "switch",
        configurationHash: undefined,
        commandLine: undefined,
        output: undefined,
      },
      keysStaySecret(opts, ["privateKey", "targetPrivateKey"]),
    );
  }
}
