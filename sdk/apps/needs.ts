/**
 * What each catalog app needs from the host it runs on, so that a host too small for its apps is
 * refused at preview. Figures are the upstream projects' documented minimums for a small instance
 * (rounded up), plus the database they bring along.
 */
import type { AppId } from "./catalog";

export interface AppNeeds {
  /** Memory, MiB. */
  readonly memoryMiB: number;
  /** Disk for the app and its data at start, GiB. */
  readonly diskGiB: number;
  /** TCP ports the app's front end listens on (behind the host's reverse proxy). */
  readonly tcpPorts: readonly number[];
  /** UDP ports the app needs open (media, streaming). */
  readonly udpPorts: readonly number[];
}

const WEB = [80, 443] as const;

const needs: Record<AppId, AppNeeds> = {
  nextcloud: { memoryMiB: 512, diskGiB: 10, tcpPorts: WEB, udpPorts: [] },
  forgejo: { memoryMiB: 256, diskGiB: 5, tcpPorts: [...WEB, 22], udpPorts: [] },
  hedgedoc: { memoryMiB: 256, diskGiB: 2, tcpPorts: WEB, udpPorts: [] },
  edumeet: { memoryMiB: 1024, diskGiB: 2, tcpPorts: WEB, udpPorts: [40000] },
  webmail: { memoryMiB: 128, diskGiB: 1, tcpPorts: WEB, udpPorts: [] },
  documents: { memoryMiB: 512, diskGiB: 5, tcpPorts: WEB, udpPorts: [] },
  planning: { memoryMiB: 128, diskGiB: 1, tcpPorts: WEB, udpPorts: [] },
  matrix: { memoryMiB: 1024, diskGiB: 10, tcpPorts: [...WEB, 8448], udpPorts: [] },
  mastodon: { memoryMiB: 2048, diskGiB: 20, tcpPorts: WEB, udpPorts: [] },
  pixelfed: { memoryMiB: 1024, diskGiB: 20, tcpPorts: WEB, udpPorts: [] },
  peertube: { memoryMiB: 2048, diskGiB: 50, tcpPorts: [...WEB, 1935], udpPorts: [] },
  owncast: { memoryMiB: 1024, diskGiB: 10, tcpPorts: [...WEB, 1935], udpPorts: [] },
  castopod: { memoryMiB: 512, diskGiB: 10, tcpPorts: WEB, udpPorts: [] },
};

/** What the host's operating system itself takes before any app. */
export const BASE_NEEDS = { memoryMiB: 512, diskGiB: 4 } as const;

export function appNeeds(app: AppId): AppNeeds {
  return needs[app];
}

/** The sum over a host's apps, plus the base system. */
export function hostNeeds(apps: readonly AppId[]): { memoryMiB: number; diskGiB: number } {
  return apps.reduce<{ memoryMiB: number; diskGiB: number }>(
    (sum, app) => ({
      memoryMiB: sum.memoryMiB + needs[app].memoryMiB,
      diskGiB: sum.diskGiB + needs[app].diskGiB,
    }),
    { memoryMiB: BASE_NEEDS.memoryMiB, diskGiB: BASE_NEEDS.diskGiB },
  );
}
