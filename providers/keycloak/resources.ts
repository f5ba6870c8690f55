/**
 * The Keycloak dynamic resources. The provider objects serialized into each resource's state hold
 * only the package specifier of their implementation module (providers/shared/moduleLocation), so
 * the state stays small and holds no credentials; those arrive through `configure` (credentials.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier } from "../shared/moduleLocation";
import { resourceOwner } from "../shared/resourceOwner";
import { withSecretOutputs } from "../shared/secretOutputs";

/** Inputs every Keycloak resource takes. */
export interface KeycloakObjectArgs {
  /** Take over an object of the same name that this stack did not make (keeps the server's values for inputs not given). */
  adopt?: pulumi.Input<boolean>;
}

/** The owner `<project>/<stack>/<name>` that the provider writes into the object's marker. */
function withOwner(name: string, args: object): pulumi.Inputs {
  return { ...args, owner: resourceOwner(name) };
}

const providers = {
  realm: providerAt(providerSpecifier("keycloak/realmProvider")),
  client: providerAt(providerSpecifier("keycloak/oidcClientProvider")),
  group: providerAt(providerSpecifier("keycloak/groupProvider")),
  user: providerAt(providerSpecifier("keycloak/userProvider")),
  roleMapping: providerAt(providerSpecifier("keycloak/roleMappingProvider")),
};

export interface KeycloakRealmArgs extends KeycloakObjectArgs {
  /** Realm name: lower-case letters, digits, ".", "_", "-" (it appears in every URL of the realm). */
  name: pulumi.Input<string>;
  displayName?: pulumi.Input<string>;
  enabled?: pulumi.Input<boolean>;
  /** Every user of this realm must have an email. */
  emailRequired?: pulumi.Input<boolean>;
  /** Realm roles to define (e.g. "admin"). */
  roles?: pulumi.Input<pulumi.Input<string>[]>;
}

export class KeycloakRealm extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly emailRequired: pulumi.Output<boolean>;
  /** The OpenID Connect issuer: `<keycloak>/realms/<name>` (discovery at /.well-known/openid-configuration). */
  declare readonly issuerUrl: pulumi.Output<string>;

  constructor(name: string, args: KeycloakRealmArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providers.realm,
      name,
      { issuerUrl: undefined, ...withOwner(name, args) },
      opts,
      "sovereign/keycloak",
      "Realm",
    );
  }
}

export interface KeycloakOidcClientArgs extends KeycloakObjectArgs {
  realm: pulumi.Input<string>;
  clientId: pulumi.Input<string>;
  name?: pulumi.Input<string>;
  /** https only (plain http for loopback addresses). */
  redirectUris?: pulumi.Input<pulumi.Input<string>[]>;
  webOrigins?: pulumi.Input<pulumi.Input<string>[]>;
  rootUrl?: pulumi.Input<string>;
  enabled?: pulumi.Input<boolean>;
  /** Public clients (SPAs, native apps) have no secret. Default false. */
  publicClient?: pulumi.Input<boolean>;
  /** Authorization-code flow; default true. */
  standardFlow?: pulumi.Input<boolean>;
  /** Resource-owner password grant; default false. */
  directAccessGrants?: pulumi.Input<boolean>;
  /** Client-credentials grant (a service account); default false. */
  serviceAccounts?: pulumi.Input<boolean>;
}

export class KeycloakOidcClient extends pulumi.dynamic.Resource {
  declare readonly clientId: pulumi.Output<string>;
  /** Keycloak's internal id of the client. */
  declare readonly objectId: pulumi.Output<string>;
  /** The confidential client's secret (encrypted in the state). */
  declare readonly clientSecret: pulumi.Output<string | undefined>;

  constructor(name: string, args: KeycloakOidcClientArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providers.client,
      name,
      { objectId: undefined, clientSecret: undefined, ...withOwner(name, args) },
      withSecretOutputs(opts, ["clientSecret"]),
      "sovereign/keycloak",
      "OidcClient",
    );
  }
}

export interface KeycloakGroupArgs extends KeycloakObjectArgs {
  realm: pulumi.Input<string>;
  name: pulumi.Input<string>;
}

export class KeycloakGroup extends pulumi.dynamic.Resource {
  declare readonly objectId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: KeycloakGroupArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providers.group,
      name,
      { objectId: undefined, ...withOwner(name, args) },
      opts,
      "sovereign/keycloak",
      "Group",
    );
  }
}

export interface KeycloakUserArgs extends KeycloakObjectArgs {
  realm: pulumi.Input<string>;
  username: pulumi.Input<string>;
  email?: pulumi.Input<string>;
  /** Set when the realm requires an email (IdentityRealm does): a user without one fails at preview. */
  emailRequired?: pulumi.Input<boolean>;
  emailVerified?: pulumi.Input<boolean>;
  firstName?: pulumi.Input<string>;
  lastName?: pulumi.Input<string>;
  enabled?: pulumi.Input<boolean>;
  /** e.g. ["UPDATE_PASSWORD", "CONFIGURE_TOTP"]. */
  requiredActions?: pulumi.Input<pulumi.Input<string>[]>;
  /** Ids of the groups the user belongs to (KeycloakGroup.objectId). */
  groups?: pulumi.Input<pulumi.Input<string>[]>;
  /** Set once at creation; stored encrypted. */
  initialPassword?: pulumi.Input<string>;
  /** The person must choose a new password at first sign-in (default true). */
  temporaryPassword?: pulumi.Input<boolean>;
}

export class KeycloakUser extends pulumi.dynamic.Resource {
  declare readonly objectId: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;

  constructor(name: string, args: KeycloakUserArgs, opts?: pulumi.CustomResourceOptions) {
    const inputs = withOwner(name, {
      ...args,
      initialPassword: args.initialPassword && pulumi.secret(args.initialPassword),
    });
    super(
      providers.user,
      name,
      { objectId: undefined, ...inputs },
      withSecretOutputs(opts, ["initialPassword"]),
      "sovereign/keycloak",
      "User",
    );
  }
}

export interface KeycloakRoleMappingArgs {
  realm: pulumi.Input<string>;
  subject: pulumi.Input<"group" | "user">;
  /** KeycloakGroup.objectId or KeycloakUser.objectId. */
  subjectId: pulumi.Input<string>;
  realmRoles: pulumi.Input<pulumi.Input<string>[]>;
}

export class KeycloakRoleMapping extends pulumi.dynamic.Resource {
  declare readonly realmRoles: pulumi.Output<string[]>;

  constructor(name: string, args: KeycloakRoleMappingArgs, opts?: pulumi.CustomResourceOptions) {
    super(providers.roleMapping, name, withOwner(name, args), opts, "sovereign/keycloak", "RoleMapping");
  }
}
