/**
 * Bench: speed at scale (issue 16). In one run, on the local real services:
 *
 * 1. Sites of 10, 50 and 200 apps (scale/plan.ts: hosts, records, buckets, inventory objects),
 *    each beside a floor program with as many plain ComponentResources and no provider. Per size:
 *    preview and up wall time, the ratio to the floor, API requests per service, the requests of a
 *    no-change preview, peak RSS of the program and of the dynamic-provider process, the state
 *    file's size and the serialized provider text per resource; then the growth 10 -> 50 -> 200.
 * 2. The DNS limit: 1,000 record sets written as a whole-zone tool does (one GET and one PATCH of
 *    the zone), against an up through the engine (minus an empty up of the same stack), with one
 *    resource per record set and with one record collection per zone; repeated in alternating
 *    rounds, compared by the medians.
 *
 *   SOVEREIGN_SCALE_SIZES=10,50,200  SOVEREIGN_SCALE_SERVICES=powerdns,garage,netbox
 *   SOVEREIGN_SCALE_RECORDS=1000     SOVEREIGN_SCALE_PARALLEL=<engine default>
 *   SOVEREIGN_SCALE_DNS=collection,rrsets (the first is what the sites use, as DnsZone does)
 *   SOVEREIGN_SCALE_DNS_REPEAT=5 (alternating rounds of the DNS limit for the first mode; median)
 *   SOVEREIGN_SCALE_NETBOX_WORKERS=3 (gunicorn workers; 0 = Django's runserver)
 *   SOVEREIGN_SCALE_GARAGE=collection (one GarageBucketCollection; "buckets": one resource per bucket)
 *   SOVEREIGN_SCALE_NETBOX=collection (one NetboxObjectCollection; "objects": one resource each)
 *   node bin/test/bench/scale.bench.js        (or: npm run bench -- scale)
 *
 * Times are wall times on whatever else the machine runs: read the ratios, taken in the same run.
 * At the end it prints each goal of the issue with the measured value and PASS/FAIL.
 */
import { ConfigMap } from "@pulumi/pulumi/automation";
import { startPowerDns } from "../harness/powerdns";
import { startGarage } from "../harness/garage";
import { startNetbox } from "../harness/netbox";
import type { GarageService, NetboxService, PowerDnsService } from "../harness/types";
import { PowerDnsClient, PdnsRRSetChange } from "../../providers/powerdns/client";
import { encodeOwner } from "../../providers/shared/ownership";
import { DEFAULT_ADMIN_TOKEN_CONFIG } from "../../providers/garage/validate";
import { NETBOX_OBJECT_TYPES, planScaleSite, recordsPlan, SCALE_SERVICES, ScaleService } from "./scale/plan";
import { netboxResourcesFrom } from "./scale/plan";
import { Measured, programStack, ProgramStack } from "./scale/stack";
import type { StateStats } from "./scale/stateStats";
import { GARAGE_RESOURCES, type GarageResources } from "./scale/plan";

/** One goal of issue 16's "Done when", as measured in this run. */
interface Goal {
  what: string;
  measured: string;
  goal: string;
  pass: boolean;
}

interface Services {
  pdns?: PowerDnsService;
  garage?: GarageService;
  netbox?: NetboxService;
}

const envList = (name: string, fallback: string): string[] =>
  (process.env[name] ?? fallback)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mib = (b: number): string => `${(b / 1048576).toFixed(2)} MiB`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;

function credentials(s: Services): ConfigMap {
  const c: ConfigMap = {};
  if (s.pdns) c["sovereign:powerdnsApiKey"] = { value: s.pdns.apiKey, secret: true };
  if (s.garage) c[DEFAULT_ADMIN_TOKEN_CONFIG] = { value: s.garage.adminToken, secret: true };
  if (s.netbox) c["sovereign:netboxToken"] = { value: s.netbox.token, secret: true };
  return c;
}

function scaleConfig(s: Services, values: Record<string, string | number>): ConfigMap {
  const c = credentials(s);
  for (const [k, v] of Object.entries(values)) c[`scale:${k}`] = { value: String(v) };
  if (s.pdns) c["scale:pdnsUrl"] = { value: s.pdns.apiUrl };
  if (s.garage) c["scale:garageUrl"] = { value: s.garage.adminUrl };
  if (s.netbox) c["scale:netboxUrl"] = { value: s.netbox.url };
  return c;
}

