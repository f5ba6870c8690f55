/**
 * The IP allocation provider: the next free address of a prefix, taken exactly once.
 *
 * - NetBox hands addresses out itself (POST /api/ipam/prefixes/{id}/available-ips/ under the
 *   prefix's advisory lock), so parallel allocations never collide; allocations of one prefix
 *   arriving together in this process go out as one bulk request (a list body), which NetBox
 *   fills atomically.
 * - The address carries its owner in the `sovereign_owner` custom field. A create first looks for
 *   an address of the prefix with its own marker: an interrupted create (NetBox answered but the
 *   engine never heard) is continued, never allocated twice.
 * - A re-run keeps the address (it is state); deleting the resource deletes the address, which
 *   frees it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { decideDelete, encodeOwner, ownIds, parseOwner } from "../shared/ownership";
import { ApiError } from "../shared/http";
import { hostPart } from "./cidr";
import type { IpAddress, NetboxClient, NetboxObject, Schemas } from "./client";
import { resolveRef } from "./lookups";
import { answeringClient, OWNER_FIELD, readyClient, type Connection } from "./session";
import { isUnknown, validateAllocation, type Failure } from "./validate";
import { plain, type Props } from "./props";

export { configure } from "../shared/credentials";

interface AllocationInputs extends Connection {
  owner: string;
  prefix: string | number;
  interface?: number | string;
  /** The resolved interface id (state). */
  interfaceId?: number;
  description?: string;
  dnsName?: string;
  status?: Body["status"];
}

/** Batching of this process's allocations (SOVEREIGN_NETBOX_BATCH=0 turns it off, for the bench's baseline). */
export const batchSettings = {
  enabled: process.env.SOVEREIGN_NETBOX_BATCH !== "0",
  /** How long the first allocation of a batch waits for others (ms). */
  windowMs: 25,
  maxBatch: 100,
};

type Body = {
  description?: string;
  dns_name?: string;
  status?: Schemas["IPAddressRequest"]["status"];
  assigned_object_type?: string;
  assigned_object_id?: number;
  custom_fields: Record<string, string>;
};

interface Pending {
  body: Body;
  resolve: (ip: IpAddress) => void;
  reject: (e: unknown) => void;
}

const queues = new Map<string, { client: NetboxClient; prefixId: number; items: Pending[] }>();

class ExhaustedError extends Error {}

function exhausted(prefixLabel: string): ExhaustedError {
  return new ExhaustedError(
    `prefix ${prefixLabel} is exhausted: NetBox has no free address left in it. Nothing was allocated; free addresses (delete allocations) or use a larger prefix`,
  );
}

function isNoSpace(e: unknown): boolean {
  return (
    e instanceof ApiError && (e.status === 409 || (e.status === 400 && /space|available/i.test(e.serverText)))
  );
}

async function flush(key: string, prefixLabel: string): Promise<void> {
  const queue = queues.get(key);
  if (!queue) return;
  queues.delete(key);
  const { client, prefixId, items } = queue;
  try {
    const created = await client.allocateIps(
      prefixId,
      items.map((i) => i.body),
    );
    if (created.length !== items.length)
      throw new Error(`NetBox allocated ${created.length} addresses for ${items.length} requests`);
    items.forEach((item, n) => item.resolve(created[n]));
  } catch (e) {
    if (items.length > 1 && isNoSpace(e)) {
      // Not enough for all: NetBox made none. Allocate one by one, so those that fit get theirs.
      await Promise.all(
        items.map((item) =>
          allocateOne(client, prefixId, item.body, prefixLabel).then(item.resolve, item.reject),
        ),
      );
      return;
    }
    for (const item of items) item.reject(isNoSpace(e) ? exhausted(prefixLabel) : e);
  }
}

async function allocateOne(
  client: NetboxClient,
  prefixId: number,
  body: Body,
  prefixLabel: string,
): Promise<IpAddress> {
  try {
    const [ip] = await client.allocateIps(prefixId, [body]);
    if (!ip) throw exhausted(prefixLabel);
    return ip;
  } catch (e) {
    throw isNoSpace(e) ? exhausted(prefixLabel) : e;
  }
}

