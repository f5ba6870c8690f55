/**
 * Pure planning for a site's identity realm: one OIDC client per app whose catalog entry says it
 * signs in with OpenID Connect, redirect URIs from the app's URL and the catalog's redirect paths,
 * and every problem (bad realm name,
 * non-https redirect, a client id used twice, an admin without an email where the realm requires
 * one) reported at once with the field and the fix, before any resource is declared.
 */
import { ConfigProblems } from "../config/problems";
import { appDefinition, isAppId } from "../apps/catalog";
import {
  duplicateClientIdProblems,
  realmNameProblems,
  redirectUriProblems,
  userProblems,
} from "../../providers/keycloak/validate";

/**
 * An app instance of the site. Whether it signs in with OpenID Connect, and where the provider
 * redirects back to, come from its catalog entry (`oidc`), not from the caller.
 */
export interface OidcAppSpec {
  /** The instance's name in the site (e.g. "forgejo"); also the default client id. */
  name: string;
  /** Its catalog id (e.g. "forgejo"). */
  app: string;
  /** The app's public base URL, e.g. https://git.example.org */
  url: string;
  /** The client id in the realm (default: `name`). */
  clientId?: string;
  /** The app calls APIs as itself (client-credentials grant). */
  serviceAccount?: boolean;
}

/** An administrator to create in the realm. */
export interface RealmAdminSpec {
  /** The user name. */
  username: string;
  /** The e-mail address. */
  email?: string;
  /** The first name. */
  firstName?: string;
  /** The last name. */
  lastName?: string;
}

/** What the identity plan is made from: the realm, the apps that sign in with OIDC, the admins. */
export interface IdentityPlanInput {
  /** The realm's name. */
  realm: string;
  /** Users must have an email (default true: password resets and notifications need one). */
  emailRequired?: boolean;
  /** The apps that sign in through the realm. */
  apps: readonly OidcAppSpec[];
  /** The realm's administrators. */
  admins?: readonly RealmAdminSpec[];
}

/** An OIDC client the realm gets for one app. */
export interface PlannedClient {
  /** The app instance's name. */
  app: string;
  /** The client id, e.g. the app instance name. */
  clientId: string;
  /** Redirect URIs Keycloak accepts after sign-in, under the app's URL. */
  redirectUris: string[];
  /** Origins allowed for browser (CORS) requests: the app's origin. */
  webOrigins: string[];
  /** The app's base URL. */
  rootUrl: string;
  /** Whether the client is public (no client secret), for apps that run in the browser only. */
  publicClient: boolean;
  /** Whether the client gets a service account (client-credentials grant). */
  serviceAccounts: boolean;
}

/** The redirect URIs of an app: each of the catalog's redirect paths resolved against its URL. */
export function redirectUrisOf(url: string, redirectPaths: readonly string[]): string[] {
  return redirectPaths.map((p) => new URL(p, url.endsWith("/") ? url : `${url}/`).toString());
}

/** The apps that sign in with OpenID Connect, by their catalog entries (others have no client). */
export function oidcApps(apps: readonly OidcAppSpec[]): OidcAppSpec[] {
  return apps.filter((a) => isAppId(a.app) && appDefinition(a.app).oidc !== undefined);
}

/**
 * The OIDC clients the realm gets, one per app that signs in through it. Pure; throws when two apps would
 * get the same client id.
 */
export function planIdentity(input: IdentityPlanInput): PlannedClient[] {
  const problems = new ConfigProblems();
  for (const p of realmNameProblems(input.realm, "realm")) problems.add(p.property, p.reason);
  const clients: PlannedClient[] = [];
  input.apps.forEach((app, i) => {
    const field = `apps[${i}]`;
    if (!isAppId(app.app)) {
      problems.add(
        `${field}.app`,
        `${JSON.stringify(app.app)} is not an app of the catalog (npm run catalog)`,
      );
      return;
    }
    const oidc = appDefinition(app.app).oidc;
    if (!oidc) return;
    let origin: string | undefined;
    try {
      origin = new URL(app.url).origin;
    } catch {
      problems.add(
        `${field}.url`,
        `${JSON.stringify(app.url)} is not an absolute URL: e.g. "https://${app.name}.example.org"`,
      );
      return;
    }
    const redirectUris = redirectUrisOf(app.url, oidc.redirectPaths);
    for (const p of redirectUriProblems(redirectUris, `${field}.url`))
      problems.add(p.property, `${p.reason} (the app's url)`);
    clients.push({
      app: app.name,
      clientId: app.clientId ?? app.name,
      redirectUris,
      webOrigins: [origin],
      rootUrl: app.url,
      publicClient: oidc.publicClient ?? false,
      serviceAccounts: app.serviceAccount ?? false,
    });
  });
  for (const p of duplicateClientIdProblems(
    clients.map((c) => c.clientId),
    "apps",
  ))
    problems.add(p.property, p.reason);
  (input.admins ?? []).forEach((admin, i) => {
    for (const p of userProblems({ ...admin, emailRequired: input.emailRequired ?? true }))
      problems.add(`admins[${i}].${p.property}`, p.reason);
  });
  problems.throwIfAny(`the identity realm ${JSON.stringify(input.realm)}`);
  return clients;
}
