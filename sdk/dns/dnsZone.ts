/**
 * A DNS zone on PowerDNS that other components publish records into: hosts their A/AAAA, apps their
 * CNAMEs, mail its MX/SPF/DKIM/DMARC. By default all of them go into ONE record collection resource
 * per zone (the engine's per-resource cost dominates large zones; see the README's "Speed at
 * scale"), whose preview lists each record set changed, so a cut-over (an app moving to another
 * host) is still one record-set change; `records: "rrsets"` keeps one resource per (name, type).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  PowerDnsCollectionRRSet,
  PowerDnsRecordCollection,
  PowerDnsRecordSet,
  PowerDnsZone,
} from "../../providers/powerdns/resources";
import { resourceOwner } from "../../providers/shared/resourceOwner";
import type { DnssecKey } from "../../providers/powerdns/zoneProvider";
import { normalizeDomainName, qualifyName, isInZone } from "../../providers/powerdns/records";
import {
  dkimRecord,
  DkimKey,
  dmarcRecord,
  DmarcPolicy,
  MxHost,
  mxRecords,
  spfRecord,
  SpfPolicy,
} from "./mail";
import { sshfpRecords } from "./sshfp";

/**
 * Where the zone's PowerDNS is. Its API key comes from the stack config (a secret), not from here:
 * `pulumi config set --secret sovereign:powerdnsApiKey <key>`, or the key `apiKeyConfig` names.
 */
export interface DnsConnection {
  /** Base URL of the PowerDNS web server, e.g. "http://127.0.0.1:8081". */
  apiUrl: pulumi.Input<string>;
  /** The PowerDNS server id; default "localhost". */
  serverId?: pulumi.Input<string>;
  /** Stack config key of the API key; default "sovereign:powerdnsApiKey". */
  apiKeyConfig?: pulumi.Input<string>;
}

/** Inputs of a {@link DnsZone}. */
export interface DnsZoneArgs {
  /** Which PowerDNS to use (URL, server id, the config key of the API key). */
  connection: DnsConnection;
  /** The zone, e.g. "example.org." (IDN allowed). */
  zone: string;
  /** The zone's name servers, fully qualified, e.g. ["ns1.coop.example."]; published as NS records. */
  nameservers: string[];
  /** The PowerDNS zone kind; default "Native". */
  kind?: "Native" | "Master" | "Slave";
  /** Sign the zone with DNSSEC; default false. */
  dnssec?: pulumi.Input<boolean>;
  /** PowerDNS SOA-EDIT-API setting (how the SOA serial changes on API edits); default "DEFAULT". */
  soaEditApi?: pulumi.Input<string>;
  /** PowerDNS account the zone is filed under. */
  account?: pulumi.Input<string>;
  /** Take over a zone that already exists. */
  adopt?: boolean;
  /** TTL of records that set none; default 3600. */
  defaultTtl?: number;
  /** The zone is protected from deletion unless this is false (stateful: deleting it drops every record). */
  protect?: boolean;
  /**
   * How published record sets become resources: "collection" (default) = one
   * `PowerDnsRecordCollection` named `<name>-records` holding them all; "rrsets" = one
   * `PowerDnsRecordSet` per name and type, named `<name>-<relative name>-<TYPE>` (the only way
   * before). A stack switching from "rrsets" to "collection" keeps its DNS: the collection takes
   * over the record sets those resources marked, and their deletes then leave them in place.
   */
  records?: "collection" | "rrsets";
}

/** One record set as `record()` hands it to a resource. */
type Published = PowerDnsCollectionRRSet & { name: string; type: string; ttl: pulumi.Input<number> };

/**
 * A record set published into a `DnsZone`: what was published, and the resource that holds it
 * (the zone's record collection, or its own record set with `records: "rrsets"`), e.g. for `dependsOn`.
 */
export interface PublishedRecordSet {
  readonly name: pulumi.Output<string>;
  readonly type: pulumi.Output<string>;
  readonly ttl: pulumi.Output<number>;
  readonly records: pulumi.Output<string[]>;
  readonly resource: PowerDnsRecordSet | PowerDnsRecordCollection;
}

