/**
 * A user of a realm: username, email, names, required actions, group memberships, and an initial
 * password (a secret input, set once at creation, temporary by default so the person picks their
 * own at first sign-in; changing it later does not reset a password the person already chose).
 * The owner marker is an admin-only user attribute (the realm allows it; see realmProvider).
 */
import { KeycloakAdmin, type UserRepresentation } from "./client";
import { objectProvider, representationOf, sortedSet, type Inputs, type KindSpec } from "./objectProvider";
import { fieldsOf, unless404 } from "./objectProvider";
import { ownerFromAttributes } from "./ownership";
import { realmNameProblems, userProblems } from "./validate";

const userPath = (realm: string, id: string) => ({ params: { path: { realm, id } } });

/** Input name -> representation field, for the plain fields this provider keeps equal. */
const FIELDS = {
  email: "email",
  firstName: "firstName",
  lastName: "lastName",
  enabled: "enabled",
  emailVerified: "emailVerified",
  requiredActions: "requiredActions",
} as const satisfies Record<string, keyof UserRepresentation>;

async function getUser(
  api: KeycloakAdmin,
  realm: string,
  id: string,
): Promise<UserRepresentation | undefined> {
  return unless404(await api.api.GET("/admin/realms/{realm}/users/{id}", userPath(realm, id)));
}

async function memberOf(api: KeycloakAdmin, realm: string, id: string): Promise<string[]> {
  const { data } = await api.api.GET("/admin/realms/{realm}/users/{id}/groups", userPath(realm, id));
  return (data ?? []).map((group) => group.id ?? "").sort();
}

const representation = representationOf<UserRepresentation>(FIELDS, true);

async function syncGroups(
  api: KeycloakAdmin,
  realm: string,
  id: string,
  inputs: Inputs,
  olds?: Inputs,
): Promise<void> {
  const wanted = (inputs.groups as string[] | undefined) ?? [];
  const current = await memberOf(api, realm, id);
  for (const groupId of wanted.filter((group) => !current.includes(group))) {
    await api.api.PUT("/admin/realms/{realm}/users/{id}/groups/{groupId}", {
      params: { path: { realm, id, groupId } },
    });
  }
  // Only memberships this resource declared before are withdrawn; others were given by someone else.
  const dropped = ((olds?.groups as string[] | undefined) ?? []).filter((group) => !wanted.includes(group));
  for (const groupId of dropped.filter((group) => current.includes(group))) {
    await api.api.DELETE("/admin/realms/{realm}/users/{id}/groups/{groupId}", {
      params: { path: { realm, id, groupId } },
    });
  }
}

export const userKind: KindSpec = {
  describe: (inputs) => `user ${JSON.stringify(inputs.username)} in realm ${JSON.stringify(inputs.realm)}`,
  problems: (inputs) => [...realmNameProblems(inputs.realm, "realm"), ...userProblems(inputs)],
  normalize: (inputs) => ({
    ...inputs,
    requiredActions: sortedSet(inputs.requiredActions),
    groups: sortedSet(inputs.groups),
  }),
  defaults: { enabled: true, requiredActions: [], groups: [] },
  managed: [...Object.keys(FIELDS), "groups"],
  replaceOn: ["realm", "username"],
  find: async (api, inputs) => {
    const { data } = await api.api.GET("/admin/realms/{realm}/users", {
      params: {
        path: { realm: inputs.realm as string },
        query: { username: inputs.username as string, exact: true },
      },
    });
    return (data ?? []).find((user) => user.username === inputs.username)?.id;
  },
  observe: async (api, id, inputs) => {
    const realm = inputs.realm as string;
    const user = await getUser(api, realm, id);
    if (!user) return undefined;
    const values = fieldsOf(user, FIELDS);
    values.requiredActions = sortedSet(values.requiredActions ?? []);
    const declared = (inputs.groups as string[] | undefined) ?? [];
    const groups = await memberOf(api, realm, id);
    values.groups = declared.filter((group) => groups.includes(group));
    return { owner: ownerFromAttributes(user.attributes), values };
  },
  create: async (api, inputs) => {
    const realm = inputs.realm as string;
    const password = inputs.initialPassword as string | undefined;
    const body: UserRepresentation = {
      ...representation({ username: inputs.username }, inputs),
      ...(password && {
        credentials: [{ type: "password", value: password, temporary: inputs.temporaryPassword !== false }],
      }),
    };
    const { response } = await api.api.POST("/admin/realms/{realm}/users", {
      params: { path: { realm } },
      body,
    });
    const id = KeycloakAdmin.createdId(response, userKind.describe(inputs));
    await syncGroups(api, realm, id, inputs);
    return id;
  },
  update: async (api, id, inputs, olds) => {
    const realm = inputs.realm as string;
    const current = await getUser(api, realm, id);
    await api.api.PUT("/admin/realms/{realm}/users/{id}", {
      ...userPath(realm, id),
      body: representation({ username: inputs.username }, inputs, current),
    });
    await syncGroups(api, realm, id, inputs, olds);
  },
  remove: async (api, id, inputs) => {
    await api.api.DELETE("/admin/realms/{realm}/users/{id}", userPath(inputs.realm as string, id));
  },
};

/** Loaded by providerAt (providers/shared/moduleLocation) in the provider process. */
const provider = objectProvider(userKind);
export const { configure, check, diff, create, read, update, delete: remove } = provider;
export { remove as delete };
