/**
 * Realm roles granted to a group or a user. A mapping has no attributes to carry an owner marker:
 * it belongs to whoever declares it, and `delete` withdraws only the roles this resource declared.
 */
import type { KeycloakAdmin, RoleRepresentation } from "./client";
import { objectProvider, type Inputs, type KindSpec } from "./objectProvider";
import { patternProblems, realmNameProblems, ROLE_NAME } from "./validate";

type Subject = "group" | "user";

function target(inputs: Inputs): { subject: Subject; realm: string; id: string } {
  return {
    subject: inputs.subject as Subject,
    realm: inputs.realm as string,
    id: inputs.subjectId as string,
  };
}

async function mapped(api: KeycloakAdmin, inputs: Inputs): Promise<RoleRepresentation[] | undefined> {
  const { subject, realm, id } = target(inputs);
  const params = { params: { path: { realm, id } } };
  const { data, response } =
    subject === "group"
      ? await api.api.GET("/admin/realms/{realm}/groups/{id}/role-mappings/realm", params)
      : await api.api.GET("/admin/realms/{realm}/users/{id}/role-mappings/realm", params);
  return response.status === 404 ? undefined : (data ?? []);
}

async function roles(
  api: KeycloakAdmin,
  realm: string,
  names: readonly string[],
): Promise<RoleRepresentation[]> {
  const found: RoleRepresentation[] = [];
  for (const name of names) {
    const { data, response } = await api.api.GET("/admin/realms/{realm}/roles/{role-name}", {
      params: { path: { realm, "role-name": name } },
    });
    if (response.status === 404 || !data) {
      throw new Error(
        `realm ${JSON.stringify(realm)} has no role ${JSON.stringify(name)}: declare it in the realm's roles first`,
      );
    }
    found.push(data);
  }
  return found;
}

async function change(
  api: KeycloakAdmin,
  inputs: Inputs,
  method: "POST" | "DELETE",
  names: readonly string[],
): Promise<void> {
  if (names.length === 0) return;
  const { subject, realm, id } = target(inputs);
  const request = { params: { path: { realm, id } }, body: await roles(api, realm, names) };
  if (subject === "group") {
    if (method === "POST")
      await api.api.POST("/admin/realms/{realm}/groups/{id}/role-mappings/realm", request);
    else await api.api.DELETE("/admin/realms/{realm}/groups/{id}/role-mappings/realm", request);
  } else if (method === "POST")
    await api.api.POST("/admin/realms/{realm}/users/{id}/role-mappings/realm", request);
  else await api.api.DELETE("/admin/realms/{realm}/users/{id}/role-mappings/realm", request);
}

const declared = (inputs: Inputs | undefined): string[] => (inputs?.realmRoles as string[] | undefined) ?? [];

export const roleMappingKind: KindSpec = {
  describe: (inputs) =>
    `realm roles of ${inputs.subject} ${JSON.stringify(inputs.subjectId)} in realm ${JSON.stringify(inputs.realm)}`,
  problems: (inputs) => [
    ...realmNameProblems(inputs.realm, "realm"),
    ...(inputs.subject === "group" || inputs.subject === "user"
      ? []
      : [
          { property: "subject", reason: `must be "group" or "user", not ${JSON.stringify(inputs.subject)}` },
        ]),
    ...declared(inputs).flatMap((role, i) =>
      patternProblems(role, `realmRoles[${i}]`, ROLE_NAME, "role name", "admin"),
    ),
  ],
  normalize: (inputs) => ({ ...inputs, realmRoles: [...new Set(declared(inputs))].sort() }),
  defaults: {},
  managed: ["realmRoles"],
  replaceOn: ["realm", "subject", "subjectId"],
  unmarked: true,
  find: async () => undefined,
  observe: async (api, _id, inputs) => {
    const current = await mapped(api, inputs);
    if (!current) return undefined;
    const names = new Set(current.map((role) => role.name));
    return { owner: undefined, values: { realmRoles: declared(inputs).filter((role) => names.has(role)) } };
  },
  create: async (api, inputs) => {
    await change(api, inputs, "POST", declared(inputs));
    return `${inputs.realm as string}/${inputs.subject as string}/${inputs.subjectId as string}`;
  },
  update: async (api, _id, inputs, olds) => {
    const current = new Set(((await mapped(api, inputs)) ?? []).map((role) => role.name));
    await change(
      api,
      inputs,
      "POST",
      declared(inputs).filter((role) => !current.has(role)),
    );
    const withdrawn = declared(olds).filter((role) => !declared(inputs).includes(role) && current.has(role));
    await change(api, inputs, "DELETE", withdrawn);
  },
  remove: async (api, _id, inputs) => {
    const current = new Set(((await mapped(api, inputs)) ?? []).map((role) => role.name));
    await change(
      api,
      inputs,
      "DELETE",
      declared(inputs).filter((role) => current.has(role)),
    );
  },
};

/** Loaded by providerAt (providers/shared/moduleLocation) in the provider process. */
const provider = objectProvider(roleMappingKind);
export const { configure, check, diff, create, read, update, delete: remove } = provider;
export { remove as delete };
