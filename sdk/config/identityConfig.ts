/**
 * The `identity` section of a site's config: the site's Keycloak realm, whose OIDC clients are the
 * catalog apps that sign in with OpenID Connect. Each such app's client secret is delivered to its
 * host encrypted to the host's SSH key (HostSecret), so that host's key must be known.
 *
 *   identity:
 *     realm: coop-example          # default: the site's name
 *     displayName: Coop Example
 *     emailRequired: true          # default true
 *     admins:
 *       - { username: alice, email: alice@coop.example }
 *     serviceAccounts: [git]       # apps whose client may use the client-credentials grant
 *
 * Each client secret lands at /run/secrets/sovereign/<app>/oidc-client-secret, mode 0400, owned by
 * the app's system user (the catalog entry's `systemUser`): decrypted there over SSH on plain-Linux
 * hosts, declared as `age.secrets.<name>` in a NixOS host's rendered configuration.
 *
 * Keycloak's URL and admin credentials are stack config (sovereign:keycloakUrl,
 * sovereign:keycloakAdminUser, sovereign:keycloakAdminPassword), read by the provider.
 */
import { OIDC_CLIENT_SECRET } from "../apps/appService";
import { appDefinition } from "../apps/catalog";
import { secretPath } from "../apps/deployment";
import { realmNameProblems, userProblems } from "../../providers/keycloak/validate";
import { DEFAULT_MODE, type HostOs, type HostSecretSpec, type SecretHost } from "../secrets/hostSecretPlan";
import { keyMaterial } from "../hosts/ssh";
import type { ConfigProblems } from "./problems";
import type { AppConfig, HostConfig } from "./siteConfig";

/** An administrator of the site's identity realm (`site.identity.admins[]`). */
export interface IdentityAdminConfig {
  /** The admin's user name in the realm. */
  readonly username: string;
  /** The admin's e-mail address (required when the realm requires e-mail). */
  readonly email?: string;
  /** The admin's first name. */
  readonly firstName?: string;
  /** The admin's last name. */
  readonly lastName?: string;
}

