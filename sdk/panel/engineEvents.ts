/**
 * The engine's event stream, as the panel passes it on: what happens to which resource, which
 * properties differ, diagnostics and the summary. Property values are left out on purpose (they
 * may hold secrets); names of changed properties are enough to review a change.
 */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";

/** One resource's planned or applied change. */
export interface ResourceChange {
  readonly urn: string;
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
  | { readonly kind: "started"; readonly sequence: number }
  | ({
      readonly kind: "resource";
      readonly sequence: number;
      readonly phase: "pre" | "done" | "failed";
    } & ResourceChange)
  | {
      readonly kind: "diagnostic";
      readonly sequence: number;
      readonly severity: string;
      readonly message: string;
      readonly urn?: string;
    }
  | {
      readonly kind: "summary";
      readonly sequence: number;
      readonly resourceChanges: Readonly<Record<string, number>>;
    };

function resourceChange(meta: NonNullable<EngineEvent["resourcePreEvent"]>["metadata"]): ResourceChange {
  return {
    urn: meta.urn,
    type: meta.type,
    op: meta.op,
    diffs: meta.diffs ?? [],
    detailedDiff: Object.fromEntries(
      Object.entries(meta.detailedDiff ?? {}).map(([k, d]) => [k, d.diffKind]),
    ),
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
