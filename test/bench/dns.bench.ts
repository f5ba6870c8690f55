/**
 * Bench: 1,000 record sets applied to one zone of a real pdns_server by the record-set provider,
 * driven as the engine drives it (create calls running concurrently, `parallel` at a time), once with
 * batching (one zone read shared, changes coalesced into few PATCHes) and once with the naive
 * baseline (a GET and a PATCH per rrset). Requests are counted by the client as it sends them.
 *
 *   node bin/test/bench/dns.bench.js [records] [parallel,parallel...] [--engine]
 *
 * With --engine, the same comparison also runs through the real Pulumi engine (an inline program with
 * the zone and its record sets, `pulumi up --parallel P`; the baseline is the same provider with
 * SOVEREIGN_PDNS_BATCH=off), requests counted from the provider process's request log.
 *
 * parallel 8 is what `pulumi up` uses by default on this 2-core machine (4 x cores). The baseline
 * does not survive parallel 1000: pdns's web server stops answering 1,000 concurrent GETs.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { startPowerDns } from "../harness/powerdns";
import { powerDnsStack } from "../providers/powerdns/helpers";
import { setStackConfigForTests } from "../../providers/shared/credentials";
import { requestsByMethod } from "./requestLog";
import { PowerDnsRecordSet, PowerDnsZone } from "../../providers/powerdns/resources";
import type { PowerDnsService } from "../harness/types";
import { batchSettings, resetBatchState } from "../../providers/powerdns/batch";
import {
  PowerDnsClient,
  requestCounts,
  resetRequestCounts,
  totalRequests,
} from "../../providers/powerdns/client";
import * as rrsetProvider from "../../providers/powerdns/rrsetProvider";
import { checkRecordSetInputs } from "../../providers/powerdns/validate";

export interface DnsBenchRun {
  mode: "batched" | "baseline";
  parallel: number;
  records: number;
  wallMs: number;
  requests: number;
  byMethod: Record<string, number>;
}

async function applyRecords(
  service: PowerDnsService,
  mode: DnsBenchRun["mode"],
  records: number,
  parallel: number,
): Promise<DnsBenchRun> {
  const zone = `${mode}-p${parallel}.bench.`;
  const endpoint = { apiUrl: service.apiUrl, serverId: service.serverId };
  const client = new PowerDnsClient({ ...endpoint, apiKey: service.apiKey });
  // In-process calls: what the engine's `configure` would hand the provider.
  setStackConfigForTests({ "sovereign:powerdnsApiKey": service.apiKey });
  await client.createZone({ name: zone, kind: "Native", nameservers: [`ns1.${zone}`] });
  const inputs = Array.from({ length: records }, (_, i) => {
    const checked = checkRecordSetInputs({
      ...endpoint,
      owner: `dns-bench/${mode}/host${i}`,
      zone,
      name: `host${i}.${zone}`,
      type: i % 2 === 0 ? "A" : "TXT",
      records: i % 2 === 0 ? [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`] : [`record number ${i}`],
    });
    if (checked.failures.length) throw new Error(JSON.stringify(checked.failures));
    return checked.inputs as unknown as Record<string, unknown>;
  });

  batchSettings.enabled = mode === "batched";
  resetBatchState();
  resetRequestCounts();
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) await rrsetProvider.create(inputs[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, records) }, worker));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const run: DnsBenchRun = {
    mode,
    parallel,
    records,
    wallMs,
    requests: totalRequests(),
    byMethod: { ...requestCounts },
  };

  const served = (await client.getZone(zone))?.rrsets?.filter((r) => r.name.startsWith("host")).length;
  if (served !== records) throw new Error(`${mode}: the zone holds ${served} of ${records} record sets`);
  return run;
}

/** The same comparison through the real engine: one `pulumi up` creating the zone and its record sets. */
async function applyThroughEngine(
  service: PowerDnsService,
  mode: DnsBenchRun["mode"],
  records: number,
  parallel: number,
): Promise<DnsBenchRun> {
  const zone = `engine-${mode}-p${parallel}.bench.`;
  const conn = { apiUrl: service.apiUrl };
  const t = await powerDnsStack(`dns-bench-${mode}`, service, async () => {
    const z = new PowerDnsZone("zone", { ...conn, name: zone, nameservers: [`ns1.${zone}`] });
    for (let i = 0; i < records; i++) {
      new PowerDnsRecordSet(`h${i}`, {
        ...conn,
        zone: z.name,
        name: `host${i}.${zone}`,
        type: "A",
        records: [`10.1.${i >> 8}.${i & 255}`],
      });
    }
  });
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "dns-bench-"));
  const log = path.join(logDir, "requests.log");
  const env = (t.stack.workspace as LocalWorkspace).envVars;
  env.SOVEREIGN_PDNS_REQUEST_LOG = log;
  env.SOVEREIGN_PDNS_BATCH = mode === "batched" ? "on" : "off";
  env.PULUMI_SKIP_CHECKPOINTS = "true";
  try {
    const started = process.hrtime.bigint();
    await t.stack.up({ color: "never", parallel });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const { byMethod, requests } = requestsByMethod(log);
    return { mode, parallel, records, wallMs, requests, byMethod };
  } finally {
    delete env.SOVEREIGN_PDNS_REQUEST_LOG;
    await t.dispose();
    fs.rmSync(logDir, { recursive: true, force: true });
  }
}

