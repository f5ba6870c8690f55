/**
 * The Migration resource's provider. `check` puts the plan into the inputs (so `pulumi preview`
 * prints it); `create` makes the serving side's places and starts the apps; `update` runs the
 * plan (sdk/migration/executor.ts) and records its progress in the outputs. A failed run throws a
 * partial-state error whose outputs hold that progress, so the engine keeps it and the next `up`
 * resumes there. Credentials come from the stack config (see ../shared/credentials).
 */
import * as fs from "fs";
import type * as pulumi from "@pulumi/pulumi";
import { requireCredential } from "../shared/credentials";
import { ownerProblem } from "../shared/ownership";
import { clientFor } from "../netbox/session";
import { runMigration, type StepTiming } from "../../sdk/migration/executor";
import {
  describePlan,
  planMigration,
  type MigrationItem,
  type MigrationPlan,
} from "../../sdk/migration/plan";
import { startProbe, type ProbeReport } from "../../sdk/migration/probe";
import { preseededItems } from "../../sdk/migration/standbyPlan";
import { hookProblems, withHooks, type MigrationHook } from "../../sdk/migration/hooks";
import { hookRunner } from "../../sdk/migration/hookRunner";
import { abandonReplica } from "../../sdk/replication/logicalReplica";
import { SiteData, type AppControl } from "../../sdk/migration/siteData";
import {
  DATACENTER_SECRETS_CONFIG,
  sideProblems,
  type DatacenterSecrets,
  type DatacenterSide,
} from "../../sdk/migration/sides";
import type { DnsSwitch } from "../../sdk/migration/steps";

export { configure } from "../shared/credentials";

export interface MigrationInputs {
  readonly site: string;
  /** Where the site should run. */
  readonly datacenter: string;
  readonly datacenters: Record<string, DatacenterSide>;
  readonly items: readonly MigrationItem[];
  readonly keepSource: boolean;
  readonly app: AppControl;
  readonly dns: Omit<DnsSwitch, "apiKey"> & { readonly apiKeyConfig?: string };
  /** The name and port the downtime probe uses; DNS is asked at `dnsServer`. */
  readonly probe?: {
    readonly name: string;
    readonly dnsServer: string;
    readonly port: number;
    readonly path?: string;
  };
  /**
   * The site in NetBox (by slug): the update-inventory step records the target datacenter in its
   * description, as SiteInventoryRegistration writes it. Token: stack config `tokenConfig`.
   */
  readonly inventory?: { readonly url: string; readonly siteSlug: string; readonly tokenConfig?: string };
  /** Marks the databases and buckets the migration makes (providers/shared ownership); none when unset. */
  readonly owner?: string;
  /** Scripts run at hook points of the plan (sdk/migration/hooks.ts), on the site host they name. */
  readonly hooks?: readonly MigrationHook[];
  /** Outputs of the site's resources handed to the hooks on stdin (app URLs, host addresses...). */
  readonly hookOutputs?: Record<string, unknown>;
  /** A drill: make this step (id or kind) fail, to rehearse recovery. */
  readonly failAt?: string;
  /**
   * The site's warm-standby datacenter (site config `standby`). A move to the datacenter the
   * previous deployment named here is a promotion: the standby's items are already pre-seeded.
   */
  readonly standby?: string;
  /** Set by check: labels of the items whose pre-seed a standby has done. */
  readonly preseeded?: readonly string[];
  /** Set by check: the datacenter the plan starts from, and the plan as readable lines. */
  readonly planFrom?: string;
  readonly plan?: readonly string[];
}

export interface MigrationRecord {
  readonly from: string;
  readonly to: string;
  /** `abandoned`: a failed move whose target the config no longer names (its replicas ended). */
  readonly status: "done" | "failed" | "abandoned";
  /** For an abandoned move: what ending its pre-seed did. */
  readonly abandoned?: string;
  readonly completed: readonly string[];
  readonly timings: readonly StepTiming[];
  readonly downtimeSeconds?: number;
  readonly probe?: ProbeReport;
  readonly failure?: { readonly step: string; readonly message: string; readonly sourceRestarted: boolean };
}

export interface MigrationOutputs extends MigrationInputs {
  /** The datacenter clients reach (the source until the DNS switch, the target after). */
  readonly servingAt: string;
  readonly servingAddress: string;
  readonly migration?: MigrationRecord;
}