/** A record set to add to a {@link DnsZone}. */
export interface RecordArgs {
  /** Relative to the zone ("www", "@" for the apex) or fully qualified ("www.example.org."). */
  name: string;
  /** The record type, e.g. "A", "CNAME", "TXT". */
  type: string;
  /** The records' contents in PowerDNS's presentation format (names fully qualified, TXT quoted). */
  records: pulumi.Input<pulumi.Input<string>[]>;
  /** TTL in seconds; default the zone's `defaultTtl` (3600 unless set). */
  ttl?: pulumi.Input<number>;
  /** Publish the records disabled; default false. */
  disabled?: pulumi.Input<boolean>;
  /**
   * Take over a record set that exists on the server but is not this stack's; default false (refused,
   * naming the owner).
   */
  adopt?: pulumi.Input<boolean>;
}

/** The mail records of a zone: MX, SPF, DKIM and DMARC. */
export interface MailArgs {
  /** Name the mail is for, relative to the zone; default the apex. */
  domain?: string;
  /** The mail exchangers, by preference. */
  mx: MxHost[];
  /** The SPF policy published as the apex TXT record. */
  spf?: SpfPolicy;
  /** DKIM public keys, one TXT record per selector. */
  dkim?: DkimKey[];
  /** The DMARC policy published at `_dmarc`. */
  dmarc?: DmarcPolicy;
  /** TTL in seconds of the mail records; default the zone's. */
  ttl?: number;
}

/** Pure: the key of a published record set, and whether it may coexist with those already published. */
export function publishConflict(
  published: ReadonlyMap<string, string>,
  name: string,
  type: string,
): string | undefined {
  const key = `${name} ${type}`;
  if (published.has(key))
    return `${key} is already published (by ${published.get(key)}); publish each name and type once and list all its records there`;
  for (const [other, by] of published) {
    const [otherName, otherType] = other.split(" ");
    if (otherName !== name) continue;
    if (type === "CNAME" || otherType === "CNAME") {
      return `${name} cannot have a CNAME and other records (${otherType} published by ${by}); a CNAME must be alone at its name`;
    }
  }
  return undefined;
}

/**
 * A site's DNS zone on PowerDNS, and the one place other components publish records into
 * (`host()`, `alias()`, `mail()`, `sshfp()`): two publishers of one name and type are refused at
 * preview. The API key is the stack secret `sovereign:powerdnsApiKey`.
 *
 * @example
 * ```ts
 * const zone = new DnsZone("coop", {
 *   connection: { apiUrl: "https://ns1.coop.example:8081" },
 *   zone: "coop.example.",
 *   nameservers: ["ns1.coop.example."],
 * });
 * zone.host("web1", { ipv4: ["192.0.2.10"] });
 * zone.alias("cloud", "web1");
 * ```
 */
export class DnsZone extends pulumi.ComponentResource {
  /** The zone name, normalised ("example.org."). */
  readonly zoneName: string;
  /** The zone resource itself. */
  readonly zone: PowerDnsZone;
  /** The zone's DNSSEC keys (DS records to give the parent zone); empty unless `dnssec` is on. */
  readonly dnssecKeys: pulumi.Output<DnssecKey[]>;
  private readonly baseName: string;
  private readonly connection: DnsConnection;
  private readonly defaultTtl: number;
  private readonly published = new Map<string, string>();
  private readonly recordSets = new Map<string, PublishedRecordSet>();
  private readonly mode: "collection" | "rrsets";
  private collection?: {
    resource: PowerDnsRecordCollection;
    rrsets: PowerDnsCollectionRRSet[];
    sealed: boolean;
  };

  constructor(name: string, args: DnsZoneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:dns:DnsZone", name, {}, opts);
    const zoneName = normalizeDomainName(args.zone, { what: "zone" });
    if (!zoneName.ok) throw new Error(`DnsZone ${name}: ${zoneName.reason}`);
    this.zoneName = zoneName.value;
    this.baseName = name;
    this.connection = args.connection;
    this.defaultTtl = args.defaultTtl ?? 3600;
    if (args.records !== undefined && args.records !== "collection" && args.records !== "rrsets")
      throw new Error(
        `DnsZone ${name}: records must be "collection" or "rrsets", got ${JSON.stringify(args.records)}`,
      );
    this.mode = args.records ?? "collection";
    this.zone = new PowerDnsZone(
      name,
      {
        ...this.connection,
        name: this.zoneName,
        kind: args.kind,
        nameservers: args.nameservers,
        dnssec: args.dnssec,
        soaEditApi: args.soaEditApi,
        account: args.account,
        adopt: args.adopt,
      },
      { parent: this, protect: args.protect ?? true },
    );
    this.dnssecKeys = this.zone.dnssecKeys;
    this.registerOutputs({ zoneName: this.zoneName, zoneId: this.zone.zoneId, dnssecKeys: this.dnssecKeys });
  }