function allocate(
  client: NetboxClient,
  prefixId: number,
  body: Body,
  prefixLabel: string,
): Promise<IpAddress> {
  if (!batchSettings.enabled) return allocateOne(client, prefixId, body, prefixLabel);
  const key = `${client.endpoint.url} ${prefixId}`;
  return new Promise((resolve, reject) => {
    let queue = queues.get(key);
    if (!queue) {
      queue = { client, prefixId, items: [] };
      queues.set(key, queue);
      setTimeout(() => void flush(key, prefixLabel), batchSettings.windowMs);
    }
    queue.items.push({ body, resolve, reject });
    if (queue.items.length >= batchSettings.maxBatch) void flush(key, prefixLabel);
  });
}

interface PrefixRef {
  id: number;
  /** "10.0.0.0/24". */
  cidr: string;
}

/** The prefix a `prefix` input names (CIDR or id), or undefined when NetBox has none. */
async function findPrefix(client: NetboxClient, prefix: string | number): Promise<PrefixRef | undefined> {
  const id = await resolveRef(client, "prefix", prefix);
  const obj = id === undefined ? undefined : await client.get("prefix", id);
  return obj ? { id: obj.id, cidr: obj.prefix } : undefined;
}

function noSuchPrefix(prefix: unknown): string {
  return `NetBox has no prefix ${JSON.stringify(prefix)}; create it first (NetboxPrefix) or pass its netboxId output`;
}

async function requirePrefix(client: NetboxClient, prefix: string | number): Promise<PrefixRef> {
  const found = await findPrefix(client, prefix);
  if (!found) throw new Error(`prefix: ${noSuchPrefix(prefix)}`);
  return found;
}

/** This owner's address in the prefix, if an earlier (interrupted) create made one. */
async function ownAddress(
  client: NetboxClient,
  prefix: PrefixRef,
  owner: string,
): Promise<IpAddress | undefined> {
  const found = await client.listPath<IpAddress>("/api/ipam/ip-addresses/", {
    parent: prefix.cidr,
    [`cf_${OWNER_FIELD}`]: encodeOwner(owner),
  });
  return found.find((ip) => ip.custom_fields?.[OWNER_FIELD] === encodeOwner(owner));
}

function outputs(
  inputs: AllocationInputs,
  ip: IpAddress,
  prefixId: number,
  interfaceId: number | undefined,
): Props {
  return plain({
    ...inputs,
    netboxId: ip.id,
    address: ip.address,
    ip: hostPart(ip.address),
    prefixId,
    interfaceId,
  });
}

async function interfaceIdOf(client: NetboxClient, inputs: AllocationInputs): Promise<number | undefined> {
  if (inputs.interface === undefined || inputs.interface === null) return undefined;
  const id = await resolveRef(client, "vmInterface", inputs.interface);
  if (id === undefined)
    throw new Error(`interface: NetBox has no VM interface ${JSON.stringify(inputs.interface)}`);
  return id;
}

function bodyOf(inputs: AllocationInputs, interfaceId: number | undefined): Body {
  return {
    ...(interfaceId !== undefined
      ? { assigned_object_type: "virtualization.vminterface", assigned_object_id: interfaceId }
      : {}),
    ...(inputs.description !== undefined ? { description: inputs.description } : {}),
    ...(inputs.dnsName !== undefined ? { dns_name: inputs.dnsName } : {}),
    ...(inputs.status !== undefined ? { status: inputs.status } : {}),
    custom_fields: { [OWNER_FIELD]: encodeOwner(inputs.owner) },
  };
}

function context(action: string, inputs: Props, e: unknown): Error {
  return new Error(
    `${action} an address of NetBox prefix ${JSON.stringify(inputs.prefix)}: ${e instanceof Error ? e.message : String(e)}`,
  );
}

/** At preview: pure checks, then the prefix exists and (for a new allocation) has a free address. */
export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const failures: Failure[] = validateAllocation(news);
  if (failures.length > 0 || isUnknown(news)) return { inputs: news, failures };
  const inputs = news as unknown as AllocationInputs;
  const client = await answeringClient(inputs);
  const prefix = await findPrefix(client, inputs.prefix);
  if (!prefix) {
    failures.push({ property: "prefix", reason: noSuchPrefix(inputs.prefix) });
  } else if (olds.netboxId === undefined && !(await ownAddress(client, prefix, inputs.owner))) {
    if ((await client.availableIps(prefix.id, 1)).length === 0)
      failures.push({ property: "prefix", reason: exhausted(String(inputs.prefix)).message });
  }
  return { inputs: news, failures };
}