function problems(news: Partial<MigrationInputs>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const add = (property: string, reason: string) => failures.push({ property, reason });
  if (typeof news.site !== "string" || !news.site) add("site", "must name the site");
  const dcs = news.datacenters ?? {};
  if (typeof news.datacenter !== "string" || !dcs[news.datacenter])
    add(
      "datacenter",
      `"${String(news.datacenter)}" is not one of the described datacenters (${Object.keys(dcs).join(", ") || "none"}); describe it under datacenters or pick one of those`,
    );
  for (const [name, side] of Object.entries(dcs)) {
    for (const p of sideProblems(`datacenters.${name}`, side)) add(`datacenters`, p);
    if (side?.name !== name) add("datacenters", `datacenters.${name}.name must be "${name}"`);
  }
  if (!Array.isArray(news.app?.start) || !Array.isArray(news.app?.stop))
    add("app", "must give start and stop, each an argv list run on the datacenter's host");
  const apps = Array.isArray(news.items) ? [...new Set(news.items.map((i) => i.app))] : undefined;
  for (const p of hookProblems("hooks", news.hooks, apps)) add("hooks", p);
  if (news.owner !== undefined) {
    const p = ownerProblem(news.owner);
    if (p) add("owner", p);
  }
  return failures;
}

function planFor(i: MigrationInputs, source: string): MigrationPlan {
  const dns = i.dns;
  const plan = planMigration({
    site: i.site,
    source,
    target: i.datacenter,
    items: i.items,
    ttl: dns.ttl,
    switchTtl: dns.switchTtl,
    keepSource: i.keepSource,
    preseeded: i.preseeded,
  });
  return withHooks(plan, i.hooks ?? []);
}

export async function check(
  olds: Partial<MigrationInputs>,
  news: MigrationInputs,
): Promise<pulumi.dynamic.CheckResult> {
  const failures = problems(news);
  if (failures.length > 0) return { inputs: news, failures };
  // The plan starts where the last one did while the target is unchanged (a resumed run), else at
  // the datacenter the previous inputs named.
  const resumed = olds.datacenter === news.datacenter && olds.planFrom;
  const from = resumed ? olds.planFrom! : (olds.datacenter ?? news.datacenter);
  const preseeded = resumed
    ? (olds.preseeded ?? [])
    : preseededItems(news.items, olds.standby, news.datacenter);
  const plan = planFor({ ...news, preseeded }, from);
  return { inputs: { ...news, planFrom: from, preseeded, plan: describePlan(plan) } };
}

const comparable = (i: Partial<MigrationInputs>) =>
  JSON.stringify({
    ...i,
    servingAt: undefined,
    servingAddress: undefined,
    migration: undefined,
    failAt: undefined,
  });

export async function diff(
  _id: string,
  olds: MigrationOutputs,
  news: MigrationInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const unfinished = olds.migration?.status === "failed";
  const moved = olds.servingAt !== news.datacenter;
  const changed = comparable(olds) !== comparable(news);
  return { changes: unfinished || moved || changed, replaces: [], deleteBeforeReplace: false };
}

export function secretsOf(datacenter: string): DatacenterSecrets {
  const all = JSON.parse(
    requireCredential(DATACENTER_SECRETS_CONFIG, "the datacenters' credentials (JSON by datacenter name)"),
  ) as Record<string, DatacenterSecrets>;
  const secrets = all[datacenter];
  if (!secrets)
    throw new Error(
      `the stack config ${DATACENTER_SECRETS_CONFIG} has no entry for datacenter "${datacenter}" (it has ${Object.keys(all).join(", ")})`,
    );
  return secrets;
}

export const siteData = (i: Pick<MigrationInputs, "site" | "datacenters" | "owner">, datacenter: string) =>
  new SiteData(i.site, i.datacenters[datacenter], secretsOf(datacenter), i.owner);

export async function create(news: MigrationInputs): Promise<pulumi.dynamic.CreateResult> {
  const here = siteData(news, news.datacenter);
  try {
    await here.provision(news.items, true);
    await here.runApp(news.app, "start");
  } finally {
    here.close();
  }
  const outs: MigrationOutputs = {
    ...news,
    servingAt: news.datacenter,
    servingAddress: news.datacenters[news.datacenter].address,
  };
  return { id: `${news.site}-migration`, outs };
}

/** An error the engine records as a partial update: the outputs it carries become the state. */
class PartialUpdateError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: MigrationOutputs,
  ) {
    super(message);
  }
  get reasons(): string[] {
    return [this.message];
  }
}

