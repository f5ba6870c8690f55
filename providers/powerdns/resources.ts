/**
 * The dynamic resources. The provider objects here are what Pulumi serializes into each resource's
 * state (see ../shared/lazyProvider): every resource in one provider process shares the
 * implementation's module-scope batching (batch.ts).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { lazyProvider } from "../shared/lazyProvider";
import type { RecordType } from "./records";
import type { DnssecKey } from "./zoneProvider";
import type { ZONE_KINDS } from "./validate";

/** The API key comes back from the provider as an output too: keep it encrypted there as well. */
function keyStaysSecret(opts?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "apiKey"] };
}

const zoneProvider = lazyProvider(path.join(__dirname, "zoneProvider"));
const recordSetProvider = lazyProvider(path.join(__dirname, "rrsetProvider"));

/** Where the PowerDNS API is. The key should be a secret; it is made one here in any case. */
export interface PowerDnsConnectionArgs {
  /** Base URL of the PowerDNS web server, e.g. "http://127.0.0.1:8081". */
  apiUrl: pulumi.Input<string>;
  apiKey: pulumi.Input<string>;
  /** Defaults to "localhost". */
  serverId?: pulumi.Input<string>;
}

export interface PowerDnsZoneArgs extends PowerDnsConnectionArgs {
  /** Zone name, e.g. "example.org." (IDN allowed; stored as punycode). Changing it replaces the zone. */
  name: pulumi.Input<string>;
  /** Defaults to "Native". Changing it replaces the zone. */
  kind?: pulumi.Input<(typeof ZONE_KINDS)[number]>;
  /** Apex NS hosts (required unless kind is "Slave"). */
  nameservers?: pulumi.Input<pulumi.Input<string>[]>;
  /** Primary IPs, for "Slave" zones only. */
  masters?: pulumi.Input<pulumi.Input<string>[]>;
  /** SOA-EDIT-API: DEFAULT (the default), INCREASE, EPOCH, SOA-EDIT, SOA-EDIT-INCREASE or OFF. */
  soaEditApi?: pulumi.Input<string>;
  account?: pulumi.Input<string>;
  /** Sign the zone (PowerDNS generates the keys); the public keys appear in `dnssecKeys`. */
  dnssec?: pulumi.Input<boolean>;
  /** Take over a zone that already exists instead of failing. */
  adopt?: pulumi.Input<boolean>;
}

export class PowerDnsZone extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly kind: pulumi.Output<string>;
  declare readonly zoneId: pulumi.Output<string>;
  declare readonly nameservers: pulumi.Output<string[]>;
  declare readonly dnssec: pulumi.Output<boolean>;
  declare readonly dnssecKeys: pulumi.Output<DnssecKey[]>;
  declare readonly apiUrl: pulumi.Output<string>;
  declare readonly serverId: pulumi.Output<string>;

  constructor(name: string, args: PowerDnsZoneArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      zoneProvider,
      name,
      { ...args, apiKey: pulumi.secret(args.apiKey), zoneId: undefined, dnssecKeys: undefined },
      keyStaysSecret(opts),
      "sovereign/powerdns",
      "Zone",
    );
  }
}

export interface PowerDnsRecordSetArgs extends PowerDnsConnectionArgs {
  /** The zone's name, e.g. "example.org.". */
  zone: pulumi.Input<string>;
  /** Fully qualified owner name, e.g. "www.example.org." (IDN allowed). */
  name: pulumi.Input<string>;
  /** One of SUPPORTED_RECORD_TYPES (checked at preview). */
  type: pulumi.Input<RecordType | string>;
  /** Seconds; defaults to 3600. */
  ttl?: pulumi.Input<number>;
  /** Contents in zone-file form; TXT may be given as plain text (quoted and split for you). */
  records: pulumi.Input<pulumi.Input<string>[]>;
  /** Serve none of the records (they stay stored). */
  disabled?: pulumi.Input<boolean>;
  /** Take over an rrset that already exists (its records are replaced) instead of failing. */
  adopt?: pulumi.Input<boolean>;
}

export class PowerDnsRecordSet extends pulumi.dynamic.Resource {
  declare readonly zone: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly type: pulumi.Output<string>;
  declare readonly ttl: pulumi.Output<number>;
  declare readonly records: pulumi.Output<string[]>;
  declare readonly disabled: pulumi.Output<boolean>;

  constructor(name: string, args: PowerDnsRecordSetArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      recordSetProvider,
      name,
      { ...args, apiKey: pulumi.secret(args.apiKey) },
      keyStaysSecret(opts),
      "sovereign/powerdns",
      "RecordSet",
    );
  }
}