const fmt = (r: DnsBenchRun): string =>
  `  ${r.mode.padEnd(8)}  parallel ${String(r.parallel).padStart(4)}  ${r.wallMs.toFixed(0).padStart(7)} ms  ` +
  `${String(r.requests).padStart(5)} requests (${Object.entries(r.byMethod)
    .map(([m, n]) => `${n} ${m}`)
    .join(", ")})`;

function compare(label: string, batched: DnsBenchRun, baseline: DnsBenchRun): void {
  console.log(fmt(batched));
  console.log(fmt(baseline));
  console.log(
    `  => ${label} parallel ${batched.parallel}: ${(baseline.requests / batched.requests).toFixed(1)}x fewer requests, ` +
      `${(baseline.wallMs / batched.wallMs).toFixed(1)}x less wall time ` +
      `(${batched.byMethod.PATCH ?? 0} vs ${baseline.byMethod.PATCH ?? 0} PATCH)`,
  );
}

/** Runs the bench and prints both runs per parallelism and their ratios; returns the runs. */
export async function benchDns(records = 1000, parallels = [8, 64], engine = false): Promise<DnsBenchRun[]> {
  const service = await startPowerDns();
  const runs: DnsBenchRun[] = [];
  try {
    console.log(`dns bench: ${records} record sets into one zone of pdns_server (${service.apiUrl})`);
    for (const parallel of parallels) {
      const batched = await applyRecords(service, "batched", records, parallel);
      const baseline = await applyRecords(service, "baseline", records, parallel);
      runs.push(batched, baseline);
      compare("provider,", batched, baseline);
    }
    if (engine) {
      console.log(`through the real engine (pulumi up of one zone + ${records} record sets):`);
      for (const parallel of parallels) {
        const batched = await applyThroughEngine(service, "batched", records, parallel);
        const baseline = await applyThroughEngine(service, "baseline", records, parallel);
        runs.push(batched, baseline);
        compare("engine,", batched, baseline);
      }
    }
  } finally {
    batchSettings.enabled = true;
    await service.stop();
  }
  return runs;
}

if (require.main === module) {
  const args = process.argv.slice(2).filter((a) => a !== "--engine");
  const records = Number(args[0] ?? 1000);
  const parallels = args[1] ? args[1].split(",").map(Number) : undefined;
  benchDns(records, parallels, process.argv.includes("--engine")).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
