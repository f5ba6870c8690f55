/**
 * Service instances shared by every suite of one mocha run: a service type that several test
 * files ask for is started once, lazily, when the first of them needs it, and stopped when the run
 * ends (root hook in root-hooks.ts, registered in .mocharc.json). Starting PowerDNS, sshd or
 * PostgreSQL once instead of once per file keeps the whole suite well under an hour.
 *
 * Tests that change a server's global state destructively (stop it, change its config, wipe it)
 * must not share it: they call `useService(() => startX())` for a private instance instead.
 * Tests that share one must leave it usable for the others: unique zone/pool/database names
 * (a random suffix), and they delete what they made.
 *
 * Registering a service type (one function and a name), in the starter's own file:
 *
 *   declare module "./shared" {
 *     interface SharedServices { garage: GarageService }
 *   }
 *   registerSharedService("garage", () => startGarage());
 *
 * then in a test: `const garage = useService("garage");` (or `useService("garage", { instance: "dc2" })`
 * for a second, independent shared instance, e.g. two "datacenters").
 */
import type { RunningService } from "./types";

/** Shared service types by name; each starter's file adds its own (declaration merging). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SharedServices {}

export type SharedServiceName = keyof SharedServices & string;

const starters = new Map<string, (instance: string) => Promise<RunningService>>();
const instances = new Map<string, Promise<RunningService>>();

/**
 * Makes `name` available to `useService(name)`; the starter runs at most once per instance and
 * gets the instance's name (a datacenter uses it to choose its addresses).
 */
export function registerSharedService<K extends SharedServiceName>(
  name: K,
  start: (instance: string) => Promise<SharedServices[K]>,
): void {
  starters.set(name, start as (instance: string) => Promise<RunningService>);
}

/** The running shared instance of `name` (started on first use; a failed start is retried next time). */
export function sharedService<K extends SharedServiceName>(
  name: K,
  instance = "default",
): Promise<SharedServices[K]> {
  const start = starters.get(name);
  if (!start) {
    throw new Error(
      `no shared service "${name}" is registered (known: ${[...starters.keys()].join(", ")}); see test/harness/shared.ts`,
    );
  }
  const key = `${name}#${instance}`;
  let running = instances.get(key);
  if (!running) {
    running = start(instance);
    instances.set(key, running);
    running.catch(() => instances.delete(key));
  }
  return running as Promise<SharedServices[K]>;
}

/** Names of the shared instances started so far (`powerdns#default`, ...). */
export function startedSharedServices(): string[] {
  return [...instances.keys()];
}

/** Stops every shared instance (end of the run); reports every failure, stops the rest anyway. */
export async function stopSharedServices(): Promise<void> {
  const started = [...instances.entries()].reverse();
  instances.clear();
  const failures: string[] = [];
  for (const [key, running] of started) {
    try {
      const service = await running.catch(() => undefined);
      await service?.stop();
    } catch (error) {
      failures.push(`${key}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new Error(`stopping shared services failed:\n  ${failures.join("\n  ")}`);
}
