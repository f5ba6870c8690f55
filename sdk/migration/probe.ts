/**
 * The downtime probe: what a client sees during a migration. Every `intervalMs` it asks the
 * site's DNS server for the app's name (as a client would, without a cache) and fetches
 * `http://<answer>:<port><path>`; each failed or refused attempt counts as down until the next
 * success. The total is the migration's measured downtime. An outage counts from the moment its
 * first failed attempt was made, not from when its failure came back: on a busy machine the DNS
 * answer or the refusal can take most of a second, and a client asking then was not served.
 */
import { Resolver } from "dns/promises";

/** What the downtime probe asks for, and how often. */
export interface ProbeTarget {
  /** The name clients use, e.g. "pixelfed.coop.example". */
  readonly name: string;
  /** The DNS server to ask, "127.0.0.1:5300". */
  readonly dnsServer: string;
  /** The HTTP port fetched at the address the name resolves to. */
  readonly port: number;
  /** The HTTP path fetched; default "/". Any status other than 2xx counts as down. */
  readonly path?: string;
  /** Milliseconds between the starts of two attempts; default 200. Each attempt times out after 1 s. */
  readonly intervalMs?: number;
}

/** One stretch of time the probe was down. */
export interface ProbeOutage {
  /** When its first failed attempt was made (ms since the epoch). */
  readonly from: number;
  /** The next success, or the probe's stop (ms since the epoch). */
  readonly to: number;
  /** What the first failed attempt saw ("fetch failed: connect ECONNREFUSED ..."). */
  readonly reason: string;
}

/** What the probe saw between its start and its stop. */
export interface ProbeReport {
  /** Attempts made (one DNS lookup and one HTTP fetch each). */
  readonly attempts: number;
  /** Attempts that failed: no DNS answer, no connection, a timeout or a non-2xx status. */
  readonly failures: number;
  /** Time from each failed attempt to the next success, summed, in seconds (the measured downtime). */
  readonly downtimeSeconds: number;
  /** Addresses that answered, in the order they first did. */
  readonly servedBy: readonly string[];
  /** Each time the probe was down, in order. */
  readonly outages?: readonly ProbeOutage[];
}

export interface RunningProbe {
  stop(): Promise<ProbeReport>;
}

/**
 * Starts probing `target` in the background, as a client would (DNS lookup without a cache, then
 * an HTTP GET), every `intervalMs`. Never throws: failures count as downtime. Call `stop()` on the
 * result to end the loop and get the {@link ProbeReport}.
 */
export function startProbe(target: ProbeTarget): RunningProbe {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([target.dnsServer]);
  let attempts = 0;
  let failures = 0;
  let downSince: number | undefined;
  let down = 0;
  const servedBy: string[] = [];
  const outages: ProbeOutage[] = [];
  let reason = "";
  let stopped = false;
  const once = async (): Promise<void> => {
    attempts++;
    const asked = Date.now();
    try {
      const [address] = await resolver.resolve4(target.name);
      const response = await fetch(`http://${address}:${target.port}${target.path ?? "/"}`, {
        signal: AbortSignal.timeout(1000),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (!servedBy.includes(address)) servedBy.push(address);
      if (downSince !== undefined) {
        down += Date.now() - downSince;
        outages.push({ from: downSince, to: Date.now(), reason });
      }
      downSince = undefined;
    } catch (error) {
      failures++;
      if (downSince === undefined) {
        downSince = asked;
        const cause = (error as Error & { cause?: Error }).cause;
        reason = `${(error as Error).message}${cause ? `: ${cause.message}` : ""}`;
      }
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
      if (downSince !== undefined) {
        down += Date.now() - downSince;
        outages.push({ from: downSince, to: Date.now(), reason });
      }
      return { attempts, failures, downtimeSeconds: down / 1000, servedBy, outages };
    },
  };
}
