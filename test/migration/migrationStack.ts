/**
 * What the migration tests, the demo and the bench do around a migration stack: its config (the
 * two datacenters and their credentials as secrets), the Migration's outputs from the state, the
 * preview's plan order, and the clean-up of what the site ran on the datacenters' hosts.
 */
import * as assert from "assert";
import { createHash } from "crypto";
import { useService } from "../harness";
import type { Stack } from "@pulumi/pulumi/automation";
import type { DatacenterService } from "../harness/datacenter";
import { DATACENTER_SECRETS_CONFIG } from "../../sdk/migration/sides";
import type { SiteData } from "../../sdk/migration/siteData";
import type { MigrationItem } from "../../sdk/migration/plan";
import type { MigrationOutputs } from "../../providers/migration/migrationProvider";
import { secretsOf, sideOf } from "./siteProgram";

/** The datacenters (`sovereign:datacenters`), their credentials and the PowerDNS key (secrets). */
export async function configureMigrationStack(
  stack: Stack,
  site: string,
  dcs: readonly DatacenterService[],
  pdnsApiKey: string,
): Promise<void> {
  const by = <T>(f: (dc: DatacenterService) => T) =>
    JSON.stringify(Object.fromEntries(dcs.map((dc) => [dc.datacenter, f(dc)])));
  await stack.setConfig("sovereign:powerdnsApiKey", { value: pdnsApiKey, secret: true });
  await stack.setConfig(DATACENTER_SECRETS_CONFIG, { value: by(secretsOf), secret: true });
  await stack.setConfig("sovereign:datacenters", { value: by((dc) => sideOf(dc, site)) });
}

/** The Migration resource's outputs in the stack's state. */
export async function migrationOutputs(stack: Stack): Promise<MigrationOutputs> {
  const state = (await stack.exportStack()).deployment as {
    resources: { type: string; outputs: MigrationOutputs }[];
  };
  const found = state.resources.find((r) => r.type.endsWith("Migration"));
  assert.ok(found, "the stack has a Migration resource");
  return found.outputs;
}

/** Every step id appears in the preview's text, in this order. */
export function assertPlanOrder(previewText: string, order: readonly string[]): void {
  const positions = order.map((step) => previewText.indexOf(step));
  assert.ok(
    positions.every((p) => p >= 0),
    `plan steps missing from the preview:\n${previewText}`,
  );
  assert.deepStrictEqual(
    [...positions].sort((a, b) => a - b),
    positions,
    "steps out of order in the preview",
  );
}

/**
 * Kills the processes of these pid files (`{datacenter}` replaced) and removes the site's data on
 * every side (databases and buckets live in clusters other sites share: a leftover would be
 * another site's refused place), then its datasets.
 */
export async function cleanUpSite(
  data: readonly SiteData[],
  pidFiles: readonly string[],
  items: readonly MigrationItem[],
): Promise<void> {
  for (const d of data) {
    for (const file of pidFiles)
      await d.ssh.run(
        [
          "sh",
          "-c",
          // Waits until it has exited: a process still inside a dataset keeps it busy.
          `[ -f "$1" ] || exit 0; p=$(cat "$1"); kill "$p" 2>/dev/null; i=0
while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.1; done
kill -9 "$p" 2>/dev/null; rm -f "$1"; true`,
          "sh",
          file.replace("{datacenter}", d.side.name),
        ],
        { allowFailure: true },
      );
    await d.retire(items).catch((e: Error) => console.warn(`clean-up at ${d.side.name}: ${e.message}`));
    await d.ssh.run(["zfs", "destroy", "-r", d.side.zfsRoot], { allowFailure: true });
    d.close();
  }
}

/** Prints a finished migration's downtime and step times (what the tests and the demo show). */
export function printMigration(m: NonNullable<MigrationOutputs["migration"]>, indent = "      "): void {
  console.log(`${indent}migration ${m.from} -> ${m.to}: downtime ${m.downtimeSeconds?.toFixed(2)} s`);
  for (const t of m.timings)
    console.log(`${indent}  ${t.seconds.toFixed(2).padStart(7)} s  ${t.id}  ${t.note}`);
}

/** The services a migration test needs (in a mocha describe): dc-a, dc-b, PowerDNS, and NetBox if asked. */
export function useMigrationServices() {
  return {
    dcA: useService("datacenter", { instance: "dc-a", timeoutMs: 300_000 }),
    dcB: useService("datacenter", { instance: "dc-b", timeoutMs: 300_000 }),
    pdns: useService("powerdns"),
  };
}

export const sha256 = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex");

/** Runs a script's main (the demo, the bench): exit 0 when done, its stack and exit 1 when it fails. */
export function runScript(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(error.stack ?? error.message);
      process.exit(1);
    },
  );
}
