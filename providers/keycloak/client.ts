/**
 * The Keycloak admin REST API, typed from Keycloak's own OpenAPI document (trimmed to the paths
 * used: openapi/keycloak-admin.json, types in generated/schema.d.ts by `npm run gen:keycloak`)
 * through openapi-fetch. The admin signs in with a password grant on the admin realm's `admin-cli`
 * client; the token is cached and renewed before it expires. Transient failures (connection
 * errors, 5xx) are retried with the shared backoff for idempotent calls; errors are the shared
 * ApiError/UnreachableError (providers/shared/http) carrying the method, path, status and the
 * server's own message, never a token or password.
 */
import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, backoffMs, isRetryable, redact, UnreachableError } from "../shared/http";
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

const SERVICE = "Keycloak admin";
const HINT = "Is Keycloak running at that address (stack config sovereign:keycloakUrl)?";

/** Keycloak's own error text from a response body. */
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

function describeFetchError(e: unknown, timeoutMs: number): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
    const cause = (e as Error & { cause?: Error & { code?: string } }).cause;
    if (cause) return cause.code ? `${cause.code} (${cause.message})` : cause.message;
    return e.message;
  }
  return String(e);
}

const REFUSED = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * fetch with a timeout, and retries with the shared backoff (providers/shared/http) of what may be
 * repeated: 5xx answers to idempotent requests, connection errors. Failures become the shared
 * ApiError / UnreachableError, with every secret (the admin password, the token) redacted.
 * `idempotent` overrides the method's default (a token request changes nothing).
 */
async function fetchWithRetries(
  request: Request,
  timeoutMs: number,
  retries: number,
  secrets: () => readonly string[],
  idempotent = request.method !== "POST",
): Promise<Response> {
  const path = new URL(request.url).pathname;
  for (let attempt = 0; ; attempt++) {
    let failure: ApiError | UnreachableError;
    try {
      const response = await fetch(request.clone(), { signal: AbortSignal.timeout(timeoutMs) });
      if (response.status < 500 || response.status === 501) return response;
      const text = serverText(await response.text(), response.statusText);
      failure = new ApiError(SERVICE, request.method, path, response.status, redact(text, secrets()));
    } catch (e) {
      const cause = redact(describeFetchError(e, timeoutMs), secrets());
      failure = new UnreachableError(SERVICE, request.method, request.url, cause, REFUSED.test(cause), HINT);
    }
    if (attempt >= retries || !isRetryable(failure, idempotent)) throw failure;
    await sleep(backoffMs(attempt, Math.random()));
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
      fetch: (request) => fetchWithRetries(request, this.timeoutMs, this.retries, () => this.secrets()),
    });
    this.api.use(this.authAndErrors());
  }

  /** What must never appear in an error message. */
  private secrets(): string[] {
    return [this.credentials.adminPassword, ...(this.token ? [this.token.value] : [])];
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
        const text = serverText(await response.text(), response.statusText);
        throw new ApiError(SERVICE, request.method, path, response.status, redact(text, this.secrets()));
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
    const answer = await fetchWithRetries(
      new Request(url, { method: "POST", body }),
      this.timeoutMs,
      this.retries,
      () => this.secrets(),
      true,
    );
    const text = await answer.text();
    if (!answer.ok) {
      const reason = redact(`admin sign-in refused: ${serverText(text, answer.statusText)}`, this.secrets());
      throw new ApiError(SERVICE, "POST", new URL(url).pathname, answer.status, reason);
    }
    const token = JSON.parse(text) as { access_token: string; expires_in: number };
    this.token = { value: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 };
    return token.access_token;
  }

  /** The id at the end of a 201's Location header (Keycloak answers creations that way). */
  static createdId(response: Response, what: string): string {
    const location = response.headers.get("Location");
    const id = location?.split("/").pop();
    if (!id) throw new Error(`Keycloak created ${what} but sent no Location header`);
    return decodeURIComponent(id);
  }
}
