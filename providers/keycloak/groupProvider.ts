/** A top-level group of a realm (e.g. the site's admins); the owner marker is a group attribute. */
import { KeycloakAdmin, type GroupRepresentation } from "./client";
import { objectProvider, unless404, type KindSpec } from "./objectProvider";
import { ownerFromAttributes, withOwnerAttribute } from "./ownership";
import { GROUP_NAME, patternProblems, realmNameProblems } from "./validate";

const groupPath = (realm: string, id: string) => ({ params: { path: { realm, id } } });

async function getGroup(
  api: KeycloakAdmin,
  realm: string,
  id: string,
): Promise<GroupRepresentation | undefined> {
  return unless404(await api.api.GET("/admin/realms/{realm}/groups/{id}", groupPath(realm, id)));
}

export const groupKind: KindSpec = {
  describe: (inputs) => `group ${JSON.stringify(inputs.name)} in realm ${JSON.stringify(inputs.realm)}`,
  problems: (inputs) => [
    ...realmNameProblems(inputs.realm, "realm"),
    ...patternProblems(inputs.name, "name", GROUP_NAME, 'group name (no "/")', "admins"),
  ],
  normalize: (inputs) => inputs,
  defaults: {},
  managed: ["name"],
  replaceOn: ["realm"],
  find: async (api, inputs) => {
    const { data } = await api.api.GET("/admin/realms/{realm}/groups", {
      params: {
        path: { realm: inputs.realm as string },
        query: { search: inputs.name as string, exact: true },
      },
    });
    return (data ?? []).find((group) => group.name === inputs.name && !group.parentId)?.id;
  },
  observe: async (api, id, inputs) => {
    const group = await getGroup(api, inputs.realm as string, id);
    if (!group) return undefined;
    return { owner: ownerFromAttributes(group.attributes), values: { name: group.name } };
  },
  create: async (api, inputs) => {
    const { response } = await api.api.POST("/admin/realms/{realm}/groups", {
      params: { path: { realm: inputs.realm as string } },
      body: { name: inputs.name as string, attributes: withOwnerAttribute({}, inputs.owner, true) },
    });
    return KeycloakAdmin.createdId(response, groupKind.describe(inputs));
  },
  update: async (api, id, inputs) => {
    const realm = inputs.realm as string;
    const current = (await getGroup(api, realm, id)) ?? {};
    await api.api.PUT("/admin/realms/{realm}/groups/{id}", {
      ...groupPath(realm, id),
      body: {
        ...current,
        name: inputs.name as string,
        attributes: withOwnerAttribute(current.attributes, inputs.owner, true),
      },
    });
  },
  remove: async (api, id, inputs) => {
    await api.api.DELETE("/admin/realms/{realm}/groups/{id}", groupPath(inputs.realm as string, id));
  },
};

/** Loaded by providerAt (providers/shared/moduleLocation) in the provider process. */
const provider = objectProvider(groupKind);
export const { configure, check, diff, create, read, update, delete: remove } = provider;
export { remove as delete };
