/**
 * A DNS zone on PowerDNS that other components publish records into: hosts their A/AAAA, apps their
 * CNAMEs, mail its MX/SPF/DKIM/DMARC. Each (name, type) is one record-set resource, so a cut-over
 * (an app moving to another host, a site moving to another datacenter) is one record change.
 */
import * as pulumi from "@pulumi/pulumi";
import { PowerDnsRecordSet, PowerDnsZone } from "../../providers/powerdns/resources";
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
  private readonly recordSets = new Map<string, PowerDnsRecordSet>();

  constructor(name: string, args: DnsZoneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:dns:DnsZone", name, {}, opts);
    const zoneName = normalizeDomainName(args.zone, { what: "zone" });
    if (!zoneName.ok) throw new Error(`DnsZone ${name}: ${zoneName.reason}`);
    this.zoneName = zoneName.value;
    this.baseName = name;
    this.connection = args.connection;
    this.defaultTtl = args.defaultTtl ?? 3600;
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

  /** Publishes one record set (one name and type). `by` names the publisher in conflict messages. */
  record(args: RecordArgs, by = "a record() call", opts?: pulumi.CustomResourceOptions): PowerDnsRecordSet {
    const type = args.type.toUpperCase();
    const fqdn = this.fqdn(args.name);
    const conflict = publishConflict(this.published, fqdn, type);
    if (conflict) throw new Error(`DnsZone ${this.zoneName}: ${conflict} (now asked by ${by})`);
    this.published.set(`${fqdn} ${type}`, by);
    const relative = fqdn === this.zoneName ? "@" : fqdn.slice(0, -this.zoneName.length - 1);
    const rrset = new PowerDnsRecordSet(
      `${this.baseName}-${relative}-${type}`,
      {
        ...this.connection,
        zone: this.zone.name,
        name: fqdn,
        type,
        ttl: args.ttl ?? this.defaultTtl,
        records: args.records,
        disabled: args.disabled,
        adopt: args.adopt,
      },
      { parent: this, ...opts },
    );
    this.recordSets.set(`${fqdn} ${type}`, rrset);
    return rrset;
  }

  /** The record set published for a name and type, if any. */
  recordSet(name: string, type: string): PowerDnsRecordSet | undefined {
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
  ): PowerDnsRecordSet[] {
    const out: PowerDnsRecordSet[] = [];
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
  sshfp(name: string, publicKeys: string[], ttl?: number, by = `host ${name} SSH keys`): PowerDnsRecordSet {
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
  ): PowerDnsRecordSet {
    const qualified = pulumi
      .output(target)
      .apply((t) => (t.endsWith(".") || t.includes(".") ? t : this.fqdn(t)));
    return this.record({ name, type: "CNAME", records: [qualified], ttl }, by);
  }

  /** MX, and optionally SPF, DKIM and DMARC, for a mail domain in this zone. */
  mail(args: MailArgs, by = "mail"): PowerDnsRecordSet[] {
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
