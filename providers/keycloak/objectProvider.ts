/**
 * One dynamic-provider shape for every Keycloak object kind: `check` runs the kind's pure checks;
 * `diff` compares the inputs the kind manages and marks the ones that replace; `create` looks for
 * an object of the same natural key first and continues its own interrupted work, adopts when told
 * to, or refuses naming the owner; `read` reports what the server holds (so refresh sees drift);
 * `delete` removes only what the same owner still holds (the shared decisions of
 * providers/shared/ownership). Admin credentials come from stack config through `configure` (see
 * credentials.ts), never from resource inputs.
 */
import type * as pulumi from "@pulumi/pulumi";
import { KeycloakAdmin } from "./client";
import { adminCredentials, configure } from "./credentials";
import { decideClaim, decideDelete, decideWrite, ownIds } from "../shared/ownership";
import { withOwnerAttribute } from "./ownership";
import type { InputProblem } from "./validate";

export type Inputs = Record<string, unknown> & { owner: string; adopt?: boolean };

export interface Observed {
  /** Owner marker found on the object (undefined: none). */
  owner: string | undefined;
  /** The managed inputs as the server holds them (same names and normal form as the inputs). */
  values: Record<string, unknown>;
  /** Further outputs (ids, secrets) that are not inputs. */
  outputs?: Record<string, unknown>;
}

export interface KindSpec {
  /** e.g. `client "forgejo" in realm "example"`, for messages. */
  describe(inputs: Inputs): string;
  problems(inputs: Inputs): InputProblem[];
  /** Normal forms (sorted lists) so that diffs compare like with like; leaves absent inputs absent. */
  normalize(inputs: Inputs): Inputs;
  /** Values for absent inputs, written to objects this stack made (adopted ones keep the server's). */
  defaults: Readonly<Record<string, unknown>>;
  /** Inputs this provider keeps equal to the server. */
  managed: readonly string[];
  /** Inputs whose change means a new object. */
  replaceOn: readonly string[];
  /** Objects without an owner marker of their own (role mappings) skip the ownership rules. */
  unmarked?: boolean;
  /** The id of an existing object with the same natural key, if any. */
  find(api: KeycloakAdmin, inputs: Inputs): Promise<string | undefined>;
  observe(api: KeycloakAdmin, id: string, inputs: Inputs): Promise<Observed | undefined>;
  create(api: KeycloakAdmin, inputs: Inputs): Promise<string>;
  /** Writes the given (defined) managed inputs and the owner marker; leaves everything else as is. */
  update(api: KeycloakAdmin, id: string, inputs: Inputs, olds?: Inputs): Promise<void>;
  remove(api: KeycloakAdmin, id: string, inputs: Inputs): Promise<void>;
}

/** A list as a sorted set (order carries no meaning for URIs, roles, groups); anything else as is. */
export function sortedSet(list: unknown): unknown {
  return Array.isArray(list) ? [...new Set(list as string[])].sort() : list;
}

/** The representation with the given inputs written into their fields (absent inputs untouched). */
export function withFields(
  rep: object,
  inputs: Inputs,
  fields: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rep };
  for (const [input, field] of Object.entries(fields))
    if (inputs[input] !== undefined) out[field] = inputs[input];
  return out;
}

/**
 * The representation to PUT/POST: the current one (if any), `base` (its natural key), the given
 * managed inputs in their fields, and the owner marker among the attributes (a list for users and
 * groups, a string for clients and realms).
 */
export function representationOf<R extends { attributes?: object }>(
  fields: Readonly<Record<string, string>>,
  ownerAsList: boolean,
): (base: object, inputs: Inputs, current?: R) => R {
  return (base, inputs, current) =>
    ({
      ...withFields({ ...current, ...base }, inputs, fields),
      attributes: ownerAsList
        ? withOwnerAttribute(current?.attributes as Record<string, string[]>, inputs.owner, true)
        : withOwnerAttribute(current?.attributes as Record<string, string>, inputs.owner, false),
    }) as unknown as R;
}

/** The inputs as a representation holds them. */
export function fieldsOf(rep: object, fields: Readonly<Record<string, string>>): Record<string, unknown> {
  const values = rep as Record<string, unknown>;
  return Object.fromEntries(Object.entries(fields).map(([input, field]) => [input, values[field]]));
}

/**
 * A GET's body, or undefined when the server said 404 (any other error has already thrown). A 404
 * means "gone" only because the server is known to be Keycloak and reachable: every request first
 * got an admin token from the same base URL.
 */
export function unless404<T>(result: { data?: T; response: Response }): T | undefined {
  return result.response.status === 404 ? undefined : result.data;
}

function definedOnly(inputs: Inputs): Inputs {
  return Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined)) as Inputs;
}