  /** "www" -> "www.example.org."; "@" -> the apex; IDN to punycode. Throws for names outside the zone. */
  fqdn(name: string): string {
    const q = qualifyName(name, this.zoneName);
    const n = normalizeDomainName(q, { what: "record name", wildcard: true, underscore: true });
    if (!n.ok) throw new Error(`DnsZone ${this.zoneName}: ${n.reason}`);
    if (!isInZone(n.value, this.zoneName)) {
      throw new Error(
        `DnsZone ${this.zoneName}: "${name}" is outside the zone; use a name below ${this.zoneName}`,
      );
    }
    return n.value;
  }

  /**
   * Publishes one record set (one name and type). `by` names the publisher in conflict messages.
   * Into the zone's record collection (the default), records are published while the program is
   * declared (in components' constructors, not later in an `apply`); `opts` gives the record set a
   * resource of its own.
   */
  record(args: RecordArgs, by = "a record() call", opts?: pulumi.CustomResourceOptions): PublishedRecordSet {
    const type = args.type.toUpperCase();
    const fqdn = this.fqdn(args.name);
    const conflict = publishConflict(this.published, fqdn, type);
    if (conflict) throw new Error(`DnsZone ${this.zoneName}: ${conflict} (now asked by ${by})`);
    const rrset = {
      name: fqdn,
      type,
      ttl: args.ttl ?? this.defaultTtl,
      records: args.records,
      ...(args.disabled !== undefined ? { disabled: args.disabled } : {}),
    };
    const published =
      this.mode === "collection" && opts === undefined && args.adopt === undefined
        ? this.collect(rrset, by)
        : this.ownRecordSet(rrset, args.adopt, opts);
    this.published.set(`${fqdn} ${type}`, by);
    this.recordSets.set(`${fqdn} ${type}`, published);
    return published;
  }

  private ownRecordSet(
    rrset: Published,
    adopt: pulumi.Input<boolean> | undefined,
    opts: pulumi.CustomResourceOptions | undefined,
  ): PublishedRecordSet {
    const relative = rrset.name === this.zoneName ? "@" : rrset.name.slice(0, -this.zoneName.length - 1);
    const resource = new PowerDnsRecordSet(
      `${this.baseName}-${relative}-${rrset.type}`,
      { ...this.connection, zone: this.zone.name, ...rrset, adopt },
      { parent: this, ...opts },
    );
    return {
      name: resource.name,
      type: resource.type,
      ttl: resource.ttl,
      records: resource.records,
      resource,
    };
  }

  /**
   * Adds a record set to the zone's collection, made at the first one. Its list is complete once
   * the program's declarations are done: it is handed to the engine one event-loop turn after the
   * last record published (a later one fails, naming the fix).
   */
  private collect(rrset: Published, by: string): PublishedRecordSet {
    if (this.collection?.sealed)
      throw new Error(
        `DnsZone ${this.zoneName}: ${rrset.name} ${rrset.type} (asked by ${by}) was published after the zone's record collection was handed to the engine; ` +
          `publish records while declaring the program (not inside an apply or after an await), or give the zone records: "rrsets"`,
      );
    if (!this.collection) {
      const rrsets: PowerDnsCollectionRRSet[] = [];
      let timer: NodeJS.Immediate | undefined;
      const list = new Promise<PowerDnsCollectionRRSet[]>((resolve) => {
        const seal = (): void => {
          if (this.collection) this.collection.sealed = true;
          resolve(rrsets);
        };
        this.rearm = () => {
          if (timer) clearImmediate(timer);
          timer = setImmediate(seal);
        };
      });
      const resource = new PowerDnsRecordCollection(
        `${this.baseName}-records`,
        {
          ...this.connection,
          zone: this.zone.name,
          rrsets: list,
          // A stack that had one resource per record set keeps its records (see `records`).
          formerOwnerPrefix: resourceOwner(`${this.baseName}-`),
        },
        { parent: this },
      );
      this.collection = { resource, rrsets, sealed: false };
    }
    this.collection.rrsets.push(rrset);
    this.rearm();
    return {
      name: pulumi.output(rrset.name),
      type: pulumi.output(rrset.type),
      ttl: pulumi.output(rrset.ttl),
      records: pulumi.output(rrset.records),
      resource: this.collection.resource,
    };
  }

