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

/**
 * The Standby's inputs (each may be an Output): `site`; `primary`, the datacenter that serves
 * (the replicas' source); `standby`, the datacenter holding the warm copy (must differ from
 * `primary`); `datacenters`, both described as {@link DatacenterSide} by name; `items`, the
 * site's state ({@link MigrationItem}; only ZFS, database and bucket items are kept warm);
 * optional `owner`, the owner id its databases and replicas are marked with (deleting the Standby
 * then ends only its own replicas).
 */
export type StandbyArgs = { [K in keyof StandbyInputs]: pulumi.Input<StandbyInputs[K]> };

/**
 * A warm copy of a site's data at a second datacenter. Every `pulumi up` runs one replication
 * round (databases stream continuously between rounds through a logical replica; ZFS datasets get
 * an incremental send, buckets a sync) and reads the lag; `pulumi refresh` reads it again.
 * Deleting it ends the replicas it started (never another resource's) and keeps the standby's copy. Promote it by setting the site's
 * Migration `datacenter` to the standby: the move skips the pre-seed of the items kept current.
 * Credentials come from the stack config {@link DATACENTER_SECRETS_CONFIG}.
 *
 * @example
 * ```typescript
 * import { migration } from "sovereign";
 *
 * const location = new migration.Migration("site-location", { ...migrationArgs, standby: "dc-b" });
 * const standby = new migration.Standby(
 *   "site-standby",
 *   { site: "coop", primary: "dc-a", standby: "dc-b", datacenters, items },
 *   { dependsOn: [location] },
 * );
 * export const standbyLag = standby.lag;
 * ```
 */
export class Standby extends pulumi.dynamic.Resource {
  /** How far behind each kept-warm item is at the standby, read after each round and on refresh. */
  declare readonly lag: pulumi.Output<StandbyLag>;
  /** Labels of the items whose copy at the standby is current (a promotion skips their pre-seed). */
  declare readonly current: pulumi.Output<string[]>;
  /** When `lag` was read (ISO 8601). */
  declare readonly readAt: pulumi.Output<string>;
  /** What the last replication round did, one line per item (e.g. bytes sent). */
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
