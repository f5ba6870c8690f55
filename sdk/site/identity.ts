/**
 * A site's identity: the IdentityRealm with a client for each catalog app that signs in with
 * OpenID Connect, and each confidential client's secret delivered to the app's host as a
 * HostSecret (age-encrypted to the host's SSH key, mode 0400, owned by the app's system user, at the
 * app's secret path).
 */
import * as pulumi from "@pulumi/pulumi";
import { planOidcSecretDeliveries, type IdentityConfig } from "../config/identityConfig";
import type { SiteConfig } from "../config/siteConfig";
import { IdentityRealm, type OidcClientCredentials } from "../identity/identityRealm";
import type { SecretGenerator } from "../secrets/generator";
import { HostSecret } from "../secrets/hostSecret";
import { appUrls } from "./records";

export interface SiteIdentityArgs {
  config: SiteConfig;
  identity: IdentityConfig;
  secrets?: SecretGenerator;
  hostSecretKeyPath?: string;
}

export interface SiteIdentity {
  readonly realm: IdentityRealm;
  /** The delivered client secrets, by app instance. */
  readonly clientSecrets: Readonly<Record<string, HostSecret>>;
  /** An app's client, or undefined for apps that do not sign in with OIDC. */
  clientFor(app: string): OidcClientCredentials | undefined;
}

export function declareSiteIdentity(
  name: string,
  args: SiteIdentityArgs,
  parent: pulumi.ComponentResource,
): SiteIdentity {
  const { config, identity } = args;
  const urls = appUrls(config);
  const realm = new IdentityRealm(
    `${name}-identity`,
    {
      realm: identity.realm,
      displayName: identity.displayName,
      emailRequired: identity.emailRequired,
      apps: config.apps.map((a) => ({
        name: a.name,
        app: a.app,
        url: urls[a.name],
        serviceAccount: identity.serviceAccounts.includes(a.name),
      })),
      admins: identity.admins,
      secrets: args.secrets,
      protect: config.protect,
    },
    { parent },
  );
  const clientSecrets: Record<string, HostSecret> = {};
  // The config parser already refused hosts whose key is unknown (planOidcSecretDeliveries).
  for (const delivery of planOidcSecretDeliveries(config.hosts, config.apps)) {
    const client = realm.clients[delivery.app];
    if (!client) continue;
    clientSecrets[delivery.app] = new HostSecret(
      `${name}-${delivery.app}-oidc-secret`,
      {
        ...delivery.secret,
        host: { ...delivery.target, privateKeyPath: args.hostSecretKeyPath },
        value: client.clientSecret.apply((secret) => secret ?? ""),
      },
      { parent },
    );
  }
  return {
    realm,
    clientSecrets,
    clientFor: (app) => (realm.clients[app] ? realm.clientFor(app) : undefined),
  };
}
