/**
 * Bench: one `pulumi up` (real engine, real NetBox) that allocates N addresses from one prefix and
 * registers M virtual machines with an interface each; then the same work one request at a time
 * (`--parallel 1`, allocation batching off: SOVEREIGN_NETBOX_BATCH=0) as the baseline, in the same
 * run. Requests are counted from the provider processes' request log; duplicates are checked by
 * reading NetBox.
 *
 *   node bin/test/bench/netbox.bench.js [addresses=200] [vms=50] [parallel=16]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { startNetbox } from "../harness/netbox";
import {
  NetboxCluster,
  NetboxClusterType,
  NetboxIpAllocation,
  NetboxPrefix,
  NetboxVirtualMachine,
  NetboxVmInterface,
} from "../../providers/netbox/resources";
import type { NetboxServiceWithParts } from "../harness/netbox";
import { addressesIn, clientFor, netboxStack } from "../providers/netbox/helpers";
import { requestsByMethod } from "./requestLog";

interface Run {
  mode: "ours" | "baseline";
  parallel: number;
  wallMs: number;
  requests: number;
  byMethod: Record<string, number>;
  addresses: number;
  duplicates: number;
  vms: number;
}

async function run(
  nb: NetboxServiceWithParts,
  mode: Run["mode"],
  addresses: number,
  vms: number,
  parallel: number,
): Promise<Run> {
  const cidr = mode === "ours" ? "10.201.0.0/16" : "10.202.0.0/16";
  const t = await netboxStack(
    `nb-bench-${mode}`,
    () => nb,
    async () => {
      const url = nb.url;
      const prefix = new NetboxPrefix("pool", { url, prefix: cidr });
      const type = new NetboxClusterType("type", { url, name: `bench ${mode}`, slug: `bench-${mode}` });
      const cluster = new NetboxCluster("cluster", { url, name: `bench-${mode}`, type: type.netboxId });
      for (let i = 0; i < addresses; i++) new NetboxIpAllocation(`ip${i}`, { url, prefix: prefix.netboxId });
      for (let i = 0; i < vms; i++) {
        const vm = new NetboxVirtualMachine(`vm${i}`, {
          url,
          name: `bench-${mode}-vm${i}`,
          cluster: cluster.netboxId,
        });
        new NetboxVmInterface(`if${i}`, { url, virtualMachine: vm.netboxId, name: "eth0" });
      }
    },
  );
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "netbox-bench-"));
  const log = path.join(logDir, "requests.log");
  const env = (t.stack.workspace as LocalWorkspace).envVars;
  env.SOVEREIGN_NETBOX_REQUEST_LOG = log;
  env.SOVEREIGN_NETBOX_BATCH = mode === "ours" ? "1" : "0";
  try {
    const started = process.hrtime.bigint();
    await t.stack.up({ color: "never", parallel });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const { byMethod, requests } = requestsByMethod(log);
    const client = clientFor(nb);
    const held = (await addressesIn(client, cidr)).map((ip) => ip.address);
    const registered = await client.list("virtualMachine", { name__isw: `bench-${mode}-vm` });
    return {
      mode,
      parallel,
      wallMs,
      requests,
      byMethod,
      addresses: held.length,
      duplicates: held.length - new Set(held).size,
      vms: registered.length,
    };
  } finally {
    delete env.SOVEREIGN_NETBOX_REQUEST_LOG;
    await t.dispose();
    fs.rmSync(logDir, { recursive: true, force: true });
  }
}

const row = (r: Run): string =>
  `  ${r.mode.padEnd(8)}  parallel ${String(r.parallel).padStart(3)}  ${(r.wallMs / 1000).toFixed(1).padStart(7)} s  ` +
  `${String(r.requests).padStart(5)} requests (${Object.entries(r.byMethod)
    .map(([m, n]) => `${n} ${m}`)
    .join(", ")})  ${r.addresses} addresses, ${r.duplicates} duplicates, ${r.vms} VMs`;

async function main(): Promise<void> {
  const [addresses = 200, vms = 50, parallel = 16] = process.argv.slice(2).map(Number);
  const nb = await startNetbox();
  try {
    console.log(
      `NetBox ${nb.version}: one up allocating ${addresses} addresses from one prefix and registering ${vms} VMs with interfaces`,
    );
    const ours = await run(nb, "ours", addresses, vms, parallel);
    console.log(row(ours));
    const baseline = await run(nb, "baseline", addresses, vms, 1);
    console.log(row(baseline));
    console.log(
      `  => ${(baseline.requests / ours.requests).toFixed(1)}x fewer requests, ${(baseline.wallMs / ours.wallMs).toFixed(1)}x less wall time; ` +
        `duplicates: ${ours.duplicates} (ours), ${baseline.duplicates} (baseline)`,
    );
    for (const r of [ours, baseline]) {
      if (r.duplicates !== 0 || r.addresses !== addresses || r.vms !== vms)
        throw new Error(
          `${r.mode}: ${r.addresses}/${addresses} addresses, ${r.duplicates} duplicates, ${r.vms}/${vms} VMs`,
        );
    }
  } finally {
    await nb.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.message);
    process.exit(1);
  },
);
