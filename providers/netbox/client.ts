/**
 * A typed client for the NetBox 4.7 REST API. The types come from NetBox's own OpenAPI schema
 * (`generated/schema.ts`, made by `npm run gen:netbox` from a running server with
 * openapi-typescript); only the paths the providers use are kept (see openapi.json). Requests go
 * through providers/shared/http: a timeout per attempt, retries with backoff on 5xx and refused
 * connections, errors that carry NetBox's field messages and never the token.
 */
import { ApiError, isGone, requestJson, type HttpSettings } from "../shared/http";
import type { components, paths } from "./generated/schema";

export type Schemas = components["schemas"];
export type NetboxPath = keyof paths;

/** The object kinds the providers manage, with their list path, object type and body type. */
export interface KindTypes {
  site: { obj: Schemas["Site"]; body: Schemas["WritableSiteRequest"] };
  clusterType: { obj: Schemas["ClusterType"]; body: Schemas["ClusterTypeRequest"] };
  cluster: { obj: Schemas["Cluster"]; body: Schemas["WritableClusterRequest"] };
  virtualMachine: { obj: Schemas["VirtualMachine"]; body: Schemas["WritableVirtualMachineRequest"] };
  vmInterface: { obj: Schemas["VMInterface"]; body: Schemas["WritableVMInterfaceRequest"] };
  prefix: { obj: Schemas["Prefix"]; body: Schemas["WritablePrefixRequest"] };
  ipAddress: { obj: Schemas["IPAddress"]; body: Schemas["WritableIPAddressRequest"] };
  service: { obj: Schemas["Service"]; body: Schemas["WritableServiceRequest"] };
  tag: { obj: Schemas["Tag"]; body: Schemas["TagRequest"] };
}
export type Kind = keyof KindTypes;

export const KIND_PATHS = {
  site: "/api/dcim/sites/",
  clusterType: "/api/virtualization/cluster-types/",
  cluster: "/api/virtualization/clusters/",
  virtualMachine: "/api/virtualization/virtual-machines/",
  vmInterface: "/api/virtualization/interfaces/",
  prefix: "/api/ipam/prefixes/",
  ipAddress: "/api/ipam/ip-addresses/",
  service: "/api/ipam/services/",
  tag: "/api/extras/tags/",
} as const satisfies Record<Kind, NetboxPath>;

/** What every NetBox object the providers read has in common. */
export interface NetboxObject {
  id: number;
  url?: string;
  display?: string;
  description?: string;
  custom_fields?: { [key: string]: unknown };
}

/** List filters; a list value is sent as the parameter repeated (NetBox's "any of"). */
export type Query = Record<string, string | number | (string | number)[]>;

export interface NetboxEndpoint {
  /** Base URL, e.g. http://127.0.0.1:8000 (a trailing /api is tolerated). */
  readonly url: string;
  readonly token: string;
}

export type CustomField = Schemas["CustomField"];
export type AvailableIp = Schemas["AvailableIP"];
export type IpAddress = Schemas["IPAddress"];
/** GET /api/status/ (the schema leaves it untyped). */
export type Status = paths["/api/status/"]["get"]["responses"][200]["content"]["application/json"];

/** Counts requests per method in this process (tests and the bench); a file log across processes. */
export const requestCounts: Record<string, number> = {};

export function resetRequestCounts(): void {
  for (const key of Object.keys(requestCounts)) delete requestCounts[key];
}

function countRequest(method: string, path: string): void {
  requestCounts[method] = (requestCounts[method] ?? 0) + 1;
  const log = process.env.SOVEREIGN_NETBOX_REQUEST_LOG;
  if (log) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("fs") as typeof import("fs")).appendFileSync(log, `${method} ${path}\n`);
  }
}

/**
 * NetBox's error bodies: `{"detail": "..."}`, `{"field": ["message", ...], ...}`, or a list of
 * those for bulk requests. Made into one line that names the fields.
 */
export function netboxErrorText(body: string, statusText: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body.trim().slice(0, 500) || statusText;
  }
  const bulk = bulkErrors(parsed);
  if (bulk) return bulk;
  const flatten = (value: unknown, prefix: string): string[] => {
    if (Array.isArray(value)) return value.flatMap((v) => flatten(v, prefix));
    if (value && typeof value === "object")
      return Object.entries(value).flatMap(([k, v]) =>
        flatten(v, k === "detail" || k === "non_field_errors" ? prefix : prefix ? `${prefix}.${k}` : k),
      );
    const text = String(value);
    return [prefix ? `${prefix}: ${text}` : text];
  };
  return flatten(parsed, "").join("; ") || statusText;
}