function canonical(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function changedInputs(spec: KindSpec, olds: Inputs, news: Inputs): string[] {
  const a = spec.normalize(olds);
  const b = spec.normalize(news);
  return [...spec.managed, ...spec.replaceOn].filter(
    (key, i, all) =>
      all.indexOf(key) === i && b[key] !== undefined && canonical(a[key]) !== canonical(b[key]),
  );
}

/** The defaults for absent inputs, except on adopted objects. */
function withDefaults(spec: KindSpec, inputs: Inputs, adopted: boolean): Inputs {
  if (adopted) return inputs;
  return spec.normalize({ ...spec.defaults, ...definedOnly(inputs) });
}

function adminApi(): KeycloakAdmin {
  return new KeycloakAdmin(adminCredentials());
}

export type ObjectProvider = Required<Omit<pulumi.dynamic.ResourceProvider, "readMethod">>;

export function objectProvider(spec: KindSpec): ObjectProvider {
  const outputsOf = (id: string, inputs: Inputs, observed: Observed): Record<string, unknown> => {
    // Adopted objects keep the server's values for inputs the program did not give.
    const kept = Object.fromEntries(
      Object.entries(observed.values).filter(([key]) => inputs[key] === undefined),
    );
    return definedOnly({ ...inputs, ...kept, ...observed.outputs, objectId: id } as Inputs);
  };

  const observeOrFail = async (api: KeycloakAdmin, id: string, inputs: Inputs): Promise<Observed> => {
    const observed = await spec.observe(api, id, inputs);
    if (!observed)
      throw new Error(
        `${spec.describe(inputs)} vanished right after it was written (id ${id}); run the update again`,
      );
    return observed;
  };

  return {
    configure,

    check: async (_olds, news) => {
      const inputs = definedOnly(spec.normalize(news as Inputs));
      const failures = spec.problems(inputs);
      return { inputs, failures };
    },

    diff: async (_id, olds, news) => {
      const changes = changedInputs(spec, olds as Inputs, news as Inputs);
      // A new owner id (a rename through aliases, the shared marker format) is an update that
      // rewrites the marker, never a replacement.
      if (!spec.unmarked && (olds as Inputs).owner !== (news as Inputs).owner) changes.push("owner");
      const replaces = changes.filter((key) => spec.replaceOn.includes(key));
      return { changes: changes.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
    },

    create: async (raw) => {
      const inputs = spec.normalize(raw as Inputs);
      const api = adminApi();
      const existing = await spec.find(api, inputs);
      let id: string;
      let adopted = false;
      if (existing === undefined) {
        id = await spec.create(api, withDefaults(spec, inputs, false));
      } else {
        // A mapping carries no marker: it belongs to whoever declares it.
        const owner = spec.unmarked ? inputs.owner : (await spec.observe(api, existing, inputs))?.owner;
        const decision = decideClaim({ exists: true, owner }, inputs.owner, inputs.adopt === true);
        if (decision.action === "refuse") throw new Error(`${spec.describe(inputs)}: ${decision.reason}`);
        adopted = decision.action === "adopt";
        id = existing;
        await spec.update(api, id, withDefaults(spec, inputs, adopted));
      }
      const outs = outputsOf(id, inputs, await observeOrFail(api, id, inputs));
      return { id, outs: { ...outs, adopted } };
    },

    read: async (id, props) => {
      const inputs = props as Inputs;
      const observed = await spec.observe(adminApi(), id, inputs);
      if (!observed) return { id: "" };
      const values = definedOnly({ ...inputs, ...observed.values, ...observed.outputs, objectId: id });
      return { id, props: values, inputs: definedOnly({ ...inputs, ...observed.values }) };
    },

    update: async (id, olds, raw) => {
      const inputs = spec.normalize(raw as Inputs);
      const api = adminApi();
      const adopted = (olds as Inputs).adopted === true;
      if (!spec.unmarked) {
        const current = await spec.observe(api, id, inputs);
        const decision = decideWrite(
          { exists: current !== undefined, owner: current?.owner },
          ownIds(inputs.owner, (olds as Inputs).owner),
        );
        if (decision.action === "refuse") throw new Error(`${spec.describe(inputs)}: ${decision.reason}`);
      }
      await spec.update(api, id, withDefaults(spec, inputs, adopted), olds as Inputs);
      return { outs: { ...outputsOf(id, inputs, await observeOrFail(api, id, inputs)), adopted } };
    },

    delete: async (id, props) => {
      const inputs = props as Inputs;
      const api = adminApi();
      const observed = await spec.observe(api, id, inputs);
      const owner = spec.unmarked ? inputs.owner : observed?.owner;
      const decision = decideDelete({ exists: observed !== undefined, owner }, ownIds(inputs.owner));
      if (decision.action === "leave") {
        // A warning, not a failure: the stack forgets the object and leaves it to its new owner.
        console.error(`warning: ${spec.describe(inputs)}: ${decision.warning}`);
        return;
      }
      if (decision.action === "delete") await spec.remove(api, id, inputs);
    },
  };
}
