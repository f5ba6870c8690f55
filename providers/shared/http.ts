/**
 * JSON over HTTP for the providers' API clients: a timeout on every request, retries with backoff
 * on 5xx answers and connection errors (for requests that are safe to repeat), and errors that
 * carry the HTTP status and the server's own text, never a credential.
 */

export interface HttpSettings {
  /** The service's name in messages, e.g. "PowerDNS". */
  readonly service: string;
  /** Base URL without trailing slash; request paths are appended. */
  readonly baseUrl: string;
  /** Sent with every request (credentials go here). */
  readonly headers: Readonly<Record<string, string>>;
  /** Values that must never appear in an error message (API keys, tokens): replaced by "***". */
  readonly secrets: readonly string[];
  /** What to tell the user when the server does not answer, e.g. "Is pdns_server running?". */
  readonly unreachableHint?: string;
  /** Per attempt; default 30 s. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt; default 6 (about 3 s of backoff in all). */
  readonly retries?: number;
  /** The server's error text from a response body; default: the body trimmed, or the status text. */
  readonly errorText?: (body: string, statusText: string) => string;
  /** Called before every attempt (request counting in tests and benches). */
  readonly onAttempt?: (method: string, path: string) => void;
  /** Waits between attempts; replaced in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  /**
   * May the request be sent again after an unclear outcome (5xx, timeout)? Default: true for GET,
   * PUT, PATCH and DELETE, false for POST. A refused connection is retried in any case: nothing
   * reached the server.
   */
  readonly idempotent?: boolean;
}

/** Replaces every secret in a text by "***". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join("***");
  return out;
}

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly service: string,
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly serverText: string,
  ) {
    super(`${service} API ${method} ${path} failed with HTTP ${status}: ${serverText}`);
    this.name = "ApiError";
  }
}

/** The server could not be reached, or did not answer in time. */
export class UnreachableError extends Error {
  constructor(
    readonly service: string,
    readonly method: string,
    readonly url: string,
    readonly causeText: string,
    /** True when the request never reached the server (connection refused, no such host). */
    readonly surelyNotApplied: boolean,
    hint: string,
  ) {
    super(
      `${service} API ${method} ${url} did not answer: ${causeText}. ${hint ? hint + " " : ""}` +
        (surelyNotApplied
          ? "This request changed nothing; run the command again once the server is reachable."
          : "This request may or may not have been applied; running the update again converges either way."),
    );
    this.name = "UnreachableError";
  }
}

/** Backoff before retry `attempt` (0-based): 50 ms doubling up to 1.6 s, times a jitter in [0.5, 1.5). */
export function backoffMs(attempt: number, random: number): number {
  return Math.min(1600, 50 * 2 ** attempt) * (0.5 + random);
}

/** Whether an answer or failure may be retried. */
export function isRetryable(e: unknown, idempotent: boolean): boolean {
  if (e instanceof ApiError) return idempotent && e.status >= 500 && e.status !== 501;
  if (e instanceof UnreachableError) return e.surelyNotApplied || idempotent;
  return false;
}

const REFUSED = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/;

function describeFetchError(e: unknown, timeoutMs: number): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
    const cause = (e as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: string }).code;
      return code ? `${code} (${cause.message})` : cause.message;
    }
    return e.message;
  }
  return String(e);
}

async function attempt(
  s: HttpSettings,
  method: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<unknown> {
  s.onAttempt?.(method, path);
  const url = s.baseUrl + path;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        ...s.headers,
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = redact(describeFetchError(e, timeoutMs), s.secrets);
    throw new UnreachableError(s.service, method, url, cause, REFUSED.test(cause), s.unreachableHint ?? "");
  }
  const text = await res.text();
  if (!res.ok) {
    const serverText = s.errorText ? s.errorText(text, res.statusText) : text.trim() || res.statusText;
    throw new ApiError(s.service, method, path, res.status, redact(serverText, s.secrets));
  }
  if (res.status === 204 || text === "") return undefined;
  return JSON.parse(text) as unknown;
}

/**
 * One API call with its retries. Resolves to the parsed JSON body (undefined for an empty one);
 * rejects with ApiError or UnreachableError.
 */
export async function requestJson<T>(
  s: HttpSettings,
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<T | undefined> {
  const idempotent = opts.idempotent ?? method !== "POST";
  const retries = s.retries ?? 6;
  const sleep = s.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let n = 0; ; n++) {
    try {
      return (await attempt(s, method, path, body, s.timeoutMs ?? 30_000)) as T | undefined;
    } catch (e) {
      if (n >= retries || !isRetryable(e, idempotent)) throw e;
      await sleep(backoffMs(n, Math.random()));
    }
  }
}

/**
 * A 404 means "gone" only once the service itself is known to answer at that address (right URL,
 * valid server id): `probe` asks for something that must exist and throws otherwise. Any other
 * error (422, 5xx, no answer) never means "gone".
 */
export async function isGone(e: unknown, probe: () => Promise<unknown>): Promise<boolean> {
  if (!(e instanceof ApiError) || e.status !== 404) return false;
  await probe();
  return true;
}
