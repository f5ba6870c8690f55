/**
 * Which NetBox services describe an app on its host: one per protocol, with the ports the
 * catalog says the app listens on (public and internal alike, since NetBox records what runs
 * where). Port ranges (e.g. WebRTC media) longer than RANGE_LIMIT are recorded by their first and
 * last port, and the range is named in the description, so NetBox does not get thousands of ports.
 */
import type { PortSpec, Protocol } from "../apps/types";

/** Ranges up to this many ports are listed port by port. */
export const RANGE_LIMIT = 32;

export interface InventoryServiceSpec {
  /** The service's name on the VM: the app's name, with "-udp" for its UDP service. */
  readonly name: string;
  readonly protocol: Protocol;
  /** Sorted, without repeats. */
  readonly ports: number[];
  /** Ranges recorded by their ends only, as "40000-40249". */
  readonly collapsedRanges: string[];
}

/** The NetBox services of the app named `appName` whose catalog ports are `ports`. */
export function inventoryServices(appName: string, ports: readonly PortSpec[]): InventoryServiceSpec[] {
  const byProtocol = new Map<Protocol, { ports: Set<number>; collapsed: string[] }>();
  for (const spec of ports) {
    const entry = byProtocol.get(spec.protocol) ?? { ports: new Set<number>(), collapsed: [] };
    byProtocol.set(spec.protocol, entry);
    const last = spec.to ?? spec.port;
    if (last - spec.port + 1 > RANGE_LIMIT) {
      entry.ports.add(spec.port).add(last);
      entry.collapsed.push(`${spec.port}-${last}`);
    } else {
      for (let p = spec.port; p <= last; p++) entry.ports.add(p);
    }
  }
  return [...byProtocol.entries()]
    .sort(([a], [b]) => (a === b ? 0 : a === "tcp" ? -1 : b === "tcp" ? 1 : a < b ? -1 : 1))
    .map(([protocol, { ports: set, collapsed }]) => ({
      name: protocol === "tcp" ? appName : `${appName}-${protocol}`,
      protocol,
      ports: [...set].sort((a, b) => a - b),
      collapsedRanges: collapsed,
    }));
}
