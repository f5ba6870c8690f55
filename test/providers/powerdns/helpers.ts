import * as fs from "fs";
import type { PowerDnsService } from "../../harness/types";
import { launchPdnsServer } from "../../harness/powerdns";
import { stopPid } from "../../harness/processes";
import { PowerDnsClient } from "../../../providers/powerdns/client";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { createTestStack, TestStack } from "../../harness/workspace";

export function clientFor(service: PowerDnsService): PowerDnsClient {
  return new PowerDnsClient({ apiUrl: service.apiUrl, apiKey: service.apiKey, serverId: service.serverId });
}

/** The rrsets of a zone as "name type ttl content|content" lines, sorted (for before/after comparisons). */
export async function zoneSnapshot(service: PowerDnsService, zone: string): Promise<string[]> {
  const z = await clientFor(service).getZone(zone);
  if (!z) return [];
  return (z.rrsets ?? [])
    .filter((r) => r.type !== "SOA")
    .map(
      (r) =>
        `${r.name} ${r.type} ${r.ttl} ${r.records
          .map((x) => x.content + (x.disabled ? " (disabled)" : ""))
          .sort()
          .join("|")}`,
    )
    .sort();
}

export { dig, digAnswer } from "../../harness/dig";
export { backendFilesText, cliStackExport } from "../../harness/stateFiles";

/** Starts pdns_server again on the same config, data and ports; the harness stops it at the end. */
export const restartServer = (service: PowerDnsService): Promise<void> => launchPdnsServer(service);

/** Stops the harness's pdns_server (by its pid), keeping its data dir. */
export async function stopServer(service: PowerDnsService): Promise<void> {
  const pid = service.pids.pop();
  if (pid !== undefined) await stopPid(pid);
}

/** The requests a provider process sent, from the log the client writes when asked to. */
export function requestLog(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

/** Puts the server's API key into the test stack's config, as a secret, where the providers read it. */
export async function setPowerDnsKey(
  t: TestStack,
  key: string,
  configKey = "sovereign:powerdnsApiKey",
): Promise<void> {
  await t.stack.setConfig(configKey, { value: key, secret: true });
}

/** A test stack whose config holds the server's API key. */
export async function powerDnsStack(
  name: string,
  service: PowerDnsService,
  program: PulumiFn,
): Promise<TestStack> {
  const t = await createTestStack(name, program);
  await setPowerDnsKey(t, service.apiKey);
  return t;
}
