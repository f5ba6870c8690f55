/**
 * The downtime probe: what a client sees during a migration. Every `intervalMs` it asks the
 * site's DNS server for the app's name (as a client would, without a cache) and fetches
 * `http://<answer>:<port><path>`; each failed or refused attempt counts as down until the next
 * success. The total is the migration's measured downtime.
 */
import { Resolver } from "dns/promises";

export interface ProbeTarget {
  /** The name clients use, e.g. "pixelfed.coop.example". */
  readonly name: string;
  /** The DNS server to ask, "127.0.0.1:5300". */
  readonly dnsServer: string;
  readonly port: number;
  readonly path?: string;
  readonly intervalMs?: number;
}

export interface ProbeReport {
  readonly attempts: number;
  readonly failures: number;
  /** Time from each failed attempt to the next success, summed, in seconds (the measured downtime). */
  readonly downtimeSeconds: number;
  /** Addresses that answered, in the order they first did. */
  readonly servedBy: readonly string[];
}

export interface RunningProbe {
  stop(): Promise<ProbeReport>;
}

export function startProbe(target: ProbeTarget): RunningProbe {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([target.dnsServer]);
  let attempts = 0;
  let failures = 0;
  let downSince: number | undefined;
  let down = 0;
  const servedBy: string[] = [];
  let stopped = false;
  const once = async (): Promise<void> => {
    attempts++;
    try {
      const [address] = await resolver.resolve4(target.name);
      const response = await fetch(`http://${address}:${target.port}${target.path ?? "/"}`, {
        signal: AbortSignal.timeout(1000),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (!servedBy.includes(address)) servedBy.push(address);
      if (downSince !== undefined) down += Date.now() - downSince;
      downSince = undefined;
    } catch {
      failures++;
      downSince ??= Date.now();
    }
  };
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      await once();
      await new Promise((r) =>
        setTimeout(r, Math.max(0, (target.intervalMs ?? 200) - (Date.now() - started))),
      );
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      if (downSince !== undefined) down += Date.now() - downSince;
      return { attempts, failures, downtimeSeconds: down / 1000, servedBy };
    },
  };
}
