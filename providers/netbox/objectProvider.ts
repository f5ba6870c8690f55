/**
 * The dynamic provider of every NetBox object kind (site, cluster type, cluster, virtual machine,
 * VM interface, prefix, IP address, service, tag), driven by the kind table in kinds.ts. Loaded by
 * package specifier in the provider process (see providers/shared/moduleLocation.ts).
 *
 * State: the inputs (connection, owner, the object's fields; never the token), `netboxId`, and the
 * resolved reference ids (`refIds`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { decideClaim, decideDelete, decideWrite, ownIds } from "../shared/ownership";
import type { Kind, NetboxClient, NetboxObject } from "./client";
import { bodyFor, changedFields, KINDS, observedInputs, type KindSpec, type RefIds } from "./kinds";
import { describeIdentity, findByIdentity, ownerBody, ownerOf, resolveRefs } from "./lookups";
import { answeringClient, readyClient, type Connection } from "./session";
import { isUnknown, validateInputs, type Failure } from "./validate";
import { plain, type Props } from "./props";

export { configure } from "../shared/credentials";

interface ObjectState extends Connection {
  kind: Kind;
  owner: string;
  adopt?: boolean;
  netboxId?: number;
  refIds?: RefIds;
  [field: string]: unknown;
}

function specOf(props: Props): KindSpec {
  const spec = KINDS[props.kind as Kind];
  if (!spec) throw new Error(`unknown NetBox object kind ${JSON.stringify(props.kind)}`);
  return spec;
}

function context(action: string, spec: KindSpec, inputs: Props, e: unknown): Error {
  const message = e instanceof Error ? e.message : String(e);
  return new Error(`${action} NetBox ${describeIdentity(spec, inputs)}: ${message}`);
}

/**
 * At preview: pure checks, then (when every value is known) what only NetBox can tell: it answers
 * and takes the token, the references name existing objects, and a new object's identity is not
 * already used by another owner's object.
 */
export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const spec = specOf(news);
  const failures: Failure[] = validateInputs(spec.kind, news);
  if (failures.length > 0 || isUnknown(news)) return { inputs: news, failures };
  const client = await answeringClient(news as unknown as Connection);
  const { refIds, failures: refFailures } = await resolveRefs(client, spec, news);
  failures.push(...refFailures);
  if (failures.length === 0 && olds.netboxId === undefined && Object.keys(olds).length === 0) {
    const existing = await findByIdentity(client, spec, news, refIds);
    if (existing) {
      const decision = decideClaim(
        { exists: true, owner: ownerOf(spec, existing) },
        String(news.owner),
        news.adopt === true,
      );
      if (decision.action === "refuse")
        failures.push({
          property: spec.identity[spec.identity.length - 1],
          reason: `a NetBox ${describeIdentity(spec, news)} (id ${existing.id}) ${decision.reason.replace(/^it /, "")}`,
        });
    }
  }
  return { inputs: news, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const spec = specOf(news);
  const changed = changedFields(spec, olds, news);
  for (const name of ["url", "tokenConfig", "owner", "adopt"])
    if (olds[name] !== news[name]) changed.push(name);
  const replaces = changed.filter((name) => spec.replaceOn.includes(name));
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
}

async function write(
  client: NetboxClient,
  spec: KindSpec,
  inputs: ObjectState,
  refIds: RefIds,
  existingId: number | undefined,
): Promise<NetboxObject> {
  const body = { ...bodyFor(spec, inputs, refIds), ...ownerBody(spec, inputs.owner) };
  const obj =
    existingId === undefined
      ? await client.create(spec.kind, body as never)
      : await client.update(spec.kind, existingId, body as never);
  return obj as unknown as NetboxObject;
}

function outputs(spec: KindSpec, inputs: ObjectState, obj: NetboxObject, refIds: RefIds): Props {
  // Adopted objects: the fields the user did not give are recorded as NetBox has them.
  const observed = observedInputs(
    spec,
    obj as unknown as Props,
    Object.fromEntries(spec.fields.map((f) => [f.input, true])),
    refIds,
  );
  const kept = Object.fromEntries(Object.entries(observed).filter(([name]) => inputs[name] === undefined));
  return plain({ ...inputs, ...kept, netboxId: obj.id, refIds, display: obj.display ?? "" });
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  const inputs = props as ObjectState;
  const spec = specOf(props);
  try {
    const client = await readyClient(inputs);
    const { refIds, failures } = await resolveRefs(client, spec, inputs);
    if (failures.length > 0) throw new Error(failures.map((f) => f.reason).join("; "));
    const existing = await findByIdentity(client, spec, inputs, refIds);
    const decision = decideClaim(
      { exists: existing !== undefined, owner: existing ? ownerOf(spec, existing) : undefined },
      inputs.owner,
      inputs.adopt === true,
    );
    if (decision.action === "refuse") throw new Error(decision.reason);
    const obj = await write(client, spec, inputs, refIds, existing?.id);
    return { id: String(obj.id), outs: outputs(spec, inputs, obj, refIds) };
  } catch (e) {
    throw context("creating", spec, inputs, e);
  }
}

export async function update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const inputs = news as ObjectState;
  const spec = specOf(news);
  try {
    const client = await readyClient(inputs);
    const { refIds, failures } = await resolveRefs(client, spec, inputs);
    if (failures.length > 0) throw new Error(failures.map((f) => f.reason).join("; "));
    const current = await client.get(spec.kind, Number(id));
    if (!current)
      throw new Error(
        `it no longer exists in NetBox (id ${id}); run "pulumi refresh", then "pulumi up" to make it again`,
      );
    const decision = decideWrite(
      { exists: true, owner: ownerOf(spec, current as unknown as NetboxObject) },
      ownIds(inputs.owner, olds.owner as string | undefined),
    );
    if (decision.action === "refuse") throw new Error(decision.reason);
    const obj = await write(client, spec, inputs, refIds, Number(id));
    return { outs: outputs(spec, inputs, obj, refIds) };
  } catch (e) {
    throw context("updating", spec, inputs, e);
  }
}

export async function remove(id: string, props: Props): Promise<void> {
  const state = props as ObjectState;
  const spec = specOf(props);
  try {
    const client = await readyClient(state);
    const current = (await client.get(spec.kind, Number(id))) as unknown as NetboxObject | undefined;
    const decision = decideDelete(
      { exists: current !== undefined, owner: current ? ownerOf(spec, current) : undefined },
      ownIds(state.owner),
    );
    if (decision.action === "leave") {
      console.error(`warning: NetBox ${describeIdentity(spec, state)} (id ${id}): ${decision.warning}`);
      return;
    }
    if (decision.action === "delete") await client.remove(spec.kind, Number(id));
  } catch (e) {
    throw context("deleting", spec, state, e);
  }
}
export { remove as delete };

/** Refresh: the managed fields as NetBox holds them now, so that `up` sees and repairs drift. */
export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const state = props as ObjectState;
  const spec = specOf(props);
  try {
    const client = await answeringClient(state);
    const obj = await client.get(spec.kind, Number(id));
    if (!obj) return { id: "", props: {} };
    const observed = observedInputs(spec, obj as unknown as Props, state, state.refIds ?? {});
    return { id, props: plain({ ...state, ...observed, display: (obj as NetboxObject).display ?? "" }) };
  } catch (e) {
    throw context("reading", spec, state, e);
  }
}
