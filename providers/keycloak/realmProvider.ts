/**
 * A realm (one per site): its name, display name, whether it is enabled, whether its users need an
 * email, and the realm roles it defines. The owner marker is a realm attribute; unmanaged user
 * attributes are made admin-editable so users can carry their own marker too.
 */
import { KeycloakAdmin, type RealmRepresentation } from "./client";
import { objectProvider, sortedSet, unless404, type Inputs, type KindSpec } from "./objectProvider";
import { ownerFromAttributes, withOwnerAttribute } from "./ownership";
import { patternProblems, realmNameProblems, ROLE_NAME } from "./validate";

const EMAIL_REQUIRED_ATTRIBUTE = "sovereign.emailRequired";
const realmPath = (realm: string) => ({ params: { path: { realm } } });

async function getRealm(api: KeycloakAdmin, realm: string): Promise<RealmRepresentation | undefined> {
  return unless404(await api.api.GET("/admin/realms/{realm}", realmPath(realm)));
}

async function roleNames(api: KeycloakAdmin, realm: string): Promise<string[]> {
  const { data } = await api.api.GET("/admin/realms/{realm}/roles", realmPath(realm));
  return (data ?? []).map((role) => role.name ?? "");
}

async function ensureRoles(api: KeycloakAdmin, realm: string, wanted: readonly string[]): Promise<void> {
  const present = new Set(await roleNames(api, realm));
  for (const name of wanted.filter((role) => !present.has(role))) {
    await api.api.POST("/admin/realms/{realm}/roles", { ...realmPath(realm), body: { name } });
  }
}

/** Users may carry unmanaged attributes (the owner marker) that only admins see and edit. */
async function allowUserOwnerMarker(api: KeycloakAdmin, realm: string): Promise<void> {
  const { data } = await api.api.GET("/admin/realms/{realm}/users/profile", realmPath(realm));
  const profile = { ...(data ?? {}), unmanagedAttributePolicy: "ADMIN_EDIT" };
  await api.api.PUT("/admin/realms/{realm}/users/profile", { ...realmPath(realm), body: profile });
}

function desired(inputs: Inputs, current: RealmRepresentation = {}): RealmRepresentation {
  const attributes: Record<string, string> = withOwnerAttribute(current.attributes, inputs.owner, false);
  if (inputs.emailRequired !== undefined) attributes[EMAIL_REQUIRED_ATTRIBUTE] = String(inputs.emailRequired);
  return {
    ...current,
    realm: inputs.name as string,
    ...(inputs.displayName !== undefined && { displayName: inputs.displayName as string }),
    ...(inputs.enabled !== undefined && { enabled: inputs.enabled as boolean }),
    attributes,
  };
}

export const realmKind: KindSpec = {
  describe: (inputs) => `realm ${JSON.stringify(inputs.name)}`,
  problems: (inputs) => [
    ...realmNameProblems(inputs.name),
    ...((inputs.roles as unknown[] | undefined) ?? []).flatMap((role, i) =>
      patternProblems(role, `roles[${i}]`, ROLE_NAME, "role name", "admin"),
    ),
  ],
  normalize: (inputs) => ({ ...inputs, roles: sortedSet(inputs.roles) }),
  defaults: { enabled: true, emailRequired: false, roles: [] },
  managed: ["displayName", "enabled", "emailRequired", "roles"],
  replaceOn: ["name"],
  find: async (api, inputs) =>
    (await getRealm(api, inputs.name as string)) ? (inputs.name as string) : undefined,
  observe: async (api, id, inputs) => {
    const realm = await getRealm(api, id);
    if (!realm) return undefined;
    const present = new Set(await roleNames(api, id));
    const declared = (inputs.roles as string[] | undefined) ?? [];
    return {
      owner: ownerFromAttributes(realm.attributes),
      values: {
        displayName: realm.displayName,
        enabled: realm.enabled,
        emailRequired: realm.attributes?.[EMAIL_REQUIRED_ATTRIBUTE] === "true",
        roles: declared.filter((role) => present.has(role)),
      },
      outputs: { issuerUrl: `${api.baseUrl}/realms/${encodeURIComponent(id)}` },
    };
  },
  create: async (api, inputs) => {
    // The document types this body as a string (Keycloak reads it as a realm import stream).
    await api.api.POST("/admin/realms", {
      body: JSON.stringify(desired(inputs)),
      bodySerializer: (body) => body,
    });
    const name = inputs.name as string;
    await allowUserOwnerMarker(api, name);
    await ensureRoles(api, name, (inputs.roles as string[]) ?? []);
    return name;
  },
  update: async (api, id, inputs) => {
    const current = await getRealm(api, id);
    await api.api.PUT("/admin/realms/{realm}", { ...realmPath(id), body: desired(inputs, current) });
    await allowUserOwnerMarker(api, id);
    await ensureRoles(api, id, (inputs.roles as string[]) ?? []);
  },
  remove: async (api, id) => {
    await api.api.DELETE("/admin/realms/{realm}", realmPath(id));
  },
};

/** Loaded by providerAt (providers/shared/moduleLocation) in the provider process. */
const provider = objectProvider(realmKind);
export const { configure, check, diff, create, read, update, delete: remove } = provider;
export { remove as delete };
