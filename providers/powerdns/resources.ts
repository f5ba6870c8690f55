/**
 * The dynamic resources. The provider objects here are what Pulumi serializes into each resource's
 * state: they capture only the package specifier of their implementation and load it when called
 * (../shared/moduleLocation.ts), so the serialized text is tiny, holds no credentials and no machine
 * path, and every resource in one provider process shares the implementation's module-scope
 * batching (batch.ts). The API key comes from the stack config (../shared/credentials.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier } from "../shared/moduleLocation";
import { resourceOwner } from "../shared/resourceOwner";
import type { RecordType } from "./records";
import { packRRSets } from "./collectionPacking";
import type { DnssecKey } from "./zoneProvider";
import type { ZONE_KINDS } from "./validate";

const zoneProvider = providerAt(providerSpecifier("powerdns/zoneProvider"));
const recordSetProvider = providerAt(providerSpecifier("powerdns/rrsetProvider"));
const collectionProvider = providerAt(providerSpecifier("powerdns/collectionProvider"));

/**
 * Where the PowerDNS API is. Its key is NOT an input: it is read from the stack config (a secret),
 * `pulumi config set --secret sovereign:powerdnsApiKey <key>`, or the key named by `apiKeyConfig`.
 * Another spelling of the same server (127.0.0.1 vs localhost) is an update, never a replacement.
 */
export interface PowerDnsConnectionArgs {
  /** Base URL of the PowerDNS web server, e.g. "http://127.0.0.1:8081". */
  apiUrl: pulumi.Input<string>;
  /** Defaults to "localhost". */
  serverId?: pulumi.Input<string>;
  /** The stack config key holding the API key; defaults to "sovereign:powerdnsApiKey". */
  apiKeyConfig?: pulumi.Input<string>;
  /**
   * Owner id written into the object's marker; defaults to "<project>/<stack>/<resource name>".
   * Set it only to keep ownership across a project or stack rename.
   */
  owner?: pulumi.Input<string>;
}

export interface PowerDnsZoneArgs extends PowerDnsConnectionArgs {
  /** Zone name, e.g. "example.org." (IDN allowed; stored as punycode). Changing it replaces the zone. */
  name: pulumi.Input<string>;
  /** Defaults to "Native" for a new zone. Changing it updates the zone in place. */
  kind?: pulumi.Input<(typeof ZONE_KINDS)[number]>;
  /** Apex NS hosts (required for a new zone unless kind is "Slave"; an adopted zone keeps its own if not given). */
  nameservers?: pulumi.Input<pulumi.Input<string>[]>;
  /** Primary IPs, optionally with a port ("192.0.2.53:5300", "[2001:db8::53]:5300"), for "Slave" zones only. */
  masters?: pulumi.Input<pulumi.Input<string>[]>;
  /** SOA-EDIT-API: DEFAULT (the default), INCREASE, EPOCH, SOA-EDIT, SOA-EDIT-INCREASE or OFF. */
  soaEditApi?: pulumi.Input<string>;
  account?: pulumi.Input<string>;
  /** Sign the zone (PowerDNS generates the keys); the public keys appear in `dnssecKeys`. */
  dnssec?: pulumi.Input<boolean>;
  /**
   * Take over a zone that already exists (owned by no one or by another stack) instead of failing.
   * Settings not given here keep the server's values (DNSSEC stays on, the apex NS stay).
   */
  adopt?: pulumi.Input<boolean>;
  /** Let a delete remove the zone although it was adopted or holds record sets this stack does not own. */
  forceDelete?: pulumi.Input<boolean>;
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
  declare readonly owner: pulumi.Output<string>;
  /** True when the zone was taken over with `adopt` rather than created by this stack. */
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: PowerDnsZoneArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      zoneProvider,
      name,
      {
        ...args,
        // Every output the class declares must be a key here (the engine fills in the server's values).
        kind: args.kind,
        nameservers: args.nameservers,
        dnssec: args.dnssec,
        owner: args.owner ?? resourceOwner(name),
        zoneId: undefined,
        dnssecKeys: undefined,
        adopted: undefined,
      },
      opts,
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
  /**
   * Any type PowerDNS serves: A, AAAA, CNAME, MX, TXT, SPF, SRV, CAA, TLSA, SMIMEA, SSHFP, DS, PTR,
   * NS, DNAME and ALIAS are validated at preview; others (HINFO, LOC, NAPTR, HTTPS, SVCB,
   * OPENPGPKEY, SOA at the apex, ...) go to the server as given, which names what it refuses.
   */
  type: pulumi.Input<RecordType>;
  /** Seconds; defaults to 3600. */
  ttl?: pulumi.Input<number>;
  /** Contents in zone-file form; TXT may be given as plain text (quoted and split for you). */
  records: pulumi.Input<pulumi.Input<string>[]>;
  /** Serve none of the records (they stay stored). */
  disabled?: pulumi.Input<boolean>;
  /** Take over an rrset that exists (owned by no one or by another stack; its records are replaced) instead of failing. */
  adopt?: pulumi.Input<boolean>;
}

