/**
 * `MailDomain`: one mail domain of a site. Checks everything at preview (one error listing every
 * problem with its field), generates the DKIM keys once (kept in the state as secrets), and publishes
 * the domain's records through `DnsZone`: MX, SPF, DKIM, DMARC (+ report authorisations in other
 * managed zones), MTA-STS, TLS-RPT, autoconfig/autodiscover and the submission/IMAPS SRV records.
 * Its outputs are what the mail server is configured from: mailboxes, delivery table, DKIM keys.
 */
import * as pulumi from "@pulumi/pulumi";
import { dkimRecord, MxHost, SpfPolicy } from "../dns/mail";
import type { DnsZone } from "../dns/dnsZone";
import type { SecretGenerator } from "../secrets/generator";
import { mailDomainName } from "./addresses";
import { DkimArgs, dkimState } from "./dkimRotation";
import { MailboxesArgs, MailboxesPlan, planMailboxes } from "./mailboxes";
import type { MtaStsArgs } from "./mtaSts";
import { mailProblemsError, MailProblem } from "./problems";
import { MailDmarcArgs, planMailRecords } from "./records";

/** Inputs of a {@link MailDomain}: the domain's mailboxes, aliases, DKIM keys and published policies. */
export interface MailDomainArgs extends MailboxesArgs {
  /** The zone the domain's records go in. */
  zone: DnsZone;
  /** The mail domain; default the zone's apex. */
  domain?: string;
  /** The host serving SMTP, submission and IMAPS, relative to the zone ("mail") or fully qualified. */
  mailHost: string;
  /** Default: the mail host at priority 10. */
  mx?: MxHost[];
  /** Default: the MX hosts may send, everything else fails ("v=spf1 mx -all"). */
  spf?: SpfPolicy;
  /** The DMARC policy published at `_dmarc`; default p=none with reports to postmaster. */
  dmarc?: MailDmarcArgs;
  /** Publish a TLS-RPT record (`_smtp._tls`) asking for TLS failure reports. */
  tlsRpt?: {
    /** Where the reports go (mailto: or https: URIs). */
    rua: string[];
  };
  /** Publish an MTA-STS policy (its record and the policy document). */
  mtaSts?: MtaStsArgs;
  /** The domain's DKIM selectors and keys. */
  dkim: DkimArgs;
  /** Other zones of the site, where report authorisations for this domain may be published. */
  reportZones?: DnsZone[];
  /** Makes the DKIM keys: `pluginSecrets()` (@pulumi/tls) by default, `builtinSecrets()` on the local site. */
  secrets: SecretGenerator;
  /** TTL in seconds of the domain's mail records; default the zone's. */
  ttl?: number;
  /** Time the retireAt of DKIM selectors is compared with; default now. */
  now?: Date;
  /** The DKIM keys are protected from deletion unless this is false. */
  protect?: boolean;
}

/**
 * A mail domain in a zone: MX, SPF, DKIM (keys made and rotated without a gap), DMARC, MTA-STS,
 * TLS-RPT and the client autoconfiguration records, plus the mailboxes and aliases the mail
 * server is configured from. Every problem is reported at preview, each with its field and fix.
 *
 * @example
 * ```ts
 * new MailDomain("coop-mail", {
 *   zone,
 *   mailHost: "mail",
 *   mailboxes: [{ address: "info@coop.example", quota: "2G" }],
 *   dkim: { selectors: [{ selector: "s2026a" }], signWith: "s2026a" },
 *   dmarc: { policy: "quarantine", rua: ["dmarc@coop.example"] },
 *   secrets: secrets.builtinSecrets(),
 * });
 * ```
 */
export class MailDomain extends pulumi.ComponentResource {
  /** "example.org". */
  readonly domain: string;
  /** The domain's mailboxes and aliases, validated. */
  readonly mailboxes: MailboxesPlan;
  /** The MTA-STS policy file, to serve at `mtaStsUrl`. */
  readonly mtaStsPolicy?: string;
  /** The URL the MTA-STS policy is served at, when MTA-STS is on. */
  readonly mtaStsUrl?: string;
  /** The selector outgoing mail is signed with, and its private key (PKCS#8 PEM, secret). */
  readonly signingSelector: string;
  /** The private key of the signing DKIM selector, in PEM (a secret output). */
  readonly signingKeyPem: pulumi.Output<string>;
  /** Every selector's public key (SPKI PEM), published or not. */
  readonly dkimPublicKeys: Record<string, pulumi.Output<string>>;
  /** The DKIM selectors whose keys are published in DNS. */
  readonly publishedSelectors: string[];

