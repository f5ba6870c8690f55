/**
 * The Garage admin API v2 client: `openapi-fetch` over the types that `openapi-typescript` generated
 * from Garage's own OpenAPI document (generated/, `npm run gen:garage`). This file adds only what
 * the document cannot say: the bearer token, timeouts, retries with backoff on 5xx and connection
 * errors, and errors that carry Garage's own message and never the token.
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/admin-v2";
import { logRequest } from "../shared/requestLog";

export type GarageSchemas = components["schemas"];
export type BucketInfo = GarageSchemas["GetBucketInfoResponse"];
export type KeyInfo = GarageSchemas["GetKeyInfoResponse"];
export type BucketKeyPerm = GarageSchemas["ApiBucketKeyPerm"];
export type GarageAdminClient = Client<paths>;

/** Where a Garage admin API is, and the token that opens it. */
export interface GarageAdminEndpoint {
  /** e.g. http://127.0.0.1:3903 */
  readonly adminUrl: string;
  readonly adminToken: string;
}

export interface GarageClientOptions {
  timeoutMs?: number;
  /** Retries of a request that failed with a 5xx or a connection error. */
  retries?: number;
}

/** Garage answered with an error status; the message is Garage's own. */
export class GarageApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string,
    readonly serverText: string,
  ) {
    super(`Garage admin API ${operation} failed with HTTP ${status}${code ? ` ${code}` : ""}: ${serverText}`);
    this.name = "GarageApiError";
  }
}

/** Garage could not be reached, or did not answer in time. */
export class GarageUnreachableError extends Error {
  constructor(
    readonly operation: string,
    readonly url: string,
    readonly causeText: string,
    readonly neverSent: boolean,
  ) {
    super(
      `Garage admin API ${operation} at ${url} did not answer: ${causeText}. Is Garage running, with [admin] api_bind_addr at that address? ` +
        (neverSent
          ? "This request changed nothing; run the update again once Garage is reachable."
          : "This request may or may not have been applied; running the update again converges either way."),
    );
    this.name = "GarageUnreachableError";
  }
}

/** Operations that must not be sent twice once Garage may have seen them (they make new objects). */
const NOT_REPEATABLE = new Set(["CreateKey", "ImportKey", "CreateBucket"]);

export function operationOf(url: string): string {
  return new URL(url).pathname.replace(/^\/v2\//, "");
}

function describeFetchError(e: unknown, timeoutMs: number): { text: string; neverSent: boolean } {
  if (e instanceof Error) {
    if (e.name === "TimeoutError" || e.name === "AbortError")
      return { text: `no answer within ${timeoutMs} ms`, neverSent: false };
    const cause = (e as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: string }).code ?? "";
      return {
        text: code ? `${code} (${cause.message})` : cause.message,
        neverSent: /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|EADDRNOTAVAIL/.test(code),
      };
    }
    return { text: e.message, neverSent: false };
  }
  return { text: String(e), neverSent: false };
}

/** Garage's error body is `{ code, message, region, path }`; anything else is shown as text. */
export function serverErrorText(text: string, statusText: string): { code: string; message: string } {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.message === "string")
      return { code: typeof body.code === "string" ? body.code : "", message: body.message };
  } catch {
    // not JSON
  }
  return { code: "", message: text.trim() || statusText };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * fetch with a timeout per attempt and retries with backoff: on 5xx and connection errors for
 * every operation, except that operations creating objects are repeated only when the previous
 * attempt was never sent. Errors name the operation and Garage's message; the token is in a
 * header and never in any message.
 */
export function retryingFetch(timeoutMs: number, retries: number): (request: Request) => Promise<Response> {
  return async (request) => {
    const operation = operationOf(request.url);
    const body = request.body === null ? undefined : await request.arrayBuffer();
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      logRequest("SOVEREIGN_GARAGE_REQUEST_LOG", request.method, new URL(request.url).pathname);
      try {
        response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        const { text, neverSent } = describeFetchError(e, timeoutMs);
        if (attempt < retries && (neverSent || !NOT_REPEATABLE.has(operation))) {
          await sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random()));
          continue;
        }
        throw new GarageUnreachableError(operation, new URL(request.url).origin, text, neverSent);
      }
      if (response.status >= 500 && attempt < retries && !NOT_REPEATABLE.has(operation)) {
        await response.arrayBuffer();
        await sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random()));
        continue;
      }
      if (!response.ok) {
        const { code, message } = serverErrorText(await response.text(), response.statusText);
        throw new GarageApiError(operation, response.status, code, message);
      }
      return response;
    }
  };
}

export function garageAdminClient(
  endpoint: GarageAdminEndpoint,
  options: GarageClientOptions = {},
): GarageAdminClient {
  return createClient<paths>({
    baseUrl: endpoint.adminUrl.replace(/\/+$/, ""),
    headers: { Authorization: `Bearer ${endpoint.adminToken}` },
    fetch: retryingFetch(options.timeoutMs ?? 30_000, options.retries ?? 6),
  });
}

/** The data of an openapi-fetch result; errors were already thrown by retryingFetch. */
export function dataOf<T>(result: { data?: T; error?: unknown }, operation: string): T {
  if (result.data === undefined) throw new Error(`Garage admin API ${operation} returned no body`);
  return result.data;
}

/** True for Garage's "no such bucket/key" answers (only meaningful once Garage answered at all). */
export function isNotFound(e: unknown): boolean {
  return (
    e instanceof GarageApiError &&
    (e.status === 404 || ((e.code === "NoSuchBucket" || e.code === "NoSuchKey") && e.status === 400))
  );
}