/** Fields the user may leave to NetBox: not given means not managed. */
const OPTIONAL = ["description", "dnsName", "status", "interface"];

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const names = ["prefix", ...OPTIONAL, "url", "tokenConfig", "owner"];
  const changed = names.filter(
    (n) =>
      !(OPTIONAL.includes(n) && news[n] === undefined) &&
      JSON.stringify(olds[n] ?? null) !== JSON.stringify(news[n] ?? null),
  );
  // Another prefix means another address; the same prefix named by its id instead is no move.
  const moved = changed.includes("prefix") && news.prefix !== olds.prefixId;
  return { changes: changed.length > 0, replaces: moved ? ["prefix"] : [], deleteBeforeReplace: false };
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const inputs = props as unknown as AllocationInputs;
  try {
    const client = await readyClient(inputs);
    const prefix = await requirePrefix(client, inputs.prefix);
    const interfaceId = await interfaceIdOf(client, inputs);
    const body = bodyOf(inputs, interfaceId);
    const mine = await ownAddress(client, prefix, inputs.owner);
    // Our own interrupted create: bring it to the inputs instead of allocating again.
    const ip = mine
      ? ((await client.update("ipAddress", mine.id, body as never)) as IpAddress)
      : await allocate(client, prefix.id, body, prefix.cidr);
    return { id: String(ip.id), outs: outputs(inputs, ip, prefix.id, interfaceId) };
  } catch (e) {
    throw context("allocating", props, e);
  }
}

export async function update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const inputs = news as unknown as AllocationInputs;
  try {
    const client = await readyClient(inputs);
    const current = await client.get("ipAddress", Number(id));
    if (!current)
      throw new Error(
        `its address (id ${id}) no longer exists in NetBox; run "pulumi refresh", then "pulumi up"`,
      );
    const interfaceId = await interfaceIdOf(client, inputs);
    const updated = await client.update("ipAddress", Number(id), bodyOf(inputs, interfaceId) as never);
    return { outs: outputs(inputs, updated as IpAddress, Number(olds.prefixId), interfaceId) };
  } catch (e) {
    throw context("updating", news, e);
  }
}

export async function remove(id: string, props: Props): Promise<void> {
  const state = props as unknown as AllocationInputs;
  try {
    const client = await readyClient(state);
    const current = (await client.get("ipAddress", Number(id))) as unknown as NetboxObject | undefined;
    const marker = current?.custom_fields?.[OWNER_FIELD];
    const decision = decideDelete(
      { exists: current !== undefined, owner: typeof marker === "string" ? parseOwner(marker) : undefined },
      ownIds(state.owner),
    );
    if (decision.action === "leave") {
      console.error(`warning: NetBox address ${String(props.address)} (id ${id}): ${decision.warning}`);
      return;
    }
    if (decision.action === "delete") await client.remove("ipAddress", Number(id));
  } catch (e) {
    throw context("freeing", props, e);
  }
}
export { remove as delete };

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const state = props as unknown as AllocationInputs;
  try {
    const client = await answeringClient(state);
    const ip = (await client.get("ipAddress", Number(id))) as IpAddress | undefined;
    if (!ip) return { id: "", props: {} };
    const observed = {
      ...(state.description !== undefined ? { description: ip.description ?? "" } : {}),
      ...(state.dnsName !== undefined ? { dnsName: ip.dns_name ?? "" } : {}),
      ...(state.status !== undefined ? { status: ip.status?.value } : {}),
      ...(state.interface !== undefined && ip.assigned_object_id !== state.interfaceId
        ? { interface: ip.assigned_object_id ?? null }
        : {}),
    };
    return { id, props: plain({ ...props, ...observed, address: ip.address, ip: hostPart(ip.address) }) };
  } catch (e) {
    throw context("reading", props, e);
  }
}
