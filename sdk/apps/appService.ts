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
import { appDefinition, type AppId } from "./catalog";
import { planAppState, planNixosFragment, type NixosFragment, type StateDeclaration } from "./deployment";
import { chooseApp, severeThreatWarnings } from "./policy";
import type { AppDefinition, PlainLinuxRecipe } from "./types";

export interface AppServiceArgs {
  /** Catalog id (checked: open-core apps are refused, typos get the nearest id). */
  app: AppId | string;
  /** The host that runs it: its name in the zone (its A/AAAA records are published elsewhere). */
  host: string;
  zone: DnsZone;
  /** Defaults to the catalog's default subdomain. */
  subdomain?: string;
  /** A federating app's identity domain (required for them: use FediService). */
  domain?: string;
  /** How identity secrets are made; default @pulumi/random + @pulumi/tls. */
  secrets?: SecretGenerator;
  /** Publish `<subdomain> CNAME <host>`; the Site publishes its apps' names itself. Default true. */
  publishName?: boolean;
}

export interface PublicKeyOutput {
  readonly keyId?: pulumi.Output<string>;
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
  readonly definition: AppDefinition;
  readonly instance: string;
  /** "matrix.coop.example" (no trailing dot). */
  readonly fqdn: string;
  readonly url: string;
  readonly state: readonly StateDeclaration[];
  readonly nixos?: NixosFragment;
  readonly plainLinux?: PlainLinuxRecipe;
  /** Every generated secret, as the app installs it (secret outputs). */
  readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
  /** Public halves of generated keys, by secret name. */
  readonly publicKeys: Readonly<Record<string, PublicKeyOutput>>;

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
    this.nixos = planNixosFragment(def, { instance: name, fqdn: this.fqdn, domain: args.domain });
    this.plainLinux = def.plainLinux;
    this.registerOutputs({ url: this.url, state: this.state, nixos: this.nixos, secrets: this.secrets });
  }
}
