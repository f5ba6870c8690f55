/**
 * AppService: one catalog app placed on a host under a name in the site's zone. It checks the
 * licence policy, warns about severe threats, publishes the app's name (a CNAME to its host),
 * generates the app's identity secrets once, and exposes the state declarations and the NixOS
 * fragment that replication, migration and the host read. Decisions live in policy.ts and deployment.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DnsZone } from "../dns/dnsZone";
import { synapseSigningKeyFile, type SecretGenerator } from "../secrets/generator";
import { pluginSecrets } from "../secrets/pluginSecrets";
import type { PostgresConnectionArgs } from "../../providers/postgresql";
import type { GarageBucket, GarageConnection } from "../storage/garageBucket";
import { declareAppResources, type AppDatabase, type AppSmtp, type AppSmtpArgs } from "./appResources";
import { appDefinition, type AppId } from "./catalog";
import { planAppResources } from "./resourcePlan";
import {
  planAppState,
  planNixosFragment,
  secretPath,
  type NixosFragment,
  type StateDeclaration,
} from "./deployment";
import { chooseApp, severeThreatWarnings } from "./policy";
import type { AppDefinition, PlainLinuxRecipe } from "./types";
import type { OidcClientCredentials } from "../identity/identityRealm";

/** The file name of an app's OIDC client secret among its secret files. */
export const OIDC_CLIENT_SECRET = "oidc-client-secret";

/** Inputs of an {@link AppService}: the catalog entry to run, where, and the site services it uses. */
export interface AppServiceArgs {
  /** Catalog id (checked: open-core apps are refused, typos get the nearest id). */
  app: AppId | string;
  /** The host that runs it: its name in the zone (its A/AAAA records are published elsewhere). */
  host: string;
  /** The site's zone: the app's name (`<subdomain>.<domain>`) is published in it. */
  zone: DnsZone;
  /** Defaults to the catalog's default subdomain. */
  subdomain?: string;
  /** A federating app's identity domain (required for them: use FediService). */
  domain?: string;
  /** How identity secrets are made; default @pulumi/random + @pulumi/tls. */
  secrets?: SecretGenerator;
  /** Publish `<subdomain> CNAME <host>`; the Site publishes its apps' names itself. Default true. */
  publishName?: boolean;
  /** Its OpenID Connect client in the site's realm (IdentityRealm.clientFor), for apps that sign in with it. */
  oidc?: OidcClientCredentials;
  /** The site's PostgreSQL: the app's roles and databases are made there (admin password: stack config). */
  postgres?: PostgresConnectionArgs;
  /** The site's Garage: the app's buckets are made there, each with its own key. */
  garage?: GarageConnection;
  /** The site's mail submission: the app gets a sender account (list `smtp.mailbox` in the MailDomain). */
  smtp?: AppSmtpArgs;
  /** Databases and buckets are protected unless false. */
  protect?: boolean;
}

/** A public key an app publishes (e.g. a federation signing key), with the id peers look it up by. */
export interface PublicKeyOutput {
  /** The key's id as peers refer to it (e.g. "ed25519:a_1"), when the app has one. */
  readonly keyId?: pulumi.Output<string>;
  /** The public key, encoded as the app publishes it (PEM or base64). */
  readonly publicKey: pulumi.Output<string>;
}

/**
 * One app of the catalog on one host: its public name in the zone, the state it keeps (databases,
 * directories, buckets) with the replication strategy of each, its NixOS fragment and its secrets.
 *
 * @example
 * ```ts
 * const cloud = new AppService("nextcloud", {
 *   app: "nextcloud",
 *   host: "web1",
 *   zone,
 *   secrets: secrets.builtinSecrets(),
 * });
 * export const url = cloud.url;
 * ```
 */