const requestText = (m: Measured): string =>
  Object.entries(m.requests)
    .filter(([, r]) => r.requests > 0)
    .map(
      ([svc, r]) =>
        `${svc} ${r.requests} (${Object.entries(r.byMethod)
          .map(([k, n]) => `${n} ${k}`)
          .join(", ")})`,
    )
    .join("; ") || "none";

interface SizeResult {
  apps: number;
  resources: number;
  floor: { preview: Measured; up: Measured; state: StateStats };
  site: { preview: Measured; up: Measured; noChange: Measured; state: StateStats };
}

/** SOVEREIGN_SCALE_GARAGE: how the site declares its buckets (default: one collection). */
function garageResources(): GarageResources {
  const mode = process.env.SOVEREIGN_SCALE_GARAGE || "collection";
  if (!(GARAGE_RESOURCES as readonly string[]).includes(mode))
    throw new Error(`SOVEREIGN_SCALE_GARAGE: unknown "${mode}"; use ${GARAGE_RESOURCES.join(" or ")}`);
  return mode as GarageResources;
}

async function measureSize(
  s: Services,
  services: ScaleService[],
  apps: number,
  parallel: number | undefined,
  dns: "rrsets" | "collection",
): Promise<SizeResult> {
  const tag = `s${apps}${dns === "collection" ? "c" : ""}`;
  const garage = garageResources();
  const netbox = netboxResourcesFrom(process.env.SOVEREIGN_SCALE_NETBOX);
  const plan = planScaleSite(apps, services, tag, dns, garage, netbox);
  const stacks: ProgramStack[] = [];
  try {
    const base = { apps, services: services.join(","), tag, dns, garage, netbox };
    const floor = await programStack(`scale-floor-${tag}`, scaleConfig(s, { ...base, mode: "floor" }));
    stacks.push(floor);
    const floorPreview = await floor.measure("preview", parallel);
    const floorUp = await floor.measure("up", parallel);
    const site = await programStack(`scale-site-${tag}`, scaleConfig(s, { ...base, mode: "site" }));
    stacks.push(site);
    const sitePreview = await site.measure("preview", parallel);
    const siteUp = await site.measure("up", parallel);
    const noChange = await site.measure("preview", parallel);
    return {
      apps,
      resources: plan.resourceCount,
      floor: { preview: floorPreview, up: floorUp, state: floor.state() },
      site: { preview: sitePreview, up: siteUp, noChange, state: site.state() },
    };
  } finally {
    for (const st of stacks) st.dispose();
  }
}

function printSize(r: SizeResult): void {
  const { floor, site } = r;
  console.log(`\n${r.apps} apps (${r.resources} resources; floor = ${r.resources} plain ComponentResources)`);
  console.log(
    `  preview  site ${secs(site.preview.wallMs)}  floor ${secs(floor.preview.wallMs)}  ratio ${ratio(site.preview.wallMs, floor.preview.wallMs)}`,
  );
  console.log(
    `  up       site ${secs(site.up.wallMs)}  floor ${secs(floor.up.wallMs)}  ratio ${ratio(site.up.wallMs, floor.up.wallMs)}`,
  );
  console.log(`  requests, first preview: ${requestText(site.preview)}`);
  console.log(`  requests, up:            ${requestText(site.up)}`);
  console.log(`  requests, no-change preview (${secs(site.noChange.wallMs)}): ${requestText(site.noChange)}`);
  console.log(
    `  peak RSS (up)  program ${site.up.rss.programMiB.toFixed(0)} MiB (floor ${floor.up.rss.programMiB.toFixed(0)} MiB)  ` +
      `dynamic-provider process ${site.up.rss.providerMiB.toFixed(0)} MiB`,
  );
  console.log(
    `  state file  site ${mib(site.state.stateBytes)} (${site.state.resources} resources)  floor ${mib(floor.state.stateBytes)}  ratio ${ratio(site.state.stateBytes, floor.state.stateBytes)}`,
  );
  console.log(
    `  serialized provider text per dynamic resource: ${site.state.providerTextAvgBytes.toFixed(0)} bytes average, ` +
      `${site.state.providerTextMaxBytes} max (${site.state.dynamicResources} dynamic resources)`,
  );
}

