/**
 * FediService: an AppService for a federating app (Matrix, ActivityPub) plus what federation needs:
 * the domain that is its permanent identity, Matrix delegation (SRV records in the zone and/or the
 * /.well-known documents), the WebFinger host, and an ActivityPub instance-actor key. Identity
 * secrets are generated once and kept in the state, so a moved site keeps its federated identity.
 */
import * as pulumi from "@pulumi/pulumi";
import { isInZone } from "../../providers/powerdns/records";
import { AppService, type AppServiceArgs, type PublicKeyOutput } from "./appService";
import { planFederation, type MatrixDelegation, type WellKnownDocument } from "./deployment";
import { pluginSecrets } from "../secrets/pluginSecrets";

/** Inputs of a {@link FediService}: an app service plus the federated domain it speaks for. */
export interface FediServiceArgs extends AppServiceArgs {
  /** Required: the federated identity (Matrix server_name, the domain of acct:user@domain). */
  domain: string;
  /** Matrix only: delegate with SRV records, /.well-known/matrix/server, or both (default both). */
  matrixDelegation?: MatrixDelegation;
}

/**
 * A federating app (Matrix, Mastodon, PeerTube, ...): an `AppService` plus its permanent federated
 * identity (`domain`) and the records and delegation that identity needs.
 *
 * @example
 * ```ts
 * const matrix = new FediService("matrix", {
 *   app: "matrix",
 *   host: "media1",
 *   zone,
 *   domain: "coop.example",
 *   secrets: secrets.builtinSecrets(),
 * });
 * ```
 */
export class FediService extends pulumi.ComponentResource {
  /** The app service this wraps (its URL, state and NixOS fragment). */
  readonly app: AppService;
  /** The federated domain (e.g. the Matrix server name or the ActivityPub handle domain). */
  readonly domain: string;
  /** The app's public URL. */
  readonly url: string;
  /** What the web server of `domain` must serve. */
  readonly wellKnown: readonly WellKnownDocument[];
  /** The host WebFinger lookups are forwarded to, when the handle domain differs from the app's. */
  readonly webfingerHost?: string;
  /** Matrix: the server's verify key, as /_matrix/key/v2/server publishes it. */
  readonly matrixVerifyKey?: PublicKeyOutput;
  /** Its OpenID Connect client, when the site's identity realm gave it one (args.oidc). */
  readonly oidc?: AppService["oidc"];
  /** ActivityPub: the instance actor's RSA key (private part secret). */
  readonly actorKey?: {
    /** The actor's private key in PEM (a secret output). */
    privateKeyPem: pulumi.Output<string>;
    /** The actor's public key in PEM, as published in the actor document. */
    publicKeyPem: pulumi.Output<string>;
  };

  constructor(name: string, args: FediServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:apps:FediService", name, {}, opts);
    if (!args.domain) {
      throw new Error(
        `sovereign:apps:FediService ${name}: domain is required: the federated identity, which can never change (e.g. "coop.example")`,
      );
    }
    this.domain = args.domain.replace(/\.$/, "").toLowerCase();
    this.app = new AppService(name, { ...args, domain: this.domain }, { parent: this });
    if (this.app.definition.federation.length === 0) {
      throw new Error(
        `sovereign:apps:FediService ${name}: ${this.app.definition.title} does not federate; use AppService`,
      );
    }
    this.url = this.app.url;
    this.oidc = this.app.oidc;
    const plan = planFederation(
      this.app.definition,
      { instance: name, fqdn: this.app.fqdn, domain: this.domain },
      args.matrixDelegation,
    );
    for (const record of plan.records) {
      if (!isInZone(record.name, args.zone.zoneName)) {
        throw new Error(
          `sovereign:apps:FediService ${name}: ${record.name} is outside zone ${args.zone.zoneName}; publish it where ${this.domain} is served, or use matrixDelegation "well-known"`,
        );
      }
      args.zone.record(
        { name: record.name, type: record.type, records: [...record.records] },
        `fedi ${name}`,
      );
    }
    this.wellKnown = plan.wellKnown;
    this.webfingerHost = plan.webfingerHost;
    if (this.app.definition.federation.includes("matrix"))
      this.matrixVerifyKey = this.app.publicKeys["signing-key"];
    if (this.app.definition.federation.includes("activitypub")) {
      this.actorKey = (args.secrets ?? pluginSecrets()).rsa(`${name}-actor-key`, 2048, { parent: this });
    }
    this.registerOutputs({ url: this.url, domain: this.domain, wellKnown: this.wellKnown });
  }
}
