/**
 * Pure planning for a site's identity realm: one OIDC client per app that signs in through it,
 * redirect URIs from the app's URL and its redirect paths, and every problem (bad realm name,
 * non-https redirect, a client id used twice, an admin without an email where the realm requires
 * one) reported at once with the field and the fix, before any resource is declared.
 */
import { ConfigProblems } from "../config/problems";
import {
  duplicateClientIdProblems,
  realmNameProblems,
  redirectUriProblems,
  userProblems,
} from "../../providers/keycloak/validate";

/** An app that signs its users in with OpenID Connect. */
export interface OidcAppSpec {
  /** The app's key in the site (e.g. "forgejo"); also the default client id. */
  app: string;
  /** The client id in the realm (default: `app`). */
  clientId?: string;
  /** The app's public base URL, e.g. https://git.example.org */
  url: string;
  /** Paths under `url` that Keycloak may redirect back to, e.g. ["/user/oauth2/keycloak/callback"]. */
  redirectPaths: readonly string[];
  /** SPAs and native apps: no client secret. */
  publicClient?: boolean;
  /** The app calls APIs as itself (client-credentials grant). */
  serviceAccount?: boolean;
}

export interface RealmAdminSpec {
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
}

export interface IdentityPlanInput {
  realm: string;
  /** Users must have an email (default true: password resets and notifications need one). */
  emailRequired?: boolean;
  apps: readonly OidcAppSpec[];
  admins?: readonly RealmAdminSpec[];
}

export interface PlannedClient {
  app: string;
  clientId: string;
  redirectUris: string[];
  webOrigins: string[];
  rootUrl: string;
  publicClient: boolean;
  serviceAccounts: boolean;
}

/** The redirect URIs of an app: each path resolved against its URL. */
export function redirectUrisOf(app: OidcAppSpec): string[] {
  return app.redirectPaths.map((p) => new URL(p, app.url.endsWith("/") ? app.url : `${app.url}/`).toString());
}

export function planIdentity(input: IdentityPlanInput): PlannedClient[] {
  const problems = new ConfigProblems();
  for (const p of realmNameProblems(input.realm, "realm")) problems.add(p.property, p.reason);
  const clients: PlannedClient[] = [];
  input.apps.forEach((app, i) => {
    const field = `apps[${i}]`;
    let origin: string | undefined;
    try {
      origin = new URL(app.url).origin;
    } catch {
      problems.add(
        `${field}.url`,
        `${JSON.stringify(app.url)} is not an absolute URL: e.g. "https://${app.app}.example.org"`,
      );
      return;
    }
    if (app.redirectPaths.length === 0) {
      problems.add(
        `${field}.redirectPaths`,
        `app ${JSON.stringify(app.app)} has no redirect path: add the path of its OIDC callback (e.g. "/oauth2/callback")`,
      );
    }
    const redirectUris = redirectUrisOf(app);
    for (const p of redirectUriProblems(redirectUris, `${field}.url`))
      problems.add(p.property, `${p.reason} (the app's url)`);
    clients.push({
      app: app.app,
      clientId: app.clientId ?? app.app,
      redirectUris,
      webOrigins: [origin],
      rootUrl: app.url,
      publicClient: app.publicClient ?? false,
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
