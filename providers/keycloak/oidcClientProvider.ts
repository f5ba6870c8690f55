/**
 * An OpenID Connect client (one per app): redirect URIs, web origins, which flows it may use.
 * Confidential clients get a secret from Keycloak, returned as the `clientSecret` output (kept
 * encrypted in the state by the resource's additionalSecretOutputs). The owner marker is a client
 * attribute.
 */
import { KeycloakAdmin, type ClientRepresentation } from "./client";
import {
  fieldsOf,
  objectProvider,
  representationOf,
  sortedSet,
  unless404,
  type KindSpec,
} from "./objectProvider";
import { ownerFromAttributes } from "./ownership";
import { CLIENT_ID, patternProblems, realmNameProblems, redirectUriProblems } from "./validate";

const clientPath = (realm: string, id: string) => ({ params: { path: { realm, id } } });

/** Input name -> representation field, for the plain fields this provider keeps equal. */
const FIELDS = {
  name: "name",
  enabled: "enabled",
  publicClient: "publicClient",
  redirectUris: "redirectUris",
  webOrigins: "webOrigins",
  rootUrl: "rootUrl",
  standardFlow: "standardFlowEnabled",
  directAccessGrants: "directAccessGrantsEnabled",
  serviceAccounts: "serviceAccountsEnabled",
} as const satisfies Record<string, keyof ClientRepresentation>;

async function getClient(
  api: KeycloakAdmin,
  realm: string,
  id: string,
): Promise<ClientRepresentation | undefined> {
  return unless404(await api.api.GET("/admin/realms/{realm}/clients/{id}", clientPath(realm, id)));
}

const representation = representationOf<ClientRepresentation>(FIELDS, false);

export const oidcClientKind: KindSpec = {
  describe: (inputs) => `client ${JSON.stringify(inputs.clientId)} in realm ${JSON.stringify(inputs.realm)}`,
  problems: (inputs) => [
    ...realmNameProblems(inputs.realm, "realm"),
    ...patternProblems(inputs.clientId, "clientId", CLIENT_ID, "client id", "forgejo"),
    ...redirectUriProblems(inputs.redirectUris),
  ],
  normalize: (inputs) => ({
    ...inputs,
    redirectUris: sortedSet(inputs.redirectUris),
    webOrigins: sortedSet(inputs.webOrigins),
  }),
  defaults: {
    enabled: true,
    publicClient: false,
    standardFlow: true,
    directAccessGrants: false,
    serviceAccounts: false,
    redirectUris: [],
    webOrigins: [],
  },
  managed: Object.keys(FIELDS),
  replaceOn: ["realm", "clientId"],
  find: async (api, inputs) => {
    const { data } = await api.api.GET("/admin/realms/{realm}/clients", {
      params: { path: { realm: inputs.realm as string }, query: { clientId: inputs.clientId as string } },
    });
    return (data ?? []).find((client) => client.clientId === inputs.clientId)?.id;
  },
  observe: async (api, id, inputs) => {
    const realm = inputs.realm as string;
    const client = await getClient(api, realm, id);
    if (!client) return undefined;
    const values = fieldsOf(client, FIELDS);
    values.redirectUris = sortedSet(values.redirectUris);
    values.webOrigins = sortedSet(values.webOrigins);
    let clientSecret: string | undefined;
    if (!client.publicClient) {
      const { data } = await api.api.GET(
        "/admin/realms/{realm}/clients/{id}/client-secret",
        clientPath(realm, id),
      );
      clientSecret = data?.value;
    }
    return { owner: ownerFromAttributes(client.attributes), values, outputs: { clientSecret } };
  },
  create: async (api, inputs) => {
    const { response } = await api.api.POST("/admin/realms/{realm}/clients", {
      params: { path: { realm: inputs.realm as string } },
      body: representation({ clientId: inputs.clientId, protocol: "openid-connect" }, inputs),
    });
    return KeycloakAdmin.createdId(response, oidcClientKind.describe(inputs));
  },
  update: async (api, id, inputs) => {
    const realm = inputs.realm as string;
    const current = await getClient(api, realm, id);
    await api.api.PUT("/admin/realms/{realm}/clients/{id}", {
      ...clientPath(realm, id),
      body: representation({ clientId: inputs.clientId, protocol: "openid-connect" }, inputs, current),
    });
  },
  remove: async (api, id, inputs) => {
    await api.api.DELETE("/admin/realms/{realm}/clients/{id}", clientPath(inputs.realm as string, id));
  },
};

/** Loaded by providerAt (providers/shared/moduleLocation) in the provider process. */
const provider = objectProvider(oidcClientKind);
export const { configure, check, diff, create, read, update, delete: remove } = provider;
export { remove as delete };