export class AppService extends pulumi.ComponentResource {
  /** The app's catalog entry (licence, ports, state, secrets, ...). */
  readonly definition: AppDefinition;
  /** The instance name: the app id, or a name given to run the same app twice on a site. */
  readonly instance: string;
  /** "matrix.coop.example" (no trailing dot). */
  readonly fqdn: string;
  /** The app's public URL, `https://<subdomain>.<domain>/`. */
  readonly url: string;
  /** The instance's state (databases, directories, buckets), as replication and migration read it. */
  readonly state: readonly StateDeclaration[];
  /** The NixOS fragment the instance's host includes, when the app has a NixOS module. */
  readonly nixos?: NixosFragment;
  /** The plain-Linux install recipe, for apps NixOS has no module for. */
  readonly plainLinux?: PlainLinuxRecipe;
  /** Every generated secret, as the app installs it (secret outputs). */
  readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
  /** Public halves of generated keys, by secret name. */
  readonly publicKeys: Readonly<Record<string, PublicKeyOutput>>;
  /** Issuer, client id and (secret) client secret the app signs its users in with, when given. */
  readonly oidc?: OidcClientCredentials;
  /** Its databases on the site's PostgreSQL, by database name (when `postgres` was given). */
  readonly databases: Readonly<Record<string, AppDatabase>>;
  /** Its buckets on the site's Garage, by bucket name (when `garage` was given). */
  readonly buckets: Readonly<Record<string, GarageBucket>>;
  /** Its SMTP sender credentials (when `smtp` was given and the app sends mail). */
  readonly smtp?: AppSmtp;

  constructor(
    name: string,
    args: AppServiceArgs,
    opts?: pulumi.ComponentResourceOptions,
    type = "sovereign:apps:AppService",
  ) {
    super(type, name, {}, opts);
    const choice = chooseApp(args.app);
    if (!choice.ok) throw new Error(`${type} ${name}: app: ${choice.message}`);
    const def = appDefinition(choice.id);
    if (def.federation.length > 0 && !args.domain) {
      throw new Error(
        `${type} ${name}: domain: ${def.title} federates (${def.federation.join(", ")}); give it a domain (its permanent federated identity), e.g. with FediService`,
      );
    }
    for (const warning of severeThreatWarnings([{ name, app: choice.id }])) pulumi.log.warn(warning, this);

    this.definition = def;
    this.instance = name;
    const subdomain = args.subdomain ?? def.defaultSubdomain;
    this.fqdn = args.zone.fqdn(subdomain).replace(/\.$/, "");
    this.url = `https://${this.fqdn}/`;
    if (args.publishName !== false)
      args.zone.alias(subdomain, args.zone.fqdn(args.host), undefined, `app ${name}`);

    const generator = args.secrets ?? pluginSecrets();
    const secrets: Record<string, pulumi.Output<string>> = {};
    const publicKeys: Record<string, PublicKeyOutput> = {};
    for (const secret of def.secrets) {
      const resourceName = `${name}-${secret.name}`;
      const child = { parent: this };
      if (secret.kind === "random") secrets[secret.name] = generator.random(resourceName, child);
      else if (secret.kind === "ed25519") {
        const key = generator.ed25519(resourceName, child);
        secrets[secret.name] = synapseSigningKeyFile(key);
        publicKeys[secret.name] = { keyId: key.keyId, publicKey: key.publicKey };
      } else {
        const key = generator.rsa(resourceName, 2048, child);
        secrets[secret.name] = key.privateKeyPem;
        publicKeys[secret.name] = { publicKey: key.publicKeyPem };
      }
    }
    this.secrets = secrets;
    this.publicKeys = publicKeys;

    this.state = planAppState(def, name, args.host);
    const fragment = planNixosFragment(def, { instance: name, fqdn: this.fqdn, domain: args.domain });
    // The client secret is a file on the host (delivered by HostSecret), never a configuration value.
    this.nixos =
      fragment && args.oidc
        ? {
            ...fragment,
            secretFiles: {
              ...fragment.secretFiles,
              [OIDC_CLIENT_SECRET]: secretPath(name, OIDC_CLIENT_SECRET),
            },
          }
        : fragment;
    this.oidc = args.oidc;
    this.plainLinux = def.plainLinux;
    const resources = declareAppResources(
      name,
      planAppResources(def, name, this.state, args.smtp?.domain),
      {
        postgres: args.postgres,
        garage: args.garage,
        smtp: args.smtp,
        secrets: generator,
        protect: args.protect ?? true,
      },
      this,
    );
    this.databases = resources.databases;
    this.buckets = resources.buckets;
    this.smtp = resources.smtp;
    this.registerOutputs({
      url: this.url,
      state: this.state,
      nixos: this.nixos,
      secrets: this.secrets,
      ...(args.oidc ? { oidcClientId: args.oidc.clientId, oidcIssuer: args.oidc.issuerUrl } : {}),
    });
  }
}
