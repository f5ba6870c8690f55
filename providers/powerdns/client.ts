/**
 * A small typed client for the PowerDNS Authoritative HTTP API (4.7). The types mirror the
 * definitions of the server's own Swagger document (`GET /api/docs`; a copy is kept in the
 * project's shared openapi folder), field names as on the wire. Only what the providers use.
 * Errors carry the HTTP status and the server's text, never the API key.
 */
import { appendFileSync } from "fs";

/** Swagger `Record`. */
export interface PdnsRecord {
  content: string;
  disabled?: boolean;
}

/** Swagger `Comment`. */
export interface PdnsComment {
  content: string;
  account?: string;
  modified_at?: number;
}

/** Swagger `RRSet` as the server returns it. */
export interface PdnsRRSet {
  name: string;
  type: string;
  ttl: number;
  records: PdnsRecord[];
  comments?: PdnsComment[];
}

/** Swagger `RRSet` in a PATCH body: `changetype` REPLACE or DELETE (DELETE carries no ttl/records). */
export type PdnsRRSetChange =
  (PdnsRRSet & { changetype: "REPLACE" }) | { name: string; type: string; changetype: "DELETE" };

export type PdnsZoneKind = "Native" | "Master" | "Slave" | "Producer" | "Consumer";

/** Swagger `Zone`. */
export interface PdnsZone {
  id: string;
  name: string;
  type?: "Zone";
  url?: string;
  kind: PdnsZoneKind;
  rrsets?: PdnsRRSet[];
  serial?: number;
  notified_serial?: number;
  edited_serial?: number;
  masters?: string[];
  dnssec?: boolean;
  nsec3param?: string;
  nsec3narrow?: boolean;
  presigned?: boolean;
  soa_edit?: string;
  soa_edit_api?: string;
  api_rectify?: boolean;
  catalog?: string;
  account?: string;
  master_tsig_key_ids?: string[];
  slave_tsig_key_ids?: string[];
}

/** Body of POST /zones (Swagger `Zone`, with the creation-only `nameservers`). */
export interface PdnsZoneCreate {
  name: string;
  kind: PdnsZoneKind;
  nameservers?: string[];
  masters?: string[];
  soa_edit_api?: string;
  account?: string;
  dnssec?: boolean;
  rrsets?: PdnsRRSet[];
}

/** Body of PUT /zones/{id}: the fields the server lets one modify. */
export interface PdnsZoneSettings {
  kind?: PdnsZoneKind;
  masters?: string[];
  catalog?: string;
  account?: string;
  soa_edit?: string;
  soa_edit_api?: string;
  api_rectify?: boolean;
  dnssec?: boolean;
  nsec3param?: string;
}

/** Swagger `Cryptokey`. */
export interface PdnsCryptokey {
  type?: "Cryptokey";
  id: number;
  keytype: "ksk" | "zsk" | "csk";
  active: boolean;
  published?: boolean;
  dnskey?: string;
  ds?: string[];
  cds?: string[];
  privatekey?: string;
  algorithm?: string;
  bits?: number;
  flags?: number;
}

/** Swagger `Error`. */
export interface PdnsErrorBody {
  error: string;
  errors?: string[];
}

export interface PowerDnsEndpoint {
  /** Base URL of the web server, e.g. http://127.0.0.1:8081 (a trailing /api/v1 is tolerated). */
  readonly apiUrl: string;
  readonly apiKey: string;
  /** Usually "localhost". */
  readonly serverId: string;
}

/** The server answered with an error status. */
export class PowerDnsApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly serverText: string,
  ) {
    super(`PowerDNS API ${method} ${path} failed with HTTP ${status}: ${serverText}`);
    this.name = "PowerDnsApiError";
  }
}

/** The server could not be reached, or did not answer in time. */
export class PowerDnsUnreachableError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly causeText: string,
  ) {
    super(
      `PowerDNS API ${method} ${url} did not answer: ${causeText}. Is pdns_server running with api=yes and webserver=yes at that address? ` +
        (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/.test(causeText)
          ? "This request changed nothing; run the update again once the server is reachable."
          : "This request may or may not have been applied; running the update again converges either way."),
    );
    this.name = "PowerDnsUnreachableError";
  }
}

/** Requests sent, per method; counted in-process (for tests and the bench). */
export const requestCounts: Record<string, number> = {};

export function resetRequestCounts(): void {
  for (const k of Object.keys(requestCounts)) delete requestCounts[k];
}

export function totalRequests(): number {
  return Object.values(requestCounts).reduce((a, b) => a + b, 0);
}

/** Per server (base URL): the tail of the chain of writes this process sends to it. */
const writeChains = new Map<string, Promise<void>>();

export function apiBase(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
}

export class PowerDnsClient {
  private readonly base: string;
  private readonly serverPath: string;

  constructor(
    private readonly endpoint: PowerDnsEndpoint,
    private readonly timeoutMs = 30_000,
    private readonly transientRetries = 8,
  ) {
    this.base = apiBase(endpoint.apiUrl);
    this.serverPath = `/api/v1/servers/${encodeURIComponent(endpoint.serverId)}`;
  }

