/**
 * Lower-TTL-before-switch: how a DNS cut-over is made without clients holding the old answer for
 * hours. Lower the TTL, wait out the old TTL (caches now hold the short one), switch the records,
 * wait out the short TTL (everyone sees the new answer), restore the TTL.
 *
 * `planTtlSwitch` is the pure plan. `recordAt` says what the record set should be in each phase (what a
 * program declares while a migration is at that phase). `runTtlSwitch` walks the plan with the
 * effects injected: apply a record state (e.g. set stack config and `pulumi up` through the
 * Automation API) and wait.
 */

export interface RecordState {
  /** The TTL in seconds. */
  ttl: number;
  /** The record contents. */
  records: string[];
}

/** What a TTL-lowered record switch starts from and goes to. */
export interface TtlSwitchInput {
  /** For messages: "app.example.org. CNAME". */
  what: string;
  /** The record set as it is now. */
  current: RecordState;
  /** The contents it should end with. */
  target: string[];
  /** The TTL used around the switch; default 60 seconds. */
  lowTtl?: number;
  /** The TTL after the switch; default the current TTL. */
  restoreTtl?: number;
}

/** The phases of a switch: lower the TTL, switch the contents, restore the TTL. */
export type TtlSwitchPhase = "lower-ttl" | "switch" | "restore-ttl";

/** One step of a switch: write a record state, or wait for caches to expire. */
export type TtlSwitchStep =
  | {
      /** Write the record set. */
      kind: "apply";
      /** The phase this write belongs to. */
      phase: TtlSwitchPhase;
      /** The record set to write. */
      state: RecordState;
      /** Why, in one line. */
      why: string;
    }
  | {
      /** Wait before the next step. */
      kind: "wait";
      /** How long to wait, in seconds (the old TTL, so caches have expired). */
      seconds: number;
      /** Why, in one line. */
      why: string;
    };

const sameRecords = (a: string[], b: string[]): boolean =>
  JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

function checkTtl(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > 2147483647) {
    throw new Error(`${name} ${v} must be a whole number of seconds from 1 to 2147483647`);
  }
}

/** The steps of the cut-over; empty when there is nothing to switch. */
export function planTtlSwitch(input: TtlSwitchInput): TtlSwitchStep[] {
  const low = input.lowTtl ?? 60;
  const restore = input.restoreTtl ?? input.current.ttl;
  checkTtl("lowTtl", low);
  checkTtl("restoreTtl", restore);
  checkTtl(`current TTL of ${input.what}`, input.current.ttl);
  if (input.target.length === 0)
    throw new Error(`the target records of ${input.what} are empty; give what to switch to`);
  const steps: TtlSwitchStep[] = [];
  if (sameRecords(input.current.records, input.target)) {
    if (input.current.ttl !== restore) {
      steps.push({
        kind: "apply",
        phase: "restore-ttl",
        state: { ttl: restore, records: input.target },
        why: "records already switched; only the TTL differs",
      });
    }
    return steps;
  }
  if (input.current.ttl > low) {
    steps.push({
      kind: "apply",
      phase: "lower-ttl",
      state: { ttl: low, records: input.current.records },
      why: `lower the TTL of ${input.what} from ${input.current.ttl}s to ${low}s before the switch`,
    });
    steps.push({
      kind: "wait",
      seconds: input.current.ttl,
      why: `caches may hold the old answer for the old TTL (${input.current.ttl}s)`,
    });
  }
  const switchTtl = Math.min(low, input.current.ttl);
  steps.push({
    kind: "apply",
    phase: "switch",
    state: { ttl: switchTtl, records: input.target },
    why: `switch ${input.what} to ${input.target.join(", ")}`,
  });
  if (restore !== switchTtl) {
    steps.push({
      kind: "wait",
      seconds: switchTtl,
      why: `let every cache pick up the new answer (${switchTtl}s)`,
    });
    steps.push({
      kind: "apply",
      phase: "restore-ttl",
      state: { ttl: restore, records: input.target },
      why: `restore the TTL of ${input.what} to ${restore}s`,
    });
  }
  return steps;
}

/**
 * What the record set should hold while a migration is at `phase` (undefined: not started, the
 * current state). A program that declares `recordAt(...)` for the phase in its config is the wiring.
 */
export function recordAt(input: TtlSwitchInput, phase: TtlSwitchPhase | "not-started" | "done"): RecordState {
  if (phase === "not-started") return input.current;
  const steps = planTtlSwitch(input).filter(
    (s): s is Extract<TtlSwitchStep, { kind: "apply" }> => s.kind === "apply",
  );
  const final = { ttl: input.restoreTtl ?? input.current.ttl, records: input.target };
  if (phase === "done") return final;
  const order: TtlSwitchPhase[] = ["lower-ttl", "switch", "restore-ttl"];
  // A phase the plan skipped holds the state of the last phase before it.
  let state = input.current;
  for (const p of order.slice(0, order.indexOf(phase) + 1))
    state = steps.find((s) => s.phase === p)?.state ?? state;
  return state;
}

/** What running a switch's steps does: write a record state, and wait. */
export interface TtlSwitchEffects {
  /** Make the record set hold `state` (e.g. set the phase in stack config and run `pulumi up`). */
  apply(phase: TtlSwitchPhase, state: RecordState): Promise<void>;
  /** Wait; defaults to a real timer. */
  wait?(seconds: number, why: string): Promise<void>;
  /** Progress, e.g. for a log. */
  log?(message: string): void;
}

/** Walks the plan step by step; a failure stops it where it is (re-running the plan resumes safely). */
export async function runTtlSwitch(steps: TtlSwitchStep[], effects: TtlSwitchEffects): Promise<void> {
  const wait = effects.wait ?? ((s: number) => new Promise<void>((r) => setTimeout(r, s * 1000)));
  for (const step of steps) {
    effects.log?.(step.kind === "apply" ? step.why : `wait ${step.seconds}s: ${step.why}`);
    if (step.kind === "apply") await effects.apply(step.phase, step.state);
    else await wait(step.seconds, step.why);
  }
}