/**
 * A bulk request's refusal (NetBox 4.7): `{"detail": "1 of 2 objects could not be created.",
 * "errors": [{"index": 1, "errors": {"name": [...]}}]}` (`"id"` instead of `"index"` for updates
 * and deletes). Each object's messages are prefixed "[index 1]" / "[id 7]", so a caller can name
 * the object it sent there.
 */
function bulkErrors(parsed: unknown): string | undefined {
  const p = parsed as { detail?: unknown; errors?: unknown };
  if (!p || typeof p !== "object" || !Array.isArray(p.errors)) return undefined;
  const lines = (p.errors as { index?: unknown; id?: unknown; errors?: unknown }[]).map((e) => {
    const at = e.index !== undefined ? `[index ${String(e.index)}]` : `[id ${String(e.id)}]`;
    return `${at} ${netboxErrorText(JSON.stringify(e.errors ?? {}), "")}`;
  });
  return [typeof p.detail === "string" ? p.detail : "", ...lines].filter(Boolean).join("; ");
}

/** 401/403: the token is wrong, expired, or lacks the permission. */
export class NetboxAuthError extends Error {
  constructor(
    readonly status: number,
    serverText: string,
    tokenSource: string,
  ) {
    super(
      `NetBox refused the token (HTTP ${status}: ${serverText}): check the NetBox token (${tokenSource}); it must be a v2 API token ("nbt_<key>.<secret>") with write permission`,
    );
    this.name = "NetboxAuthError";
  }
}

export interface ClientOptions {
  /** Where the token came from, for the 401 message, e.g. 'stack config "sovereign:netboxToken"'. */
  tokenSource?: string;
  timeoutMs?: number;
  retries?: number;
}

export function apiBase(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/api$/, "");
}

export class NetboxClient {
  private readonly settings: HttpSettings;
  private readonly tokenSource: string;