function printGrowth(results: SizeResult[]): void {
  if (results.length < 2) return;
  console.log("\ngrowth (time per resource relative to the previous size; 1.00 = linear):");
  const metrics: [string, (r: SizeResult) => number][] = [
    ["site preview", (r) => r.site.preview.wallMs],
    ["site up", (r) => r.site.up.wallMs],
    ["floor preview", (r) => r.floor.preview.wallMs],
    ["floor up", (r) => r.floor.up.wallMs],
    ["no-change preview", (r) => r.site.noChange.wallMs],
    ["state bytes", (r) => r.site.state.stateBytes],
    ["provider RSS", (r) => r.site.up.rss.providerMiB],
  ];
  for (const [label, f] of metrics) {
    const steps = results.slice(1).map((r, i) => {
      const prev = results[i];
      return `${prev.apps}->${r.apps}: x${(f(r) / f(prev)).toFixed(2)} for x${(r.resources / prev.resources).toFixed(2)} resources (${(f(r) / r.resources / (f(prev) / prev.resources)).toFixed(2)})`;
    });
    console.log(`  ${label.padEnd(18)} ${steps.join("   ")}`);
  }
}

/** The per-size goals, taken at the largest size measured. */
function sizeGoals(results: SizeResult[], services: readonly ScaleService[]): Goal[] {
  const last = results[results.length - 1];
  if (!last) return [];
  const goals: Goal[] = [];
  const at = `${last.apps} apps`;
  const vsFloor = (what: string, site: Measured, floor: Measured, max: number): void => {
    const r = site.wallMs / floor.wallMs;
    goals.push({
      what: `${what} at ${at} / floor`,
      measured: `${secs(site.wallMs)} / ${secs(floor.wallMs)} = ${r.toFixed(2)}x`,
      goal: `<= ${max}x`,
      pass: r <= max,
    });
  };
  vsFloor("preview", last.site.preview, last.floor.preview, 2);
  vsFloor("up", last.site.up, last.floor.up, 3);
  const prev = results[results.length - 2];
  if (prev) {
    for (const [what, f] of [
      ["preview", (r: SizeResult) => r.site.preview.wallMs],
      ["up", (r: SizeResult) => r.site.up.wallMs],
    ] as const) {
      const g = f(last) / last.resources / (f(prev) / prev.resources);
      goals.push({
        what: `${what} growth per resource ${prev.apps} -> ${last.apps} apps`,
        measured: `${g.toFixed(2)} (1.00 = linear)`,
        goal: "<= 1.00",
        pass: g <= 1,
      });
    }
  }
  // A no-change preview reads at most once per zone (PowerDNS), bucket set (Garage) and object type (NetBox).
  const allowed: Record<ScaleService, number> = { powerdns: 1, garage: 1, netbox: NETBOX_OBJECT_TYPES };
  for (const svc of services) {
    const r = last.site.noChange.requests[svc];
    const reads = r.byMethod.GET ?? 0;
    goals.push({
      what: `no-change preview reads at ${at}, ${svc}`,
      measured: `${reads} GET (${r.requests} requests)`,
      goal: `<= ${allowed[svc]}${svc === "netbox" ? " (one per object type)" : svc === "powerdns" ? " (one per zone)" : " (one for the bucket set)"}`,
      pass: reads <= allowed[svc] && r.requests === reads,
    });
  }
  const text = Math.max(...results.map((r) => r.site.state.providerTextMaxBytes));
  goals.push({
    what: "serialized provider text per resource (max over sizes)",
    measured: `${text} bytes`,
    goal: "< 2048 bytes",
    pass: text < 2048,
  });
  return goals;
}

function printGoals(goals: Goal[]): void {
  if (goals.length === 0) return;
  console.log('\ngoals (issue 16, "Done when"):');
  const w = Math.max(...goals.map((g) => g.what.length));
  for (const g of goals)
    console.log(`  ${g.pass ? "PASS" : "FAIL"}  ${g.what.padEnd(w)}  measured ${g.measured}; goal ${g.goal}`);
}

