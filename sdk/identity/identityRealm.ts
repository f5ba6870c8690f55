import * as pulumi from "@pulumi/pulumi";
import {
  KeycloakGroup,
  KeycloakOidcClient,
  KeycloakRealm,
  KeycloakRoleMapping,
  KeycloakUser,
} from "../../providers/keycloak";
import type { SecretGenerator } from "../secrets/generator";
import { planIdentity, type OidcAppSpec, type RealmAdminSpec } from "./identityPlan";

/** Inputs of an {@link IdentityRealm}: the Keycloak realm, its apps and its admins. */
export interface IdentityRealmArgs {
  /** The realm's name (one realm per site), e.g. "example-org". */
  realm: string;
  /** The realm's display name on the login page; default the realm name. */
  displayName?: string;
  /** Users must have an email (default true). */
  emailRequired?: boolean;
  /** The site's apps that sign in with OpenID Connect (from the app catalog's `oidc` entries). */
  apps: readonly OidcAppSpec[];
  /** People in the realm's admin group (realm role "admin"). */
  admins?: readonly RealmAdminSpec[];
  /** Draws the admins' initial passwords (temporary: changed at first sign-in). */
  secrets?: SecretGenerator;
  /** The realm holds every account: protected from deletion unless the caller opts out. */
  protect?: boolean;
}

/** What an app component needs to sign its users in. */
export interface OidcClientCredentials {
  /** The realm's issuer URL, `<keycloak>/realms/<realm>`. */
  issuerUrl: pulumi.Output<string>;
  /** The app's OIDC client id. */
  clientId: pulumi.Output<string>;
  /** Undefined for public clients; a secret Output otherwise. */
  clientSecret: pulumi.Output<string | undefined>;
}

/**
 * A site's identity: the realm, its admin group (realm role "admin"), the admins, and an OIDC
 * client per app that supports it. Apps get their client id and secret from `clientFor(app)`.
 *
 * @example
 * ```ts
 * const identity = new IdentityRealm("coop-id", {
 *   realm: "coop",
 *   apps: [{ app: "nextcloud", url: "https://cloud.coop.example", redirectPaths: ["/apps/user_oidc/code"] }],
 *   admins: [{ username: "alice", email: "alice@coop.example" }],
 * });
 * const oidc = identity.clientFor("nextcloud");
 * ```
 */
export class IdentityRealm extends pulumi.ComponentResource {
  /** The Keycloak realm. */
  readonly realm: KeycloakRealm;
  /** The group whose members administer the realm. */
  readonly adminGroup: KeycloakGroup;
  /** Each app's OIDC client, by app instance name. */
  readonly clients: Readonly<Record<string, KeycloakOidcClient>>;
  /** The realm's admin users. */
  readonly admins: readonly KeycloakUser[];
  /** The realm's issuer URL, `<keycloak>/realms/<realm>`. */
  readonly issuerUrl: pulumi.Output<string>;

  constructor(name: string, args: IdentityRealmArgs, opts?: pulumi.ComponentResourceOptions) {
    // Every problem is reported before anything (even this component) is registered.
    const planned = planIdentity(args);
    super("sovereign:identity:IdentityRealm", name, {}, opts);
    const emailRequired = args.emailRequired ?? true;
    const child = { parent: this };
    this.realm = new KeycloakRealm(
      `${name}-realm`,
      { name: args.realm, displayName: args.displayName, emailRequired, roles: ["admin"] },
      { ...child, protect: args.protect ?? true },
    );
    this.adminGroup = new KeycloakGroup(`${name}-admins`, { realm: this.realm.name, name: "admins" }, child);
    new KeycloakRoleMapping(
      `${name}-admins-role`,
      {
        realm: this.realm.name,
        subject: "group",
        subjectId: this.adminGroup.objectId,
        realmRoles: ["admin"],
      },
      child,
    );
    const clients: Record<string, KeycloakOidcClient> = {};
    for (const client of planned) {
      clients[client.app] = new KeycloakOidcClient(
        `${name}-${client.app}`,
        {
          realm: this.realm.name,
          clientId: client.clientId,
          name: client.app,
          rootUrl: client.rootUrl,
          redirectUris: client.redirectUris,
          webOrigins: client.webOrigins,
          publicClient: client.publicClient,
          serviceAccounts: client.serviceAccounts,
        },
        child,
      );
    }
    this.clients = clients;
    this.admins = (args.admins ?? []).map(
      (admin) =>
        new KeycloakUser(
          `${name}-admin-${admin.username}`,
          {
            realm: this.realm.name,
            ...admin,
            emailRequired,
            groups: [this.adminGroup.objectId],
            initialPassword: args.secrets?.password(
              `${name}-admin-${admin.username}-password`,
              { length: 24 },
              child,
            ),
            temporaryPassword: true,
          },
          child,
        ),
    );
    this.issuerUrl = this.realm.issuerUrl;
    this.registerOutputs({
      issuerUrl: this.issuerUrl,
      clientIds: Object.fromEntries(Object.entries(clients).map(([app, c]) => [app, c.clientId])),
    });
  }

  /** The client id and secret of an app's client (throws for an app that has none). */
  clientFor(app: string): OidcClientCredentials {
    const client = this.clients[app];
    if (!client) {
      throw new Error(
        `app ${JSON.stringify(app)} has no OIDC client in this realm; apps with one: ${Object.keys(this.clients).join(", ") || "none"}`,
      );
    }
    // Secret whatever carries it onwards (app configs, HostSecret inputs, stack outputs).
    return {
      issuerUrl: this.issuerUrl,
      clientId: client.clientId,
      clientSecret: pulumi.secret(client.clientSecret),
    };
  }
}