  private rearm: () => void = () => undefined;

  /** The record set published for a name and type, if any. */
  recordSet(name: string, type: string): PublishedRecordSet | undefined {
    return this.recordSets.get(`${this.fqdn(name)} ${type.toUpperCase()}`);
  }

  /** A host's addresses: A and/or AAAA at `name`. */
  host(
    name: string,
    addresses: {
      ipv4?: pulumi.Input<pulumi.Input<string>[]>;
      ipv6?: pulumi.Input<pulumi.Input<string>[]>;
      ttl?: number;
    },
    by = `host ${name}`,
  ): PublishedRecordSet[] {
    const out: PublishedRecordSet[] = [];
    if (addresses.ipv4)
      out.push(this.record({ name, type: "A", records: addresses.ipv4, ttl: addresses.ttl }, by));
    if (addresses.ipv6)
      out.push(this.record({ name, type: "AAAA", records: addresses.ipv6, ttl: addresses.ttl }, by));
    if (out.length === 0)
      throw new Error(`DnsZone ${this.zoneName}: host ${name} has neither ipv4 nor ipv6 addresses`);
    return out;
  }

  /**
   * A host's SSH host keys as SSHFP records (SHA-1 and SHA-256 of each key), so clients can check
   * the key through DNS (`VerifyHostKeyDNS`) instead of trusting it on first use.
   */
  sshfp(name: string, publicKeys: string[], ttl?: number, by = `host ${name} SSH keys`): PublishedRecordSet {
    if (publicKeys.length === 0)
      throw new Error(`DnsZone ${this.zoneName}: sshfp(${name}) needs at least one public key`);
    const records = [...new Set(publicKeys.flatMap((k) => sshfpRecords(k)))];
    return this.record({ name, type: "SSHFP", records, ttl }, by);
  }

  /** An app's name pointing at the host that serves it (CNAME): moving the app is this one record. */
  alias(
    name: string,
    target: pulumi.Input<string>,
    ttl?: pulumi.Input<number>,
    by = `alias ${name}`,
  ): PublishedRecordSet {
    const qualified = pulumi
      .output(target)
      .apply((t) => (t.endsWith(".") || t.includes(".") ? t : this.fqdn(t)));
    return this.record({ name, type: "CNAME", records: [qualified], ttl }, by);
  }

  /** MX, and optionally SPF, DKIM and DMARC, for a mail domain in this zone. */
  mail(args: MailArgs, by = "mail"): PublishedRecordSet[] {
    const domain = args.domain ?? "@";
    const base = this.fqdn(domain);
    const below = (label: string): string => (base === this.zoneName ? label : `${label}.${base}`);
    const out = [
      this.record(
        { name: domain, type: "MX", records: mxRecords(args.mx, (h) => this.fqdn(h)), ttl: args.ttl },
        by,
      ),
    ];
    if (args.spf)
      out.push(this.record({ name: domain, type: "TXT", records: [spfRecord(args.spf)], ttl: args.ttl }, by));
    for (const key of args.dkim ?? []) {
      const dkim = dkimRecord(key);
      out.push(
        this.record({ name: below(dkim.name), type: "TXT", records: [dkim.content], ttl: args.ttl }, by),
      );
    }
    if (args.dmarc) {
      out.push(
        this.record(
          { name: below("_dmarc"), type: "TXT", records: [dmarcRecord(args.dmarc)], ttl: args.ttl },
          by,
        ),
      );
    }
    return out;
  }
}