  private zonePath(zoneId: string): string {
    return `${this.serverPath}/zones/${encodeURIComponent(zoneId)}`;
  }

  /**
   * One API call. Idempotent methods are retried on HTTP 500/503 a few times with backoff: with the
   * SQLite backend, concurrent writers get "database is locked" as a 500 (details only in the
   * server's log), which clears as soon as the other write commits. POST is never retried.
   */
  private async request<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    if (method === "GET") return this.withRetries<T>(method, path, body);
    // Writes to one server go one at a time from this process: SQLite-backed servers refuse
    // concurrent writers outright, and batching already keeps writes few.
    const previous = writeChains.get(this.base) ?? Promise.resolve();
    const mine = previous.then(() => this.withRetries<T>(method, path, body));
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    writeChains.set(this.base, settled);
    void settled.then(() => {
      if (writeChains.get(this.base) === settled) writeChains.delete(this.base);
    });
    return mine;
  }

  private async withRetries<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    const retries = method === "POST" ? 0 : this.transientRetries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, path, body);
      } catch (e) {
        if (!(e instanceof PowerDnsApiError && (e.status === 500 || e.status === 503)) || attempt >= retries)
          throw e;
        const delay = Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random());
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async requestOnce<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    requestCounts[method] = (requestCounts[method] ?? 0) + 1;
    // Tests and the bench count what a provider process sends from outside it.
    const log = process.env.SOVEREIGN_PDNS_REQUEST_LOG;
    if (log) {
      try {
        appendFileSync(log, `${method} ${path}\n`);
      } catch {
        // counting is best effort; it never fails a request
      }
    }
    const url = this.base + path;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          "X-API-Key": this.endpoint.apiKey,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new PowerDnsUnreachableError(method, url, describeFetchError(e, this.timeoutMs));
    }
    const text = await res.text();
    if (!res.ok) {
      throw new PowerDnsApiError(method, path, res.status, serverErrorText(text, res.statusText));
    }
    if (res.status === 204 || text === "") return undefined;
    return JSON.parse(text) as T;
  }

  /** GET /servers/{id}/zones?zone=NAME: the zone with that name, if any (rrsets omitted). */
  async findZone(name: string): Promise<PdnsZone | undefined> {
    const zones = await this.request<PdnsZone[]>(
      "GET",
      `${this.serverPath}/zones?zone=${encodeURIComponent(name)}&dnssec=false`,
    );
    return zones?.[0];
  }

  /** GET /servers/{id}/zones/{zone}; undefined on 404. */
  async getZone(
    zoneId: string,
    opts: { rrsets?: boolean; rrsetName?: string; rrsetType?: string } = {},
  ): Promise<PdnsZone | undefined> {
    const q = new URLSearchParams();
    if (opts.rrsets === false) q.set("rrsets", "false");
    if (opts.rrsetName) q.set("rrset_name", opts.rrsetName);
    if (opts.rrsetType) q.set("rrset_type", opts.rrsetType);
    const qs = q.toString();
    try {
      return await this.request<PdnsZone>("GET", this.zonePath(zoneId) + (qs ? `?${qs}` : ""));
    } catch (e) {
      if (e instanceof PowerDnsApiError && (e.status === 404 || e.status === 422)) return undefined;
      throw e;
    }
  }

  async createZone(zone: PdnsZoneCreate): Promise<PdnsZone> {
    const created = await this.request<PdnsZone>("POST", `${this.serverPath}/zones?rrsets=false`, zone);
    if (!created) throw new Error(`PowerDNS API POST zones returned no zone for ${zone.name}`);
    return created;
  }

  async updateZoneSettings(zoneId: string, settings: PdnsZoneSettings): Promise<void> {
    await this.request("PUT", this.zonePath(zoneId), settings);
  }

  async deleteZone(zoneId: string): Promise<void> {
    await this.request("DELETE", this.zonePath(zoneId));
  }

  async patchRRSets(zoneId: string, rrsets: PdnsRRSetChange[]): Promise<void> {
    await this.request("PATCH", this.zonePath(zoneId), { rrsets });
  }

  /** PUT /servers/{id}/cache/flush?domain=NAME: serve changed zone settings (e.g. DNSSEC) at once. */
  async flushCache(domain: string): Promise<void> {
    await this.request("PUT", `${this.serverPath}/cache/flush?domain=${encodeURIComponent(domain)}`);
  }

  async listCryptokeys(zoneId: string): Promise<PdnsCryptokey[]> {
    return (await this.request<PdnsCryptokey[]>("GET", `${this.zonePath(zoneId)}/cryptokeys`)) ?? [];
  }
}

function serverErrorText(text: string, statusText: string): string {
  try {
    const body = JSON.parse(text) as Partial<PdnsErrorBody>;
    if (typeof body.error === "string") {
      return body.errors?.length ? `${body.error} (${body.errors.join("; ")})` : body.error;
    }
  } catch {
    // not JSON: PowerDNS answers some errors (401, 404, 409) with a plain status line
  }
  return text.trim() || statusText;
}

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
