/** LxcContainer: a container on a plain LXC host, over SSH (see containerProvider.ts). */
import * as pulumi from "@pulumi/pulumi";
import type { SshTarget } from "../../sdk/hosts/ssh";
import { keysStaySecret, secretOrUndefined } from "../hosts/resources";
import { providerAt, providerSpecifier } from "../shared/moduleLocation";

export interface LxcContainerArgs {
  lxcHost: pulumi.Input<SshTarget>;
  privateKey?: pulumi.Input<string>;
  name: string;
  template?: string;
  release?: string;
  bridge: pulumi.Input<string>;
  address: pulumi.Input<string>;
  gateway?: pulumi.Input<string>;
  memoryMiB: number;
  startOnBoot?: boolean;
  authorizedKeys: pulumi.Input<string[]>;
  owner: string;
  adopt?: boolean;
}

export class LxcContainer extends pulumi.dynamic.Resource {
  /** The container's SSH host key (`ssh-ed25519 AAAA...`), read from its rootfs on the LXC host. */
  declare readonly hostKey: pulumi.Output<string>;
  declare readonly state: pulumi.Output<string>;
  constructor(name: string, args: LxcContainerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerAt(providerSpecifier("lxc/containerProvider")),
      name,
      {
        ...args,
        privateKey: secretOrUndefined(args.privateKey),
        template: args.template ?? "debian",
        release: args.release ?? "bookworm",
        startOnBoot: args.startOnBoot ?? true,
        adopt: args.adopt ?? false,
        hostKey: undefined,
        state: undefined,
      },
      keysStaySecret(opts, ["privateKey"]),
    );
  }
}
