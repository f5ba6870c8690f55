/** An error the panel answers with: an HTTP status and a JSON body a client can act on. */
export class PanelError extends Error {
  /**
   * @param status HTTP status (4xx for the caller's mistakes, 409 for a busy site).
   * @param code Stable machine-readable code, e.g. "validation_failed".
   * @param message What went wrong and how to fix it (never a stack trace or a secret).
   * @param details Extra JSON fields, e.g. the validation errors with their keys.
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "PanelError";
  }
}

/** The JSON body of an error response. */
export interface ErrorBody {
  /** Stable machine-readable code. */
  code: string;
  /** What went wrong and how to fix it. */
  error: string;
  [detail: string]: unknown;
}

/** The body for any thrown value: a PanelError as it is, anything else as an opaque 500. */
export function errorResponse(
  e: unknown,
  incident: string,
): {
  /** The HTTP status. */
  status: number;
  /** The JSON body. */
  body: ErrorBody;
} {
  if (e instanceof PanelError)
    return { status: e.status, body: { ...e.details, code: e.code, error: e.message } };
  return {
    status: 500,
    body: {
      code: "internal",
      error: `internal error (incident ${incident}); the panel's log has the details`,
    },
  };
}
