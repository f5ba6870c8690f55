/**
 * The dynamic resources. The provider objects here are what Pulumi serializes into each resource's
 * state: they capture only the path of their implementation module and load it when called, so the
 * serialized text stays tiny, holds no credentials, and every resource in one provider process
 * shares the implementation's module-scope batching (batch.ts).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { RecordType } from "./records";
import type { DnssecKey } from "./zoneProvider";
import type { ZONE_KINDS } from "./validate";

type Impl = Required<pulumi.dynamic.ResourceProvider>;

function lazyProvider(modulePath: string): pulumi.dynamic.ResourceProvider {
  const load = (): Impl => {
    // Resolved at call time inside the provider process. If the compiled tree moved since this state
    // was written, look for it under the program's directory (the provider's cwd).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs") as typeof import("fs");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const p = require("path") as typeof import("path");
    let target = modulePath;
    if (!fs.existsSync(target + ".js")) {
      const tail = p.join("bin", "providers", "powerdns", p.basename(modulePath) + ".js");
      for (let dir = process.cwd(); ; dir = p.dirname(dir)) {
        if (fs.existsSync(p.join(dir, tail))) {
          target = p.join(dir, tail).slice(0, -3);
          break;
        }
        if (p.dirname(dir) === dir) break;
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(target) as Impl;
  };
  return {
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props),
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
}

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
