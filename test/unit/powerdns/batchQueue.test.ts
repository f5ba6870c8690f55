import * as assert from "assert";
import fc from "fast-check";
import { ApiError, UnreachableError } from "../../../providers/shared/http";
import { planPatches, QueueClock, QueueIo, ZoneBatchQueue } from "../../../providers/powerdns/batchQueue";
import type { PdnsRRSetChange } from "../../../providers/powerdns/client";

/** A clock that moves only when told; timers fire in order of their due time. */
class FakeClock implements QueueClock {
  private t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  /** Moves time forward, firing due timers and letting the promises they start settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    await settle();
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

const change = (name: string, content = "192.0.2.1"): PdnsRRSetChange => ({
  name,
  type: "A",
  ttl: 60,
  changetype: "REPLACE",
  records: [{ content }],
});

const limits = { idleMs: 40, maxWaitMs: 400, maxRrsetsPerPatch: 1000, maxPatchBytes: 1_000_000 };

function recorder(fail: (changes: PdnsRRSetChange[]) => Error | undefined, landed: string[] = []) {
  const sent: string[][] = [];
  const io: QueueIo = {
    patch: async (changes) => {
      sent.push(changes.map((c) => c.name));
      const e = fail(changes);
      if (e) throw e;
    },
    landed: async (changes) => changes.map((c) => landed.includes(c.name)),
  };
  return { io, sent };
}

async function outcomes(promises: Promise<void>[]): Promise<string[]> {
  return Promise.all(
    promises.map((p) =>
      p.then(
        () => "ok",
        (e: Error) => e.name,
      ),
    ),
  );
}

describe("powerdns batch queue (fake clock)", () => {
  it("waits until changes stop coming, then sends them in one PATCH", async () => {
    const clock = new FakeClock();
    const { io, sent } = recorder(() => undefined);
    const q = new ZoneBatchQueue(io, limits, clock);
    const done = [q.submit(change("a.")), q.submit(change("b."))];
    await clock.advance(30);
    done.push(q.submit(change("c.")));
    await clock.advance(30);
    assert.deepStrictEqual(sent, [], "still within the idle window of the last change");
    await clock.advance(20);
    assert.deepStrictEqual(sent, [["a.", "b.", "c."]]);
    assert.deepStrictEqual(await outcomes(done), ["ok", "ok", "ok"]);
  });

  it("sends a lone operation's whole plan at once, but lets another operation's changes join an idle wait", async () => {
    const clock = new FakeClock();
    const { io, sent } = recorder(() => undefined);
    const q = new ZoneBatchQueue(io, limits, clock);
    const alone = q.operation(() => Promise.all(q.submitAll([change("a."), change("b.")])));
    await clock.advance(0);
    assert.deepStrictEqual(sent, [["a.", "b."]], "no idle wait: nothing else is in progress");
    await alone;
    // Two operations in progress: the first one's plan waits for the other's change.
    let release!: () => void;
    const other = q.operation(() => new Promise<void>((r) => (release = r)));
    const plan = q.operation(() => Promise.all(q.submitAll([change("c.")])));
    await clock.advance(0);
    assert.deepStrictEqual(sent.length, 1, "still waiting: another operation may add changes");
    const single = q.submit(change("d."));
    await clock.advance(40);
    assert.deepStrictEqual(sent[1], ["c.", "d."]);
    release();
    await Promise.all([other, plan, single]);
  });

  it("never waits longer than maxWaitMs for a steady trickle", async () => {
    const clock = new FakeClock();
    const { io, sent } = recorder(() => undefined);
    const q = new ZoneBatchQueue(io, limits, clock);
    for (let t = 0; t < 400; t += 20) {
      void q.submit(change(`h${t}.`));
      await clock.advance(20);
    }
    assert.strictEqual(sent.length, 1, "sent at maxWaitMs although changes kept coming");
  });

  it("caps a PATCH by serialized size as well as by count", async () => {
    const clock = new FakeClock();
    const { io, sent } = recorder(() => undefined);
    const big = "x".repeat(300);
    const q = new ZoneBatchQueue(io, { ...limits, maxPatchBytes: 1000 }, clock);
    const done = Array.from({ length: 7 }, (_, i) => q.submit(change(`${big}${i}.`)));
    await clock.advance(100);
    assert.deepStrictEqual(
      sent.map((b) => b.length),
      [2, 2, 2, 1],
    );
    assert.deepStrictEqual(await outcomes(done), Array(7).fill("ok"));
  });

  it("splits a failing batch so that only the refused change fails (422 or 5xx after retries)", async () => {
    for (const status of [422, 500]) {
      const clock = new FakeClock();
      const { io, sent } = recorder((cs) =>
        cs.some((c) => c.name === "bad.") ? new ApiError("PowerDNS", "PATCH", "/z", status, "no") : undefined,
      );
      const q = new ZoneBatchQueue(io, limits, clock);
      const names = ["a.", "b.", "bad.", "c.", "d."];
      const done = names.map((n) => q.submit(change(n)));
      await clock.advance(100);
      assert.deepStrictEqual(await outcomes(done), ["ok", "ok", "ApiError", "ok", "ok"], `HTTP ${status}`);
      assert.ok(sent.filter((b) => b.includes("bad.")).every((b) => !b.includes("a.") || b.length > 1));
    }
  });

  it("after a PATCH without an answer, reads the zone: changes that landed succeed, the others fail", async () => {
    const clock = new FakeClock();
    const lost = new UnreachableError("PowerDNS", "PATCH", "u", "no answer within 30000 ms", false, "");
    const { io } = recorder(() => lost, ["a.", "c."]);
    const q = new ZoneBatchQueue(io, limits, clock);
    const done = ["a.", "b.", "c."].map((n) => q.submit(change(n)));
    await clock.advance(100);
    assert.deepStrictEqual(await outcomes(done), ["ok", "UnreachableError", "ok"]);
  });

  it("a refused connection fails every change of the batch without splitting", async () => {
    const clock = new FakeClock();
    const refused = new UnreachableError("PowerDNS", "PATCH", "u", "ECONNREFUSED", true, "");
    const { io, sent } = recorder(() => refused);
    const q = new ZoneBatchQueue(io, limits, clock);
    const done = ["a.", "b."].map((n) => q.submit(change(n)));
    await clock.advance(100);
    assert.deepStrictEqual(await outcomes(done), ["UnreachableError", "UnreachableError"]);
    assert.strictEqual(sent.length, 1);
  });

  it("plans within both limits and keeps every change exactly once (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name: fc.constantFrom("a.", "b.", "c.", "x".repeat(200) + "."),
            type: fc.constantFrom("A", "TXT"),
          }),
          {
            maxLength: 40,
          },
        ),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 50, max: 2000 }),
        (changes, max, maxBytes) => {
          const batches = planPatches(changes, max, maxBytes);
          assert.deepStrictEqual(
            batches.flat().sort((a, b) => a - b),
            changes.map((_, i) => i),
          );
          for (const b of batches) {
            assert.ok(b.length >= 1 && b.length <= max);
            const size = b.reduce((n, i) => n + JSON.stringify(changes[i]).length + 1, 0);
            assert.ok(b.length === 1 || size <= maxBytes, `batch of ${size} bytes`);
          }
        },
      ),
    );
  });
});
