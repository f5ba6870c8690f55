/**
 * What each catalog app needs from the host it runs on, so that a host too small for its apps is
 * refused at preview and its firewall opens the right ports. Read from the app's catalog entry
 * (`requirements`, `ports`): the catalog is the one place these figures live.
 */
import { appDefinition, type AppId } from "./catalog";

export interface AppNeeds {
  /** Memory, MiB. */
  readonly memoryMiB: number;
  /** Disk for the app and its data at start, GiB. */
  readonly diskGiB: number;
  /** Public TCP ports (the firewall opens them). */
  readonly tcpPorts: readonly number[];
  /** Public UDP ports (media, streaming). */
  readonly udpPorts: readonly number[];
}

/** What the host's operating system itself takes before any app. */
export const BASE_NEEDS = { memoryMiB: 512, diskGiB: 4 } as const;

export function appNeeds(app: AppId): AppNeeds {
  const entry = appDefinition(app);
  const publicPorts = (protocol: "tcp" | "udp"): number[] => [
    ...new Set(entry.ports.filter((p) => p.public && p.protocol === protocol).map((p) => p.port)),
  ];
  return {
    memoryMiB: entry.requirements.memoryMiB,
    diskGiB: entry.requirements.diskGiB,
    tcpPorts: publicPorts("tcp"),
    udpPorts: publicPorts("udp"),
  };
}

/** The sum over a host's apps, plus the base system. */
export function hostNeeds(apps: readonly AppId[]): { memoryMiB: number; diskGiB: number } {
  return apps
    .map(appNeeds)
    .reduce<{ memoryMiB: number; diskGiB: number }>(
      (sum, need) => ({ memoryMiB: sum.memoryMiB + need.memoryMiB, diskGiB: sum.diskGiB + need.diskGiB }),
      { memoryMiB: BASE_NEEDS.memoryMiB, diskGiB: BASE_NEEDS.diskGiB },
    );
}
