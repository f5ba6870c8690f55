/**
 * The Migration resource: a site's "where it runs". Its inputs carry the plan from the datacenter
 * that served last to `datacenter` (so `pulumi preview` prints the ordered steps); `pulumi up`
 * carries it out and its outputs record how far it got. Records and inventory that must follow
 * the move take `servingAddress` / `servingAt` (so they change only after the switch).
 */
import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier } from "../../providers/shared/moduleLocation";
import type { MigrationInputs, MigrationRecord } from "../../providers/migration/migrationProvider";

const migrationProvider = providerAt(providerSpecifier("migration/migrationProvider"));

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };
export type MigrationArgs = Inputs<Omit<MigrationInputs, "plan" | "planFrom" | "preseeded">>;

export class Migration extends pulumi.dynamic.Resource {
  /** The plan's steps as lines (what preview shows). */
  declare readonly plan: pulumi.Output<string[]>;
  declare readonly planFrom: pulumi.Output<string>;
  declare readonly servingAt: pulumi.Output<string>;
  declare readonly servingAddress: pulumi.Output<string>;
  declare readonly migration: pulumi.Output<MigrationRecord | undefined>;

  constructor(name: string, args: MigrationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      migrationProvider,
      name,
      {
        ...args,
        plan: undefined,
        planFrom: undefined,
        preseeded: undefined,
        servingAt: undefined,
        servingAddress: undefined,
        migration: undefined,
      },
      opts,
      "sovereign/migration",
      "Migration",
    );
  }
}
