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
/**
 * The Migration's inputs (each may be an Output): `site`; `datacenter`, where the site should
 * run; `datacenters`, every datacenter it may run at ({@link DatacenterSide} by name, each key
 * equal to its `name`); `items`, the state to move ({@link MigrationItem}); `keepSource` (keep
 * the source's copy stopped instead of deleting it); `app`, the `start`/`stop` argv run on a
 * datacenter's host (`{address}`, `{datacenter}`, `{root}` replaced); `dns`, the PowerDNS zone and
 * names to switch with `ttl`/`switchTtl` in seconds (API key from stack config `apiKeyConfig`,
 * default `sovereign:powerdnsApiKey`). Optional: `probe`, `inventory`, `owner`, `hooks`
 * ({@link MigrationHook}), `hookOutputs`, `standby` and `failAt` (a drill).
 */
export type MigrationArgs = Inputs<Omit<MigrationInputs, "plan" | "planFrom" | "preseeded">>;

/**
 * Where a site runs. Changing `datacenter` plans the move from the datacenter that serves now
 * (`pulumi preview` shows the ordered steps in `plan`) and `pulumi up` carries it out: pre-seed
 * while the source serves, stop writes, copy and verify the delta, switch DNS, start the apps at
 * the target, retire or keep the source. The first `up` only provisions the site's places at
 * `datacenter` and starts its apps. A failed step fails the update with the progress recorded
 * (before the switch the source serves again); the next `up` resumes there. Credentials come from
 * the stack config ({@link DATACENTER_SECRETS_CONFIG} and the PowerDNS key); a missing one fails
 * the create or update with an error naming the key.
 *
 * Databases are made with the collation, ctype and encoding their app's catalog entry asks for;
 * the pre-seed empties the target database in place when it is this resource's (`owner`) and
 * refuses one holding someone else's objects. A move that failed and is abandoned (the config
 * names another target) or a Migration deleted after a failed move ends the pre-seed's replicas
 * (subscription at the target, slot and publication at the source), its own only.
 *
 * @example
 * ```typescript
 * import { migration } from "sovereign";
 *
 * const location = new migration.Migration("site-location", {
 *   site: "coop",
 *   datacenter: "dc-b", // was "dc-a": the next `pulumi up` moves the site
 *   datacenters, // { "dc-a": DatacenterSide, "dc-b": DatacenterSide }
 *   items, // MigrationItem[] from the apps' catalog entries
 *   keepSource: false,
 *   app: { start: ["systemctl", "start", "coop.target"], stop: ["systemctl", "stop", "coop.target"] },
 *   dns: {
 *     apiUrl: "http://127.0.0.1:8081",
 *     serverId: "localhost",
 *     zone: "coop.example.",
 *     names: ["coop.example."],
 *     ttl: 3600,
 *     switchTtl: 60,
 *     ttlWaitCapSeconds: 3600,
 *   },
 * });
 * export const servingAt = location.servingAt;
 * ```
 */
export class Migration extends pulumi.dynamic.Resource {
  /** The plan's steps as lines (what preview shows); empty when the site stays where it is. */
  declare readonly plan: pulumi.Output<string[]>;
  /**
   * The datacenter the plan starts from: the one the previous deployment named, or while a failed
   * move to the same target is resumed, that move's source.
   */
  declare readonly planFrom: pulumi.Output<string>;
  /** The datacenter clients reach: the source until the DNS switch, the target after it. */
  declare readonly servingAt: pulumi.Output<string>;
  /**
   * The serving datacenter's `address`. Records and inventory that must follow the move take it,
   * so they change only after the switch.
   */
  declare readonly servingAddress: pulumi.Output<string>;
  /**
   * The last move: from, to, `done` or `failed`, completed step ids, step timings, the measured
   * downtime (seconds, when a probe ran) and the failure; undefined until the site first moves.
   */
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