  constructor(
    readonly endpoint: NetboxEndpoint,
    options: ClientOptions = {},
  ) {
    this.tokenSource = options.tokenSource ?? "the token given to the client";
    this.settings = {
      service: "NetBox",
      baseUrl: apiBase(endpoint.url),
      headers: { Authorization: `Bearer ${endpoint.token}` },
      secrets: [endpoint.token, endpoint.token.split(".").pop() ?? ""],
      unreachableHint: `Is NetBox running at ${apiBase(endpoint.url)}?`,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries,
      errorText: netboxErrorText,
      onAttempt: countRequest,
    };
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    idempotent?: boolean,
  ): Promise<T | undefined> {
    try {
      return await requestJson<T>(this.settings, method, path, body, { idempotent });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403))
        throw new NetboxAuthError(e.status, e.serverText, this.tokenSource);
      throw e;
    }
  }

  /** GET /api/status/: proves the server answers and the token is good. */
  async status(): Promise<Status> {
    const status = await this.call<Status>("GET", "/api/status/");
    if (!status) throw new Error("NetBox answered GET /api/status/ with nothing");
    return status;
  }

  /** Every object of a kind matching the query (follows pagination). */
  async list<K extends Kind>(kind: K, query: Query = {}): Promise<KindTypes[K]["obj"][]> {
    return this.listPath<KindTypes[K]["obj"]>(KIND_PATHS[kind], query);
  }

  async listPath<T>(path: NetboxPath, query: Query = {}): Promise<T[]> {
    const out: T[] = [];
    const params = new URLSearchParams(
      Object.entries({ limit: 1000, ...query }).flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((one): [string, string] => [k, String(one)]),
      ),
    );
    for (let offset = 0; ;) {
      params.set("offset", String(offset));
      const page = await this.call<{ count: number; results: T[] }>("GET", `${String(path)}?${params}`);
      const results = page?.results ?? [];
      out.push(...results);
      offset += results.length;
      if (results.length === 0 || offset >= (page?.count ?? 0)) return out;
    }
  }

  /** The object, or undefined when NetBox (known to answer) says 404. */
  async get<K extends Kind>(kind: K, id: number): Promise<KindTypes[K]["obj"] | undefined> {
    try {
      return await this.call<KindTypes[K]["obj"]>("GET", `${KIND_PATHS[kind]}${id}/`);
    } catch (e) {
      if (await isGone(e, () => this.status())) return undefined;
      throw e;
    }
  }

  async create<K extends Kind>(kind: K, body: KindTypes[K]["body"]): Promise<KindTypes[K]["obj"]> {
    const created = await this.call<KindTypes[K]["obj"]>("POST", KIND_PATHS[kind], body);
    if (!created) throw new Error(`NetBox answered POST ${KIND_PATHS[kind]} with nothing`);
    return created;
  }

  async update<K extends Kind>(
    kind: K,
    id: number,
    body: Partial<KindTypes[K]["body"]>,
  ): Promise<KindTypes[K]["obj"]> {
    const updated = await this.call<KindTypes[K]["obj"]>("PATCH", `${KIND_PATHS[kind]}${id}/`, body);
    if (!updated) throw new Error(`NetBox answered PATCH ${KIND_PATHS[kind]}${id}/ with nothing`);
    return updated;
  }

  /** Deletes; an object already gone (404 from a server known to answer) is fine. */
  async remove(kind: Kind, id: number): Promise<void> {
    try {
      await this.call("DELETE", `${KIND_PATHS[kind]}${id}/`);
    } catch (e) {
      if (await isGone(e, () => this.status())) return;
      throw e;
    }
  }

  /**
   * Bulk create: one POST with a list body; NetBox makes all or none, and answers the objects in
   * the order sent.
   */
  async bulkCreate<K extends Kind>(kind: K, bodies: KindTypes[K]["body"][]): Promise<KindTypes[K]["obj"][]> {
    const created = await this.call<KindTypes[K]["obj"][]>("POST", KIND_PATHS[kind], bodies);
    if (!Array.isArray(created) || created.length !== bodies.length)
      throw new Error(
        `NetBox answered POST ${KIND_PATHS[kind]} with ${created?.length ?? "no"} objects for ${bodies.length}`,
      );
    return created;
  }

  /** Bulk update: one PATCH with a list of `{id, ...fields}`; all or none. */
  async bulkUpdate<K extends Kind>(
    kind: K,
    bodies: (Partial<KindTypes[K]["body"]> & { id: number })[],
  ): Promise<KindTypes[K]["obj"][]> {
    return (await this.call<KindTypes[K]["obj"][]>("PATCH", KIND_PATHS[kind], bodies)) ?? [];
  }

  /** Bulk delete: one DELETE with a list of `{id}`; all or none (an id not found refuses all). */
  async bulkDelete(kind: Kind, ids: number[]): Promise<void> {
    await this.call(
      "DELETE",
      KIND_PATHS[kind],
      ids.map((id) => ({ id })),
    );
  }

  /** GET available IPs of a prefix (the first `limit`). */
  async availableIps(prefixId: number, limit = 1): Promise<AvailableIp[]> {
    return (
      (await this.call<AvailableIp[]>(
        "GET",
        `/api/ipam/prefixes/${prefixId}/available-ips/?limit=${limit}`,
      )) ?? []
    );
  }

  /**
   * POST available-ips: NetBox takes the prefix's advisory lock and creates the next free
   * addresses, so parallel requests never get the same one. One body per address.
   */
  async allocateIps(
    prefixId: number,
    bodies: Omit<Schemas["IPAddressRequest"], "address">[],
  ): Promise<IpAddress[]> {
    const created = await this.call<IpAddress[] | IpAddress>(
      "POST",
      `/api/ipam/prefixes/${prefixId}/available-ips/`,
      bodies,
    );
    return Array.isArray(created) ? created : created ? [created] : [];
  }

  async customFields(name: string): Promise<CustomField[]> {
    return this.listPath<CustomField>("/api/extras/custom-fields/", { name });
  }

  async createCustomField(body: Schemas["WritableCustomFieldRequest"]): Promise<CustomField> {
    const created = await this.call<CustomField>("POST", "/api/extras/custom-fields/", body);
    if (!created) throw new Error("NetBox answered POST /api/extras/custom-fields/ with nothing");
    return created;
  }

  async updateCustomField(id: number, body: Partial<Schemas["WritableCustomFieldRequest"]>): Promise<void> {
    await this.call("PATCH", `/api/extras/custom-fields/${id}/`, body);
  }
}