export class PowerDnsRecordSet extends pulumi.dynamic.Resource {
  declare readonly zone: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly type: pulumi.Output<string>;
  declare readonly ttl: pulumi.Output<number>;
  declare readonly records: pulumi.Output<string[]>;
  declare readonly disabled: pulumi.Output<boolean>;
  declare readonly owner: pulumi.Output<string>;

  constructor(name: string, args: PowerDnsRecordSetArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      recordSetProvider,
      name,
      { ...args, owner: args.owner ?? resourceOwner(name), served: undefined },
      opts,
      "sovereign/powerdns",
      "RecordSet",
    );
  }
}

/** One record set of a `PowerDnsRecordCollection`. */
export interface PowerDnsCollectionRRSet {
  /** Fully qualified owner name inside the zone, e.g. "www.example.org." (IDN allowed). */
  name: pulumi.Input<string>;
  /** Any type PowerDNS serves (see `PowerDnsRecordSetArgs.type`). */
  type: pulumi.Input<RecordType>;
  /** Seconds; defaults to 3600. */
  ttl?: pulumi.Input<number>;
  /** Contents in zone-file form; TXT may be given as plain text. */
  records: pulumi.Input<pulumi.Input<string>[]>;
  disabled?: pulumi.Input<boolean>;
}

export interface PowerDnsRecordCollectionArgs extends PowerDnsConnectionArgs {
  /** The zone's name, e.g. "example.org.". Changing it replaces the collection. */
  zone: pulumi.Input<string>;
  /** Every record set this stack keeps in the zone; each name and type once. */
  rrsets: pulumi.Input<pulumi.Input<PowerDnsCollectionRRSet>[]>;
  /** Take over record sets that exist (owned by no one or by another stack) instead of failing. */
  adopt?: pulumi.Input<boolean>;
  /**
   * `<project>/<stack>/<zone resource>-`: record sets marked by this stack's former DnsZone
   * per-record-set resources (`<prefix><relative name>-<TYPE>`) are taken over without `adopt`.
   * DnsZone sets it; see `DnsZoneArgs.records`.
   */
  formerOwnerPrefix?: pulumi.Input<string>;
}

/** The list as the program hands it to the engine (see collectionPacking.ts); an output is left as it is. */
function packedRRSets(
  rrsets: PowerDnsRecordCollectionArgs["rrsets"],
): pulumi.Input<string | pulumi.Input<PowerDnsCollectionRRSet | string>[]> {
  if (Array.isArray(rrsets)) return packRRSets(rrsets);
  if (rrsets instanceof Promise) return rrsets.then((list) => packRRSets(list));
  return rrsets;
}

/**
 * All record sets one stack keeps in one zone, as ONE resource: for large zones the engine's
 * per-resource cost, not the API, is what an `up` of one resource per record set spends its time
 * on (see the README's "Speed at scale"). Each record set still carries the owner marker and
 * follows the ownership rules on its own; the preview lists each record set added, changed or
 * removed under `rrsets`.
 */
export class PowerDnsRecordCollection extends pulumi.dynamic.Resource {
  declare readonly zone: pulumi.Output<string>;
  /**
   * Keyed "<name> <type>"; each value is one string, `<ttl>[ disabled] <records as JSON>`, e.g.
   * `3600 ["192.0.2.1"]` (cheap for the engine to carry; `decodeRRSet` in ./collection reads it).
   */
  declare readonly rrsets: pulumi.Output<Record<string, string>>;
  declare readonly owner: pulumi.Output<string>;

  constructor(name: string, args: PowerDnsRecordCollectionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      collectionProvider,
      name,
      { ...args, rrsets: packedRRSets(args.rrsets), owner: args.owner ?? resourceOwner(name) },
      opts,
      "sovereign/powerdns",
      "RecordCollection",
    );
  }
}