export async function update(
  id: string,
  olds: MigrationOutputs,
  news: MigrationInputs,
): Promise<pulumi.dynamic.UpdateResult> {
  const previous = olds.migration;
  const resuming = previous?.status === "failed" && previous.to === news.datacenter;
  const source = resuming ? previous.from : olds.servingAt;
  const plan = planFor(news, source);
  const base = { ...news, servingAt: olds.servingAt, servingAddress: olds.servingAddress };
  // A failed move that is not resumed (the target changed, e.g. back to the serving datacenter)
  // is abandoned: its pre-seed's replicas end, and the record says so.
  const abandoned =
    previous?.status === "failed" && !resuming ? await abandonPreseed(olds, previous) : undefined;
  const record: MigrationRecord | undefined = abandoned
    ? { ...previous!, status: "abandoned", abandoned: abandoned.join("; ") || "no replica to end" }
    : previous;
  if (plan.steps.length === 0) return { outs: { ...base, migration: record } };

  const log: string[] = [];
  const sourceData = siteData(news, plan.source);
  const targetData = siteData(news, plan.target);
  const apiKey = requireCredential(
    news.dns.apiKeyConfig ?? "sovereign:powerdnsApiKey",
    "the PowerDNS API key",
  );
  const probe = news.probe ? startProbe(news.probe) : undefined;
  let run;
  let report: ProbeReport | undefined;
  try {
    run = await runMigration(
      plan,
      {
        items: news.items,
        source: sourceData,
        target: targetData,
        app: news.app,
        dns: { ...news.dns, apiKey },
        ...(news.inventory ? { updateInventory: inventoryUpdater(news.inventory) } : {}),
        runHook: hookRunner({
          site: news.site,
          plan,
          hooks: news.hooks ?? [],
          items: news.items,
          dns: news.dns,
          outputs: news.hookOutputs,
          source: sourceData,
          target: targetData,
          secret: (key) => requireCredential(key, `the secret a migration hook asked for`),
        }),
        log: (line) => {
          log.push(`${new Date().toISOString()} ${line}`);
          progressLine(line);
        },
      },
      { completed: resuming ? previous.completed : [] },
      { failAt: news.failAt },
    );
  } finally {
    report = await probe?.stop();
    sourceData.close();
    targetData.close();
  }
  const switched = run.progress.completed.includes("switch-dns");
  const serving = switched ? plan.target : plan.source;
  const outs: MigrationOutputs = {
    ...base,
    servingAt: serving,
    servingAddress: news.datacenters[serving].address,
    migration: {
      from: plan.source,
      to: plan.target,
      status: run.failure ? "failed" : "done",
      completed: run.progress.completed,
      timings: [...(resuming ? previous.timings : []), ...run.timings],
      ...(report ? { downtimeSeconds: report.downtimeSeconds, probe: report } : {}),
      ...(run.failure ? { failure: run.failure } : {}),
    },
  };
  if (run.failure) {
    const where = run.failure.sourceRestarted ? `; the apps run again at ${plan.source}` : "";
    throw new PartialUpdateError(
      `migration ${plan.source} -> ${plan.target} stopped at step ${run.failure.step}: ${run.failure.message}${where}. ` +
        `Progress is recorded; the next \`pulumi up\` resumes from there.\n${log.join("\n")}`,
      id,
      outs,
    );
  }
  return { outs };
}

/**
 * Each step line as it happens, for a watcher (`npm run demo -- migrate` tails it): appended to the
 * file named by SOVEREIGN_MIGRATION_LOG when set (the provider runs under the engine, whose own
 * output shows the step only at the end).
 */
function progressLine(line: string): void {
  const file = process.env.SOVEREIGN_MIGRATION_LOG;
  if (file) fs.appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
}

function inventoryUpdater(inventory: NonNullable<MigrationInputs["inventory"]>) {
  return async (datacenter: string): Promise<void> => {
    const client = clientFor({ url: inventory.url, tokenConfig: inventory.tokenConfig });
    const [site] = await client.list("site", { slug: inventory.siteSlug });
    if (!site)
      throw new Error(
        `NetBox at ${inventory.url} has no site "${inventory.siteSlug}"; register the site (SiteInventoryRegistration) or fix inventory.siteSlug`,
      );
    await client.update("site", site.id, { description: `datacenter: ${datacenter}` });
  };
}

export async function read(id: string, props: MigrationOutputs): Promise<pulumi.dynamic.ReadResult> {
  return { id, props };
}

/**
 * Ends the database replicas a failed move's pre-seed left streaming from its source to its
 * target (only the ones this resource started: their publication and subscription carry its
 * owner), so no replication slot keeps holding WAL at the source. Returns what was done.
 */
async function abandonPreseed(i: MigrationOutputs, record: MigrationRecord): Promise<string[]> {
  const items = i.items.filter((item) => item.state.strategy === "db-streaming-replication");
  if (items.length === 0 || !i.datacenters[record.from] || !i.datacenters[record.to]) return [];
  const [from, to] = [siteData(i, record.from), siteData(i, record.to)];
  try {
    const notes: string[] = [];
    for (const item of items)
      notes.push(await abandonReplica(from.database(item), to.database(item), i.owner));
    return notes;
  } finally {
    from.close();
    to.close();
  }
}

/**
 * Deleting the resource forgets the migration; the data stays where it is (stateful, kept). A
 * move that failed and was not resumed leaves its pre-seed's replicas: they are ended (the
 * subscription at the target, the slot and publication at the source), this resource's only.
 */
export async function remove(_id: string, props: MigrationOutputs): Promise<void> {
  if (props.migration?.status === "failed") await abandonPreseed(props, props.migration);
}
export { remove as delete };
