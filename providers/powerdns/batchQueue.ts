/**
 * The per-zone queue that coalesces rrset changes into few PATCH requests. The clock and the I/O
 * are injected, so a test drives it deterministically (a fake clock, a recorded sender).
 *
 * - Changes wait until none arrived for `idleMs` (or the oldest waited `maxWaitMs`, or every
 *   operation in progress is waiting on the queue), then go out in as few PATCHes as PowerDNS
 *   accepts: one body never names an rrset twice and stays under `maxRrsetsPerPatch` rrsets and
 *   `maxPatchBytes` of JSON.
 * - PowerDNS applies a PATCH all or nothing. When one fails with an answer (422, 5xx after the
 *   client's retries...) the batch is split in halves until the failing change is alone: only
 *   that change's caller sees the error.
 * - When a PATCH got no answer (timeout, connection lost), it may or may not have been applied:
 *   the zone is read again; changes that landed are resolved, the others are reported failed.
 */
import { ApiError, UnreachableError } from "../shared/http";
import type { PdnsRRSetChange } from "./client";

export interface QueueClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: QueueClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface QueueIo {
  /** Sends one PATCH with these changes. */
  patch(changes: PdnsRRSetChange[]): Promise<void>;
  /** After an unclear outcome: for each change, whether the server now shows it applied. */
  landed(changes: PdnsRRSetChange[]): Promise<boolean[]>;
  /** Told after every PATCH outcome (the shared zone read applies or drops it). */
  afterWrite?(changes: PdnsRRSetChange[], succeeded: boolean): void;
}

export interface QueueLimits {
  idleMs: number;
  maxWaitMs: number;
  maxRrsetsPerPatch: number;
  maxPatchBytes: number;
}

export const rrsetKey = (c: { name: string; type: string }): string => `${c.name}\u0000${c.type}`;

/**
 * Splits queued changes (in arrival order) into as few PATCH bodies as PowerDNS accepts: one body
 * may not name the same rrset twice ("Duplicate RRset"), so a later change of the same rrset goes
 * to a later body; no body holds more than `max` rrsets or (unless alone) more than `maxBytes` of
 * serialized changes. Returns indexes into `changes`.
 */
export function planPatches(
  changes: readonly { name: string; type: string }[],
  max: number,
  maxBytes = Number.POSITIVE_INFINITY,
): number[][] {
  const batches: number[][] = [];
  const bytes: number[] = [];
  const lastBatchOfKey = new Map<string, number>();
  changes.forEach((c, i) => {
    const size = JSON.stringify(c).length + 1;
    const key = rrsetKey(c);
    let b = (lastBatchOfKey.get(key) ?? -1) + 1;
    while (batches[b] && (batches[b].length >= max || bytes[b] + size > maxBytes)) b++;
    (batches[b] ??= []).push(i);
    bytes[b] = (bytes[b] ?? 0) + size;
    lastBatchOfKey.set(key, b);
  });
  return batches.filter((b) => b !== undefined);
}

interface Waiter {
  change: PdnsRRSetChange;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class ZoneBatchQueue {
  private pending: Waiter[] = [];
  private timer?: unknown;
  private since?: number;
  private sending = false;
  /** Operations (create/update/delete) on this zone running now, and their peak. */
  private active = 0;
  private peak = 0;
  private peakAtLastFlush = -1;
  /** Counters (tests and the bench). */
  readonly stats = { patches: 0, rrsetsPatched: 0 };

  constructor(
    private readonly io: QueueIo,
    private readonly limits: QueueLimits,
    private readonly clock: QueueClock = realClock,
  ) {}

  /** Counts one provider operation, so the queue knows when every caller is waiting on it. */
  async operation<T>(op: () => Promise<T>): Promise<T> {
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await op();
    } finally {
      this.active--;
    }
  }

  /** Resolves when the PATCH carrying this change succeeded; rejects with this change's own error. */
  submit(change: PdnsRRSetChange): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ change, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Queues every change of one operation's plan (a record collection's write). When that operation
   * is the only one in progress nothing else can join the PATCH, so it is sent at once instead of
   * after the idle wait; otherwise the changes wait like single ones.
   */
  submitAll(changes: readonly PdnsRRSetChange[]): Promise<void>[] {
    const done = changes.map(
      (change) => new Promise<void>((resolve, reject) => this.pending.push({ change, resolve, reject })),
    );
    if (changes.length > 0) this.schedule(this.active <= 1);
    return done;
  }

  private schedule(complete = false): void {
    const now = this.clock.now();
    this.since ??= now;
    if (this.sending) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    // Once the engine runs at its parallelism limit (the peak stays put) and every operation waits
    // here, no further change can arrive before we answer: waiting would only add latency.
    const saturated =
      this.pending.length >= this.active && this.active === this.peak && this.peak === this.peakAtLastFlush;
    const idle = saturated || complete ? 0 : this.limits.idleMs;
    const wait = Math.max(0, Math.min(idle, this.since + this.limits.maxWaitMs - now));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.since = undefined;
      void this.flush();
    }, wait);
  }

  private async flush(): Promise<void> {
    this.sending = true;
    this.peakAtLastFlush = this.peak;
    const waiters = this.pending.splice(0);
    try {
      const plan = planPatches(
        waiters.map((w) => w.change),
        this.limits.maxRrsetsPerPatch,
        this.limits.maxPatchBytes,
      );
      for (const batch of plan) await this.send(batch.map((i) => waiters[i]));
    } finally {
      this.sending = false;
      if (this.pending.length > 0) this.schedule();
    }
  }

  private async send(waiters: Waiter[]): Promise<void> {
    const changes = waiters.map((w) => w.change);
    try {
      this.stats.patches++;
      this.stats.rrsetsPatched += changes.length;
      await this.io.patch(changes);
      this.io.afterWrite?.(changes, true);
      waiters.forEach((w) => w.resolve());
    } catch (e) {
      this.io.afterWrite?.(changes, false);
      if (e instanceof UnreachableError && !e.surelyNotApplied) return this.settleUnclear(waiters, e);
      if (e instanceof ApiError && waiters.length > 1) {
        const half = Math.ceil(waiters.length / 2);
        await this.send(waiters.slice(0, half));
        await this.send(waiters.slice(half));
        return;
      }
      waiters.forEach((w) => w.reject(e));
    }
  }

  /** No answer: look at the zone to see which changes landed; the rest fail with the error. */
  private async settleUnclear(waiters: Waiter[], e: UnreachableError): Promise<void> {
    let landed: boolean[];
    try {
      landed = await this.io.landed(waiters.map((w) => w.change));
    } catch {
      landed = waiters.map(() => false);
    }
    waiters.forEach((w, i) => (landed[i] ? w.resolve() : w.reject(e)));
  }
}
