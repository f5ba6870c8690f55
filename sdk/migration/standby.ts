/**
 * The Standby resource: a warm copy of a site's data at a second datacenter (site config
 * `standby: dc-b`). Databases stream continuously (a logical replica), ZFS datasets and buckets
 * are brought up to date on every `pulumi up`; `lag` shows how far behind each item is, read
 * fresh on every up and `pulumi refresh`. Promoting it is the site's ordinary migration to that
 * datacenter, with the pre-seed already done (Migration skips it).
 */
import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier } from "../../providers/shared/moduleLocation";
import type { StandbyInputs } from "../../providers/migration/standbyProvider";
import type { StandbyLag } from "./standbyPlan";

const standbyProvider = providerAt(providerSpecifier("migration/standbyProvider"));

export type StandbyArgs = { [K in keyof StandbyInputs]: pulumi.Input<StandbyInputs[K]> };

export class Standby extends pulumi.dynamic.Resource {
  declare readonly lag: pulumi.Output<StandbyLag>;
  declare readonly current: pulumi.Output<string[]>;
  declare readonly readAt: pulumi.Output<string>;
  declare readonly lastRound: pulumi.Output<string[]>;

  constructor(name: string, args: StandbyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      standbyProvider,
      name,
      { ...args, lag: undefined, current: undefined, readAt: undefined, lastRound: undefined },
      opts,
      "sovereign/migration",
      "Standby",
    );
  }
}
