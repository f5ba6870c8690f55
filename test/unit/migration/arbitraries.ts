/** fast-check generators shared by the migration planner's property tests. */
import fc from "fast-check";
import { mediaBucket, postgresDatabase, rsyncDirectory, zfsDirectory } from "../../../sdk/apps/entries/state";
import type { MigrationItem, MigrationPlanInput } from "../../../sdk/migration/plan";

/** One state item of each replication strategy, under a few app names. */
export const itemArb: fc.Arbitrary<MigrationItem> = fc
  .tuple(
    fc.constantFrom("chat", "files", "git"),
    fc.constantFrom("zfs", "db", "bucket", "rsync"),
    fc.stringMatching(/^[a-z]{1,6}$/),
  )
  .map(([app, kind, name]) => ({
    app,
    state:
      kind === "zfs"
        ? zfsDirectory(`/srv/${name}`, "data", [])
        : kind === "db"
          ? postgresDatabase(name, [])
          : kind === "bucket"
            ? mediaBucket(name, [])
            : rsyncDirectory(`/etc/${name}`, "config", []),
  }));

/** A plan input moving `items` from dc-a to dc-b (TTL 3600 s, switch TTL 60 s, source retired). */
export const planInput = (
  items: readonly MigrationItem[],
  overrides: Partial<MigrationPlanInput> = {},
): MigrationPlanInput => ({
  site: "local",
  source: "dc-a",
  target: "dc-b",
  items,
  ttl: 3600,
  switchTtl: 60,
  keepSource: false,
  ...overrides,
});
