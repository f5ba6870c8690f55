/**
 * The engine's event stream, as the panel passes it on: what happens to which resource, which
 * properties differ, diagnostics and the summary. Property values are left out on purpose (they
 * may hold secrets); names of changed properties are enough to review a change.
 */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import type { ValidationError } from "./siteView";

/** One resource's planned or applied change. */
export interface ResourceChange {
  /** The resource's URN. */
  readonly urn: string;
  /** The resource's type token, e.g. "sovereign:dns:RecordSet". */
  readonly type: string;
  /** create, update, delete, replace, ... (never "same": unchanged resources are left out). */
  readonly op: OpType;
  /** Top-level properties that differ. */
  readonly diffs: readonly string[];
  /** Property path -> kind of change (add, update, delete, with "-replace" when it forces one). */
  readonly detailedDiff: Readonly<Record<string, string>>;
}

/** An engine event as the panel streams it. */
export type PanelEvent =
  | {
      /** The update started. */
      readonly kind: "started";
      /** The engine's event sequence number. */
      readonly sequence: number;
    }
  | ({
      /** A resource's step: about to run ("pre"), done, or failed. */
      readonly kind: "resource";
      /** The engine's event sequence number. */
      readonly sequence: number;
      /** Where the step is. */
      readonly phase: "pre" | "done" | "failed";
    } & ResourceChange)
  | {
      /** A message from the engine, the program or a provider. */
      readonly kind: "diagnostic";
      /** The engine's event sequence number. */
      readonly sequence: number;
      /** "info", "warning" or "error". */
      readonly severity: string;
      /** The message (values of secrets are masked by the engine). */
      readonly message: string;
      /** The resource it is about, when any. */
      readonly urn?: string;
    }
  | {
      /** The update ended. */
      readonly kind: "summary";
      /** The engine's event sequence number. */
      readonly sequence: number;
      /** Operation (create, update, delete, same, ...) to the number of resources. */
      readonly resourceChanges: Readonly<Record<string, number>>;
    };

type Inputs = Readonly<Record<string, unknown>>;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const isMap = (v: unknown): v is Inputs => typeof v === "object" && v !== null && !Array.isArray(v);
const has = (m: Inputs, k: string) => Object.prototype.hasOwnProperty.call(m, k);
const at = (m: Inputs, k: string) => (has(m, k) ? m[k] : undefined);

/**
 * Which inputs differ between two states, by name only: top-level keys, and for a map-valued input
 * (a record collection's `rrsets`) the entries added, updated or deleted as `key["entry"]`.
 * Dynamic providers cannot report a detailed diff to the engine, so the panel derives it from the
 * step's old and new inputs; values are never part of the answer.
 */
export function inputDiff(
  olds: Inputs,
  news: Inputs,
): { diffs: string[]; detailedDiff: Record<string, string> } {
  const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
    (k) => k !== "__provider" && !same(at(olds, k), at(news, k)),
  );
  const detailedDiff: Record<string, string> = {};
  for (const k of keys) {
    const [o, n] = [at(olds, k), at(news, k)];
    if (isMap(o) && isMap(n)) {
      for (const e of new Set([...Object.keys(o), ...Object.keys(n)])) {
        if (has(o, e) && has(n, e) && same(o[e], n[e])) continue;
        detailedDiff[`${k}[${JSON.stringify(e)}]`] = !has(o, e) ? "add" : !has(n, e) ? "delete" : "update";
      }
    } else detailedDiff[k] = !has(olds, k) ? "add" : !has(news, k) ? "delete" : "update";
  }
  return { diffs: keys.sort(), detailedDiff };
}

function resourceChange(meta: NonNullable<EngineEvent["resourcePreEvent"]>["metadata"]): ResourceChange {
  const reported = {
    diffs: meta.diffs ?? [],
    detailedDiff: Object.fromEntries(
      Object.entries(meta.detailedDiff ?? {}).map(([k, d]) => [k, d.diffKind]),
    ),
  };
  const derive = reported.diffs.length === 0 && meta.op === "update" && meta.old && meta.new;
  return {
    urn: meta.urn,
    type: meta.type,
    op: meta.op,
    ...(derive ? inputDiff(meta.old?.inputs ?? {}, meta.new?.inputs ?? {}) : reported),
  };
}

/** The panel's form of an engine event, or undefined for events a client has no use for. */
export function panelEvent(e: EngineEvent): PanelEvent | undefined {
  const sequence = e.sequence;
  if (e.preludeEvent) return { kind: "started", sequence };
  if (e.resourcePreEvent)
    return { kind: "resource", sequence, phase: "pre", ...resourceChange(e.resourcePreEvent.metadata) };
  if (e.resOutputsEvent)
    return { kind: "resource", sequence, phase: "done", ...resourceChange(e.resOutputsEvent.metadata) };
  if (e.resOpFailedEvent)
    return { kind: "resource", sequence, phase: "failed", ...resourceChange(e.resOpFailedEvent.metadata) };
  if (e.diagnosticEvent && !e.diagnosticEvent.ephemeral)
    return {
      kind: "diagnostic",
      sequence,
      severity: e.diagnosticEvent.severity,
      message: e.diagnosticEvent.message.trim(),
      ...(e.diagnosticEvent.urn ? { urn: e.diagnosticEvent.urn } : {}),
    };
  if (e.summaryEvent)
    return { kind: "summary", sequence, resourceChanges: { ...e.summaryEvent.resourceChanges } };
  return undefined;
}

/** The per-resource diff of a preview: every resource that would change, in the engine's order. */
export function plannedChanges(events: readonly EngineEvent[]): ResourceChange[] {
  return events
    .filter((e) => e.resourcePreEvent && e.resourcePreEvent.metadata.op !== "same")
    .map((e) =>
      resourceChange((e.resourcePreEvent as NonNullable<EngineEvent["resourcePreEvent"]>).metadata),
    );
}

/**
 * Why the engine refused a preview, from its error diagnostics: a provider's check failure
 * ("... property name ... has a problem: <reason>") keyed `<resource name>.<property>`, any other
 * resource error keyed by the resource's name, a program error keyed "site". Stack-trace lines, the
 * program's path and the engine's closing "preview failed" line are left out.
 */
export function engineRejections(events: readonly EngineEvent[]): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const e of events) {
    const d = e.diagnosticEvent;
    if (!d || d.severity !== "error") continue;
    const message = d.message
      .split("\n")
      // The program's path and stack say nothing to the caller (and show the panel's machine).
      .filter((line) => !/^\s+at\s/.test(line) && line.trim() !== "")
      .filter((line) => !/^Running program .* failed with an unhandled exception:$/.test(line))
      .join("\n")
      .replace(/^Error: /, "")
      .trim();
    if (!message || /^(update|preview) failed$/i.test(message)) continue;
    const resourceName = d.urn ? d.urn.slice(d.urn.lastIndexOf("::") + 2) : undefined;
    const property = /\bproperty '?([\w.[\]-]+?)'?\s+(?:value\b.*?\s)?has a problem/s.exec(message)?.[1];
    const problem = /has a problem:\s*([\s\S]*)$/.exec(message)?.[1]?.trim();
    errors.push({
      key: resourceName ? (property ? `${resourceName}.${property}` : resourceName) : "site",
      message: problem ?? message,
      ...(d.urn ? { resource: d.urn } : {}),
    });
  }
  return errors;
}
