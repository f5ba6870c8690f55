/**
 * The Keycloak admin REST API, typed from Keycloak's own OpenAPI document (trimmed to the paths
 * used: openapi/keycloak-admin.json, types in generated/schema.d.ts by `npm run gen:keycloak`)
 * through openapi-fetch. The admin signs in with a password grant on the admin realm's `admin-cli`
 * client; the token is cached and renewed before it expires. Transient failures (connection
 * errors, 502/503/504) are retried with backoff for idempotent calls; errors carry the method,
 * path, status and the server's own message, never a token or password.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./generated/schema";

export type RealmRepresentation = components["schemas"]["RealmRepresentation"];
export type ClientRepresentation = components["schemas"]["ClientRepresentation"];
export type GroupRepresentation = components["schemas"]["GroupRepresentation"];
export type UserRepresentation = components["schemas"]["UserRepresentation"];
export type RoleRepresentation = components["schemas"]["RoleRepresentation"];
/** Keycloak 24+ adds `unmanagedAttributePolicy` to the user profile (the 23 document predates it). */
export type UserProfileConfig = components["schemas"]["UPConfig"] & {
  unmanagedAttributePolicy?: "ENABLED" | "ADMIN_VIEW" | "ADMIN_EDIT";
};

export interface KeycloakAdminCredentials {
  /** Base URL of Keycloak, e.g. https://id.example.org or http://127.0.0.1:8080 */
  readonly url: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  /** Realm the admin user lives in; "master" unless told otherwise. */
  readonly adminRealm?: string;
}

/** The server answered with an error status. */
export class KeycloakApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly serverText: string,
  ) {
    super(`Keycloak admin API ${method} ${path} failed with HTTP ${status}: ${serverText}`);
    this.name = "KeycloakApiError";
  }
}

/** The server did not answer. Whether a write was applied is unknown; running again converges. */
export class KeycloakUnreachableError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly causeText: string,
  ) {
    super(`Keycloak at ${url} did not answer ${method}: ${causeText}. Is Keycloak running at that address?`);
    this.name = "KeycloakUnreachableError";
  }
}

const TRANSIENT = new Set([502, 503, 504]);

function serverText(text: string, fallback: string): string {
  try {
    const body = JSON.parse(text) as { errorMessage?: string; error?: string; error_description?: string };
    const message = body.errorMessage ?? body.error_description ?? body.error;
    if (typeof message === "string") return message;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 500) || fallback;
}

function describeFetchError(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError" || e.name === "AbortError") return "no answer in time";
    const cause = (e as Error & { cause?: Error & { code?: string } }).cause;
    if (cause) return cause.code ? `${cause.code} (${cause.message})` : cause.message;
    return e.message;
  }
  return String(e);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** fetch with a timeout and retries of idempotent requests on connection errors and 502/503/504. */
async function fetchWithRetries(request: Request, timeoutMs: number, retries: number): Promise<Response> {
  const idempotent = request.method !== "POST";
  for (let attempt = 0; ; attempt++) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      response = await fetch(request.clone(), { signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      failure = e;
    }
    const transient = failure !== undefined || TRANSIENT.has(response!.status);
    if (!transient || !idempotent || attempt >= retries) {
      if (response) return response;
      throw new KeycloakUnreachableError(request.method, request.url, describeFetchError(failure));
    }
    await sleep(Math.min(4000, 100 * 2 ** attempt) * (0.5 + Math.random()));
  }
}

export class KeycloakAdmin {
  readonly api: ReturnType<typeof createClient<paths>>;
  private token: { value: string; expiresAt: number } | undefined;
  readonly baseUrl: string;

  constructor(
    private readonly credentials: KeycloakAdminCredentials,
    private readonly timeoutMs = 30_000,
    private readonly retries = 6,
  ) {
    this.baseUrl = credentials.url.replace(/\/+$/, "");
    this.api = createClient<paths>({
      baseUrl: this.baseUrl,
      fetch: (request) => fetchWithRetries(request, this.timeoutMs, this.retries),
    });
    this.api.use(this.authAndErrors());
  }

  private authAndErrors(): Middleware {
    return {
      onRequest: async ({ request }) => {
        request.headers.set("Authorization", `Bearer ${await this.accessToken()}`);
        return request;
      },
      onResponse: async ({ request, response }) => {
        if (response.ok || response.status === 404) return response;
        const path = new URL(request.url).pathname;
        throw new KeycloakApiError(
          request.method,
          path,
          response.status,
          serverText(await response.text(), response.statusText),
        );
      },
    };
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 10_000) return this.token.value;
    const realm = encodeURIComponent(this.credentials.adminRealm ?? "master");
    const url = `${this.baseUrl}/realms/${realm}/protocol/openid-connect/token`;
    const body = new URLSearchParams({
      grant_type: "password",
      client_id: "admin-cli",
      username: this.credentials.adminUser,
      password: this.credentials.adminPassword,
    });
    // A token request changes nothing on the server, so it is retried like a read.
    const answer = await this.retryingTokenRequest(url, body);
    const text = await answer.text();
    if (!answer.ok) {
      throw new KeycloakApiError(
        "POST",
        new URL(url).pathname,
        answer.status,
        `admin sign-in refused: ${serverText(text, answer.statusText)}`,
      );
    }
    const token = JSON.parse(text) as { access_token: string; expires_in: number };
    this.token = { value: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 };
    return token.access_token;
  }

  private async retryingTokenRequest(url: string, body: URLSearchParams): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(url, {
          method: "POST",
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (!TRANSIENT.has(response.status) || attempt >= this.retries) return response;
      } catch (e) {
        if (attempt >= this.retries) throw new KeycloakUnreachableError("POST", url, describeFetchError(e));
      }
      await sleep(Math.min(4000, 100 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }

  /** The id at the end of a 201's Location header (Keycloak answers creations that way). */
  static createdId(response: Response, what: string): string {
    const location = response.headers.get("Location");
    const id = location?.split("/").pop();
    if (!id) throw new Error(`Keycloak created ${what} but sent no Location header`);
    return decodeURIComponent(id);
  }
}
