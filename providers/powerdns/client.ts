/**
 * A small typed client for the PowerDNS Authoritative HTTP API (4.7). The types mirror the
 * definitions of the server's own Swagger document (`GET /api/docs`; a copy is kept in the
 * project's shared openapi folder), field names as on the wire. Only what the providers use.
 * Errors carry the HTTP status and the server's text, never the API key (see ../shared/http).
 */
import { appendFileSync } from "fs";
import { requireCredential } from "../shared/credentials";
import { HttpSettings, isGone, requestJson } from "../shared/http";

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

export { ApiError as PowerDnsApiError, UnreachableError as PowerDnsUnreachableError } from "../shared/http";

/** Swagger `Metadata`. */
export interface PdnsMetadata {
  kind: string;
  metadata: string[];
}

/** Swagger `Server` (the probe that tells a 404 of a zone from a wrong URL or server id). */
export interface PdnsServer {
  id: string;
  daemon_type?: string;
  version?: string;
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

  private readonly http: HttpSettings;

  constructor(endpoint: PowerDnsEndpoint, timeoutMs = 30_000) {
    this.base = apiBase(endpoint.apiUrl);
    this.serverPath = `/api/v1/servers/${encodeURIComponent(endpoint.serverId)}`;
    this.http = {
      service: "PowerDNS",
      baseUrl: this.base,
      headers: { "X-API-Key": endpoint.apiKey },
      secrets: [endpoint.apiKey],
      unreachableHint: "Is pdns_server running with api=yes and webserver=yes at that address?",
      timeoutMs,
      errorText: serverErrorText,
      onAttempt: countRequest,
    };
  }

  private zonePath(zoneId: string): string {
    return `${this.serverPath}/zones/${encodeURIComponent(zoneId)}`;
  }

  /**
   * One API call (shared/http: timeout, retries with backoff on 5xx and connection errors, errors
   * with the server's text and never the key). With the SQLite backend, concurrent writers get
   * "database is locked" as a 500, which clears once the other write commits: the retries cover it.
   */
  private async request<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    if (method === "GET") return requestJson<T>(this.http, method, path, body);
    // Writes to one server go one at a time from this process: SQLite-backed servers refuse
    // concurrent writers outright, and batching already keeps writes few.
    const previous = writeChains.get(this.base) ?? Promise.resolve();
    const mine = previous.then(() => requestJson<T>(this.http, method, path, body));
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

  /** GET /servers/{id}: throws unless the server answers there with this server id. */
  async getServer(): Promise<PdnsServer> {
    const server = await this.request<PdnsServer>("GET", this.serverPath);
    if (!server) throw new Error(`PowerDNS API GET ${this.serverPath} returned nothing`);
    return server;
  }

  /** Runs `get`; a 404 becomes undefined only once the server itself is known to answer here. */
  private async unlessGone<T>(get: () => Promise<T>): Promise<T | undefined> {
    try {
      return await get();
    } catch (e) {
      if (await isGone(e, () => this.getServer())) return undefined;
      throw e;
    }
  }

  /** GET /servers/{id}/zones?zone=NAME: the zone with that name, if any (rrsets omitted). */
  async findZone(name: string): Promise<PdnsZone | undefined> {
    const zones = await this.request<PdnsZone[]>(
      "GET",
      `${this.serverPath}/zones?zone=${encodeURIComponent(name)}&dnssec=false`,
    );
    return zones?.[0];
  }

  /** GET /servers/{id}/zones/{zone}; undefined when the zone is gone (a 404 from a server that answers). */
  async getZone(
    zoneId: string,
    opts: { rrsets?: boolean; rrsetName?: string; rrsetType?: string } = {},
  ): Promise<PdnsZone | undefined> {
    const q = new URLSearchParams();
    if (opts.rrsets === false) q.set("rrsets", "false");
    if (opts.rrsetName) q.set("rrset_name", opts.rrsetName);
    if (opts.rrsetType) q.set("rrset_type", opts.rrsetType);
    const qs = q.toString();
    return this.unlessGone(() => this.request<PdnsZone>("GET", this.zonePath(zoneId) + (qs ? `?${qs}` : "")));
  }

  /** GET /zones/{zone}/metadata/{kind}: its values ([] when none; undefined when the zone is gone). */
  async getMetadata(zoneId: string, kind: string): Promise<string[] | undefined> {
    const m = await this.unlessGone(() =>
      this.request<PdnsMetadata>("GET", `${this.zonePath(zoneId)}/metadata/${encodeURIComponent(kind)}`),
    );
    return m === undefined ? undefined : (m?.metadata ?? []);
  }

  /** PUT /zones/{zone}/metadata/{kind}: replaces that kind's values. */
  async setMetadata(zoneId: string, kind: string, values: string[]): Promise<void> {
    await this.request("PUT", `${this.zonePath(zoneId)}/metadata/${encodeURIComponent(kind)}`, {
      kind,
      metadata: values,
    });
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

function countRequest(method: string, path: string): void {
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
}

/** What a resource's state says about its server: the endpoint and the config key holding the API key. */
export interface StoredEndpoint {
  readonly apiUrl: string;
  readonly serverId: string;
  /** Absent in states written before keys came from the stack config. */
  readonly apiKeyConfig?: string;
}

/** The endpoint with its API key from the stack config (see ../shared/credentials). */
export function endpointFrom(stored: StoredEndpoint): PowerDnsEndpoint {
  const configKey = stored.apiKeyConfig ?? "sovereign:powerdnsApiKey";
  return {
    apiUrl: stored.apiUrl,
    serverId: stored.serverId,
    apiKey: requireCredential(configKey, `the API key of the PowerDNS server at ${stored.apiUrl}`),
  };
}
