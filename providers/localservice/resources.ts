/**
 * `LocalService`: files, preparation steps and a long-running process on this machine, up when its
 * health URL answers. The local site's minimal installer (see spec.ts); PlainHost replaces it on real
 * hosts. Inputs (which hold secrets) are kept encrypted; outputs hold no file contents.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier } from "../shared/moduleLocation";
import { resourceOwner } from "../shared/resourceOwner";
import type { ServiceCommand, ServiceFile } from "./spec";

const serviceProvider = providerAt(providerSpecifier("localservice/serviceProvider"));

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

export interface LocalServiceArgs {
  name: pulumi.Input<string>;
  dir: pulumi.Input<string>;
  files: pulumi.Input<pulumi.Input<Inputs<ServiceFile>>[]>;
  prepare?: pulumi.Input<pulumi.Input<Inputs<ServiceCommand>>[]>;
  start: pulumi.Input<Inputs<ServiceCommand>>;
  healthUrl: pulumi.Input<string>;
  timeoutMs?: pulumi.Input<number>;
  /** Take over a dir that another stack (or no one) made. */
  adopt?: pulumi.Input<boolean>;
}

export class LocalService extends pulumi.dynamic.Resource {
  declare readonly pid: pulumi.Output<number>;
  declare readonly running: pulumi.Output<boolean>;
  declare readonly healthUrl: pulumi.Output<string>;
  declare readonly fingerprint: pulumi.Output<string>;

  constructor(name: string, args: LocalServiceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      serviceProvider,
      name,
      {
        prepare: [],
        ...args,
        owner: resourceOwner(name),
        pid: undefined,
        running: undefined,
        fingerprint: undefined,
        startTime: undefined,
      },
      opts,
      "sovereign/localservice",
      "LocalService",
    );
  }
}