/** Whole-zone apply, as OctoDNS/DNSControl do: one GET of the zone, one PATCH with every change. */
async function wholeZoneApply(
  pdns: PowerDnsService,
  count: number,
  zone: string,
): Promise<{ wallMs: number; requests: number }> {
  const client = new PowerDnsClient({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: pdns.serverId });
  await client.createZone({ name: zone, kind: "Native", nameservers: [`ns1.${zone}`] });
  const started = process.hrtime.bigint();
  const held = await client.getZone(zone);
  const have = new Set((held?.rrsets ?? []).map((r) => `${r.name}|${r.type}`));
  const changes: PdnsRRSetChange[] = recordsPlan(count, zone)
    .filter((r) => !have.has(`${r.name}|${r.type}`))
    .map((r) => ({
      name: r.name,
      type: r.type,
      ttl: 3600,
      changetype: "REPLACE",
      records: r.records.map((content) => ({ content, disabled: false })),
      comments: [{ content: encodeOwner(`bench/whole/${r.name}`), account: "sovereign" }],
    }));
  await client.patchRRSets(zone, changes);
  return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, requests: 2 };
}

/** Median and spread of repeated wall times. */
interface Repeated {
  median: number;
  min: number;
  max: number;
  all: number[];
}

function repeated(ms: number[]): Repeated {
  const sorted = [...ms].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], all: ms };
}

const msText = (ms: number): string => `${ms.toFixed(0)} ms`;
const spreadText = (r: Repeated): string =>
  `median ${msText(r.median)} (${r.all.length} runs, ${msText(r.min)}-${msText(r.max)})`;

/**
 * The DNS limit. Per mode, `repeat` alternating rounds of: a whole-zone apply of `count` record
 * sets to a fresh zone; an empty up of the stack; an up adding the `count` record sets (timed); an
 * up removing them again (not timed). The goal compares the medians (the difference is taken
 * within each round), so one run slowed by the rest of the machine does not decide it.
 */
async function dnsLimit(
  s: Services,
  count: number,
  parallel: number | undefined,
  modes: ("rrsets" | "collection")[],
  repeat: number,
): Promise<Goal[]> {
  const pdns = s.pdns;
  const goals: Goal[] = [];
  if (!pdns) return goals;
  console.log(
    `\nDNS limit: ${count} record sets in one zone; ${repeat} alternating rounds for ${modes[0]}, 1 for the others (median, spread min-max)`,
  );
  let wholeZones = 0;
  for (const dns of modes) {
    // The stack holds the zone (and an empty collection) first, so the measured up adds exactly
    // the record sets (the whole-zone apply does not create its zone either).
    const config = (records: number): ConfigMap =>
      scaleConfig(s, { mode: "records", records, tag: `rec-${dns}`, dns });
    const st = await programStack(`scale-records-${dns}`, config(0));
    const rounds = dns === modes[0] ? repeat : 1;
    const wholes: number[] = [];
    const empties: number[] = [];
    const ups: number[] = [];
    const nets: number[] = [];
    let up: Measured | undefined;
    try {
      await st.measure("up", parallel);
      for (let r = 0; r < rounds; r++) {
        wholes.push((await wholeZoneApply(pdns, count, `whole${wholeZones++}.records.test.`)).wallMs);
        const empty = await st.measure("up", parallel);
        await st.stack.setAllConfig(config(count));
        up = await st.measure("up", parallel);
        await st.stack.setAllConfig(config(0));
        await st.measure("up", parallel);
        empties.push(empty.wallMs);
        ups.push(up.wallMs);
        nets.push(up.wallMs - empty.wallMs);
      }
      await st.stack.setAllConfig(config(count));
      await st.measure("up", parallel);
      const noChange = await st.measure("preview", parallel);
      const [whole, net] = [repeated(wholes), repeated(nets)];
      const reqs = up?.requests.powerdns.requests ?? 0;
      const wholeRequests = 2;
      console.log(
        `  ${dns === "rrsets" ? "one resource per record set" : "one record collection per zone"}:\n` +
          `    whole-zone apply (GET + PATCH of the zone) ${spreadText(whole)}, ${wholeRequests} requests\n` +
          `    up ${spreadText(repeated(ups))}; empty up ${spreadText(repeated(empties))}\n` +
          `    up minus empty up ${spreadText(net)} = ${ratio(net.median, whole.median)} of whole-zone ` +
          `(fastest up minus fastest empty up ${msText(repeated(ups).min - repeated(empties).min)}: load only adds time); ` +
          `${reqs} requests = ${ratio(reqs, wholeRequests)} (${up ? requestText(up) : "none"})\n` +
          `    no-change preview ${secs(noChange.wallMs)}, ${noChange.requests.powerdns.requests} requests; state ${mib(st.state().stateBytes)}`,
      );
      // The goal is for what DnsZone uses (the first mode).
      if (dns === modes[0]) {
        const what = `DNS: up of ${count} new record sets minus an empty up (${dns}) / whole-zone apply`;
        goals.push(
          {
            what: `${what}, wall time (medians of ${rounds})`,
            measured: `${msText(net.median)} / ${msText(whole.median)} = ${ratio(net.median, whole.median)}`,
            goal: "<= 3x",
            pass: net.median <= 3 * whole.median,
          },
          {
            what: `${what}, requests`,
            measured: `${reqs} / ${wholeRequests} = ${ratio(reqs, wholeRequests)}`,
            goal: "<= 3x",
            pass: reqs <= 3 * wholeRequests,
          },
        );
      }
    } finally {
      st.dispose();
    }
  }
  return goals;
}