  constructor(name: string, args: MailDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:mail:MailDomain", name, {}, opts);
    const zone = args.zone;
    const problems: MailProblem[] = [];
    const apex = zone.zoneName.replace(/\.$/, "");
    const d = mailDomainName(args.domain ?? apex);
    if (!d.ok) throw mailProblemsError(`MailDomain ${name}`, [{ field: "domain", message: d.reason }]);
    this.domain = d.value;

    const inZone = (field: string, host: string): string => {
      try {
        return zone.fqdn(host);
      } catch (e) {
        problems.push({ field, message: (e as Error).message });
        return `${host}.`;
      }
    };
    const mailHost = inZone("mailHost", args.mailHost);
    const mx = (args.mx ?? [{ priority: 10, host: args.mailHost }]).map((m, i) => ({
      priority: m.priority,
      host: m.host.endsWith(".") ? m.host : inZone(`mx[${i}].host`, m.host),
    }));
    const webHost = args.mtaSts?.webHost;
    const planned = planMailRecords({
      domain: this.domain,
      mailHost,
      mx,
      spf: args.spf,
      dmarc: args.dmarc,
      tlsRpt: args.tlsRpt,
      mtaSts: args.mtaSts && {
        ...args.mtaSts,
        ...(webHost ? { webHost: webHost.endsWith(".") ? webHost : inZone("mtaSts.webHost", webHost) } : {}),
      },
      zones: [zone, ...(args.reportZones ?? [])].map((z) => z.zoneName),
    });
    const boxes = planMailboxes(this.domain, args);
    const dkim = dkimState(args.dkim, args.now ?? new Date());
    problems.push(...planned.problems, ...boxes.problems, ...dkim.problems);
    if (problems.length > 0) throw mailProblemsError(`MailDomain ${name} (${this.domain})`, problems);

    this.mailboxes = boxes.plan;
    this.mtaStsPolicy = planned.mtaSts?.policy;
    this.mtaStsUrl = planned.mtaSts?.url;
    const by = `MailDomain ${name}`;
    const zones = new Map([zone, ...(args.reportZones ?? [])].map((z) => [z.zoneName, z]));
    for (const r of planned.records) {
      zones
        .get(r.zone ?? zone.zoneName)!
        .record({ name: r.name, type: r.type, records: r.records, ttl: args.ttl }, by);
    }

    const keyOpts = { parent: this, protect: args.protect ?? true };
    this.dkimPublicKeys = {};
    let signing: pulumi.Output<string> | undefined;
    for (const s of args.dkim.selectors) {
      const key = args.secrets.rsa(`${name}-dkim-${s.selector}`, args.dkim.bits ?? 2048, keyOpts);
      this.dkimPublicKeys[s.selector] = key.publicKeyPem;
      if (s.selector === args.dkim.signWith) signing = key.privateKeyPem;
      if (!dkim.state.published.includes(s.selector)) continue;
      const content = key.publicKeyPem.apply(
        (pem) => dkimRecord({ selector: s.selector, publicKey: pem }).content,
      );
      zone.record(
        { name: `${s.selector}._domainkey.${this.domain}.`, type: "TXT", records: [content], ttl: args.ttl },
        by,
      );
    }
    this.signingSelector = args.dkim.signWith;
    this.signingKeyPem = pulumi.secret(signing!);
    this.publishedSelectors = dkim.state.published;
    this.registerOutputs({
      domain: this.domain,
      signingSelector: this.signingSelector,
      publishedSelectors: this.publishedSelectors,
      dkimPublicKeys: this.dkimPublicKeys,
      mtaStsPolicy: this.mtaStsPolicy,
    });
  }
}