/** The `identity` section of a site config: the Keycloak realm apps sign in with. */
export interface IdentityConfig {
  /** The realm's name (lowercase letters, digits and "-"). */
  readonly realm: string;
  /** The realm's display name on the login page; default the site name. */
  readonly displayName?: string;
  /** Whether users must have an e-mail address. */
  readonly emailRequired: boolean;
  /** The realm's administrators. */
  readonly admins: readonly IdentityAdminConfig[];
  /** App instances whose client may use the client-credentials grant. */
  readonly serviceAccounts: readonly string[];
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** The typed section (its shape is checked by schema.ts first), or undefined when absent or disabled. */
export function parseIdentity(p: ConfigProblems, raw: unknown, siteName: string): IdentityConfig | undefined {
  if (!isObject(raw) || raw.enabled === false) return undefined;
  const realm = typeof raw.realm === "string" ? raw.realm : siteName;
  for (const problem of realmNameProblems(realm, "realm"))
    p.add(
      "site.identity.realm",
      problem.reason + (raw.realm === undefined ? " (default: the site's name)" : ""),
    );
  const emailRequired = raw.emailRequired !== false;
  const admins = (Array.isArray(raw.admins) ? raw.admins : []).filter(
    isObject,
  ) as unknown as IdentityAdminConfig[];
  admins.forEach((admin, i) => {
    for (const problem of userProblems({ ...admin, emailRequired }))
      p.add(`site.identity.admins[${i}].${problem.property}`, problem.reason);
  });
  const serviceAccounts = Array.isArray(raw.serviceAccounts)
    ? raw.serviceAccounts.filter((s): s is string => typeof s === "string")
    : [];
  return {
    realm,
    ...(typeof raw.displayName === "string" ? { displayName: raw.displayName } : {}),
    emailRequired,
    admins,
    serviceAccounts,
  };
}

/** identity.serviceAccounts must name apps of the site that have a confidential OIDC client. */
export function serviceAccountProblems(
  identity: IdentityConfig,
  apps: readonly AppConfig[],
  add: (field: string, message: string) => void,
): void {
  const clients = apps.filter((a) => {
    const oidc = appDefinition(a.app).oidc;
    return oidc !== undefined && !oidc.publicClient;
  });
  identity.serviceAccounts.forEach((name, i) => {
    if (!clients.some((a) => a.name === name))
      add(
        `site.identity.serviceAccounts[${i}]`,
        `${JSON.stringify(name)} is not an app of this site with a confidential OIDC client: use one of ${clients.map((a) => a.name).join(", ") || "(none)"}`,
      );
  });
}

/** An OIDC app's client secret and the host it goes to. */
export interface OidcSecretDelivery {
  /** The app instance. */
  readonly app: string;
  /** The host (by name) the OIDC client secret file is written to. */
  readonly host: string;
  /** How the host is reached and what its secret is encrypted to (no private key path). */
  readonly target: SecretHost;
  /** The file on the host: its name, path, owner (the catalog's systemUser) and mode. */
  readonly secret: Omit<HostSecretSpec, "host">;
}

/** The delivery as HostSecret's spec (without the value). */
export function hostSecretSpecOf(delivery: OidcSecretDelivery): HostSecretSpec {
  return { ...delivery.secret, host: delivery.target };
}

/**
 * Where each OIDC app's client secret is delivered: the app's host, reached over SSH as its
 * `existing` placement says, encrypted to the host key given there. Hosts without a known key
 * (no placement, another kind, or no `ssh.hostKey`) are reported, naming the field and the fix.
 */
export function planOidcSecretDeliveries(
  hosts: readonly HostConfig[],
  apps: readonly AppConfig[],
  add?: (field: string, message: string) => void,
): OidcSecretDelivery[] {
  const deliveries: OidcSecretDelivery[] = [];
  for (const app of apps) {
    const def = appDefinition(app.app);
    const oidc = def.oidc;
    if (!oidc || oidc.publicClient) continue;
    const i = hosts.findIndex((h) => h.name === app.host);
    if (i < 0) continue; // reported by the apps check
    const host = hosts[i];
    const placement = host.placement;
    const hostKey = placement?.kind === "existing" ? placement.ssh?.hostKey : undefined;
    if (placement?.kind !== "existing" || !hostKey) {
      add?.(
        placement?.kind === "existing"
          ? `site.hosts[${i}].placement.ssh.hostKey`
          : `site.hosts[${i}].placement`,
        `app "${app.name}" signs in through site.identity, and its OIDC client secret is delivered to host "${host.name}" ` +
          `encrypted to that host's SSH host key, which is not known: give the host placement { kind: existing, ssh: { host, hostKey: "ssh-ed25519 AAAA..." } } ` +
          `(the key from \`ssh-keyscan -t ed25519 HOST\`, checked out of band)`,
      );
      continue;
    }
    deliveries.push({
      app: app.name,
      host: host.name,
      target: {
        address: placement.ssh.host,
        ...(placement.ssh.port !== undefined ? { port: placement.ssh.port } : {}),
        ...(placement.ssh.user !== undefined ? { user: placement.ssh.user } : {}),
        hostPublicKey: keyMaterial(hostKey),
        os: placement.os as HostOs,
        ...(placement.hostKeyPath !== undefined ? { hostKeyPath: placement.hostKeyPath } : {}),
      },
      secret: {
        name: `${app.name}-${OIDC_CLIENT_SECRET}`,
        path: secretPath(app.name, OIDC_CLIENT_SECRET),
        // The catalog walk (entryProblems) requires a systemUser of every confidential OIDC app.
        ...(def.systemUser ? { owner: def.systemUser.user, group: def.systemUser.group } : {}),
        mode: DEFAULT_MODE,
        minLength: 16,
      },
    });
  }
  return deliveries;
}