export async function benchScale(): Promise<void> {
  const sizes = envList("SOVEREIGN_SCALE_SIZES", "10,50,200").map(Number);
  const services = envList("SOVEREIGN_SCALE_SERVICES", SCALE_SERVICES.join(",")) as ScaleService[];
  const unknown = services.filter((x) => !(SCALE_SERVICES as readonly string[]).includes(x));
  if (unknown.length)
    throw new Error(
      `SOVEREIGN_SCALE_SERVICES: unknown ${unknown.join(", ")}; use ${SCALE_SERVICES.join(", ")}`,
    );
  const records = Number(process.env.SOVEREIGN_SCALE_RECORDS ?? 1000);
  const dnsRepeat = Math.max(1, Number(process.env.SOVEREIGN_SCALE_DNS_REPEAT ?? 5));
  const parallel = process.env.SOVEREIGN_SCALE_PARALLEL
    ? Number(process.env.SOVEREIGN_SCALE_PARALLEL)
    : undefined;
  // NetBox as in production (gunicorn, 3 workers); 0 = Django's single-process runserver.
  const netboxWorkers = Number(process.env.SOVEREIGN_SCALE_NETBOX_WORKERS ?? 3);
  const dnsModes = envList("SOVEREIGN_SCALE_DNS", "collection,rrsets") as ("rrsets" | "collection")[];
  const s: Services = {};
  try {
    const started = Date.now();
    // SOVEREIGN_SCALE_SIZES= (empty) runs only the DNS limit.
    const [pdns, garage, netbox] = await Promise.all([
      services.includes("powerdns") || records > 0 ? startPowerDns() : undefined,
      services.includes("garage") ? startGarage() : undefined,
      services.includes("netbox")
        ? startNetbox({ workers: netboxWorkers > 0 ? netboxWorkers : undefined })
        : undefined,
    ]);
    Object.assign(s, { pdns, garage, netbox });
    console.log(
      `scale bench: services ${services.join(", ")} started in ${secs(Date.now() - started)}; sizes ${sizes.join(", ")} apps; parallel ${parallel ?? "engine default"}; ` +
        `DNS ${dnsModes[0]}; Garage ${garageResources()}; NetBox ${netboxResourcesFrom(process.env.SOVEREIGN_SCALE_NETBOX)}, ${netboxWorkers > 0 ? `gunicorn, ${netboxWorkers} workers` : "runserver"}`,
    );
    const results: SizeResult[] = [];
    for (const apps of sizes) {
      const r = await measureSize(s, services, apps, parallel, dnsModes[0]);
      printSize(r);
      results.push(r);
    }
    printGrowth(results);
    const goals = sizeGoals(results, services);
    if (records > 0) goals.push(...(await dnsLimit(s, records, parallel, dnsModes, dnsRepeat)));
    printGoals(goals);
  } finally {
    await Promise.all([s.pdns?.stop(), s.garage?.stop(), s.netbox?.stop()]);
  }
}

if (require.main === module) {
  benchScale().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
