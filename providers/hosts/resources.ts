/** The dynamic resources behind hosts: SSH reachability and the PlainHost state. */
import * as pulumi from "@pulumi/pulumi";
import type { SshTarget } from "../../sdk/hosts/ssh";
import { providerAt, providerSpecifier } from "../shared/moduleLocation";
import type { PlainFile, PlainService } from "./plainHostProvider";
import type { AfterStart, Daemon } from "./daemonsProvider";
import { withSecretOutputs } from "../shared/secretOutputs";

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** Private keys are secrets in the state, as inputs and as outputs. */
export const keysStaySecret = withSecretOutputs;

export const secretOrUndefined = (v: pulumi.Input<string> | undefined) =>
  v === undefined ? undefined : pulumi.secret(v);

/** The inputs every SSH-driven host resource starts with; the private key is kept secret. */
const remoteInputs = (args: {
  hostName: string;
  target: pulumi.Input<SshTarget>;
  privateKey?: pulumi.Input<string>;
}) => ({ hostName: args.hostName, target: args.target, privateKey: secretOrUndefined(args.privateKey) });

export interface SshReachableArgs {
  hostName: string;
  target: pulumi.Input<SshTarget>;
  privateKey?: pulumi.Input<string>;
  timeoutSeconds?: number;
  verifyAtPreview?: boolean;
  trigger?: pulumi.Input<string>;
}

/** Waits (bounded) until the host answers over SSH with its pinned key; `hostKey` is the verified key. */
export class SshReachable extends pulumi.dynamic.Resource {
  declare readonly hostKey: pulumi.Output<string>;
  constructor(name: string, args: SshReachableArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerAt(providerSpecifier("hosts/sshReachableProvider")),
      name,
      {
        hostName: args.hostName,
        target: args.target,
        privateKey: secretOrUndefined(args.privateKey),
        timeoutSeconds: args.timeoutSeconds ?? 120,
        verifyAtPreview: args.verifyAtPreview ?? false,
        trigger: args.trigger,
        hostKey: undefined,
      },
      keysStaySecret(opts, ["privateKey"]),
    );
  }
}

export interface PlainHostStateArgs {
  hostName: string;
  target: pulumi.Input<SshTarget>;
  privateKey?: pulumi.Input<string>;
  owner: string;
  packages?: pulumi.Input<string[]>;
  files?: pulumi.Input<Inputs<PlainFile>[]>;
  services?: pulumi.Input<PlainService[]>;
  adopt?: boolean;
  part?: string;
}

export class PlainHostState extends pulumi.dynamic.Resource {
  declare readonly fileHashes: pulumi.Output<Record<string, string>>;
  declare readonly installedPackages: pulumi.Output<string[]>;
  declare readonly processesRunning: pulumi.Output<Record<string, boolean>>;
  constructor(name: string, args: PlainHostStateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerAt(providerSpecifier("hosts/plainHostProvider")),
      name,
      {
        ...remoteInputs(args),
        owner: args.owner,
        packages: args.packages ?? [],
        files: args.files ?? [],
        services: args.services ?? [],
        adopt: args.adopt ?? false,
        part: args.part,
        fileHashes: undefined,
        installedPackages: undefined,
        processesRunning: undefined,
      },
      // File contents often hold secrets (config with passwords, keys): encrypted in the state.
      keysStaySecret(opts, ["privateKey", "files"]),
    );
  }
}

export interface PlainDaemonsArgs {
  hostName: string;
  target: pulumi.Input<SshTarget>;
  privateKey?: pulumi.Input<string>;
  owner: string;
  dir: pulumi.Input<string>;
  prepare: pulumi.Input<string>;
  daemons: pulumi.Input<Inputs<Daemon>[]>;
  /** Secret: the steps' stdin may carry credentials. */
  afterStart?: pulumi.Input<pulumi.Input<Inputs<AfterStart>>[]>;
  restartKey?: pulumi.Input<string>;
  adopt?: boolean;
}

/** Daemons started over SSH without a service manager (see daemonsProvider.ts). */
export class PlainDaemons extends pulumi.dynamic.Resource {
  declare readonly running: pulumi.Output<Record<string, boolean>>;
  constructor(name: string, args: PlainDaemonsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerAt(providerSpecifier("hosts/daemonsProvider")),
      name,
      {
        ...remoteInputs(args),
        owner: args.owner,
        dir: args.dir,
        prepare: args.prepare,
        daemons: args.daemons,
        afterStart: pulumi.secret(args.afterStart ?? []),
        restartKey: args.restartKey,
        adopt: args.adopt ?? false,
        running: undefined,
      },
      keysStaySecret(opts, ["privateKey", "afterStart"]),
    );
  }
}
