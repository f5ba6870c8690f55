/** Identity: the site's Keycloak realm with an OIDC client per app (see identityRealm.ts). */
export * from "./identityPlan";
export { IdentityRealm, type IdentityRealmArgs, type OidcClientCredentials } from "./identityRealm";
