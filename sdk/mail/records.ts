/**
 * Pure: every DNS record a mail domain needs, except the DKIM keys (generated at deploy time): MX,
 * SPF, DMARC with its report authorisations, MTA-STS, TLS-RPT, the client autoconfiguration names and
 * the RFC 6186 SRV records for submission and IMAPS. Bad inputs come back as problems, not records.
 */
import { dmarcRecord, DmarcPolicy, spfRecord, SpfPolicy } from "../dns/mail";
import { parseAddress } from "./addresses";
import { planReportAuthorizations } from "./dmarcReports";
import { MtaStsArgs, MtaStsPlan, planMtaSts, tlsRptRecord } from "./mtaSts";
import type { MailProblem } from "./problems";

/** A record set a mail domain publishes. */
export interface PlannedRecord {
  /** Fully qualified. */
  name: string;
  /** The record type, e.g. "MX", "TXT". */
  type: string;
  /** The record contents. */
  records: string[];
  /** Another managed zone ("example.net.") when the record is not in the mail domain's own zone. */
  zone?: string;
}

/** The DMARC policy of a mail domain, with where its aggregate reports go. */
export interface MailDmarcArgs extends DmarcPolicy {
  /** Report domains outside the site's zones that already publish the RFC 7489 §7.1 authorisation. */
  externallyAuthorized?: string[];
}

/** What a mail domain's DNS records are planned from. */
export interface MailRecordsInput {
  /** Normalised, no trailing dot ("example.org"). */
  domain: string;
  /** Fully qualified host that serves SMTP, submission and IMAPS ("mail.example.org."). */
  mailHost: string;
  /** Fully qualified MX hosts with their priorities. */
  mx: {
    /** MX preference (lower is preferred). */
    priority: number;
    /** The mail exchanger's host name. */
    host: string;
  }[];
  /** The SPF policy; default "v=spf1 mx -all". */
  spf?: SpfPolicy;
  /** The DMARC policy. */
  dmarc?: MailDmarcArgs;
  /** Ask for TLS failure reports (TLS-RPT). */
  tlsRpt?: {
    /** Where the reports go (mailto: or https: URIs). */
    rua: string[];
  };
  /** webHost fully qualified. */
  mtaSts?: MtaStsArgs;
  /** The zones this site manages, "example.net." (for report authorisations). */
  zones: string[];
}

/** The SMTP submission port (STARTTLS), 587. */
export const SUBMISSION_PORT = 587;
/** The IMAP over TLS port, 993. */
export const IMAPS_PORT = 993;

/** Runs a builder that throws on bad input, turning its message into a problem of `field`. */
function built<T>(field: string, problems: MailProblem[], f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    problems.push({ field, message: (e as Error).message });
    return undefined;
  }
}

/** The DNS records of a mail domain (MX, SPF, DKIM, DMARC, TLS-RPT, MTA-STS) with problems by field. Pure. */
export function planMailRecords(input: MailRecordsInput): {
  /** The record sets to publish. */
  records: PlannedRecord[];
  /** The MTA-STS policy, when asked for. */
  mtaSts?: MtaStsPlan;
  /** Problems, by field. */
  problems: MailProblem[];
} {
  const { domain, mailHost } = input;
  const at = (label: string): string => `${label}.${domain}.`;
  const problems: MailProblem[] = [];
  const records: PlannedRecord[] = [];
  const add = (name: string, type: string, content: string[], zone?: string): void => {
    records.push({ name, type, records: content, ...(zone ? { zone } : {}) });
  };

  input.mx.forEach((m, i) => {
    if (!Number.isInteger(m.priority) || m.priority < 0 || m.priority > 65535)
      problems.push({
        field: `mx[${i}].priority`,
        message: `${m.priority} must be a whole number from 0 to 65535`,
      });
  });
  if (input.mx.length === 0)
    problems.push({
      field: "mx",
      message: `give at least one MX host, e.g. [{ priority: 10, host: "mail" }]`,
    });
  add(
    `${domain}.`,
    "MX",
    input.mx.map((m) => `${m.priority} ${m.host}`),
  );

  const spf = built("spf", problems, () => spfRecord(input.spf ?? {}));
  if (spf) add(`${domain}.`, "TXT", [spf]);

  if (input.dmarc) {
    const d = input.dmarc;
    const reports = [
      ...(d.rua ?? []).map((address, i) => ({ field: `dmarc.rua[${i}]`, address })),
      ...(d.ruf ?? []).map((address, i) => ({ field: `dmarc.ruf[${i}]`, address })),
    ];
    const auth = planReportAuthorizations(domain, reports, input.zones, d.externallyAuthorized ?? []);
    problems.push(...auth.problems);
    // Report addresses were judged above, each under its own field.
    const dmarc = built("dmarc", auth.problems.length > 0 ? [] : problems, () => dmarcRecord(d));
    if (dmarc) add(at("_dmarc"), "TXT", [dmarc]);
    for (const r of auth.records) add(r.name, "TXT", [r.content], r.zone);
  }

  if (input.tlsRpt) {
    if (input.tlsRpt.rua.length === 0)
      problems.push({
        field: "tlsRpt.rua",
        message: `give at least one report address, e.g. "tls-reports@${domain}"`,
      });
    input.tlsRpt.rua.forEach((a, i) => {
      if (/^https:/.test(a)) return;
      const p = parseAddress(a.replace(/^mailto:/, ""));
      if (!p.ok)
        problems.push({ field: `tlsRpt.rua[${i}]`, message: `${p.reason} (an address or an https: URL)` });
    });
    add(at("_smtp._tls"), "TXT", [tlsRptRecord(input.tlsRpt.rua)]);
  }

  let mtaSts: MtaStsPlan | undefined;
  if (input.mtaSts) {
    const m = planMtaSts(
      domain,
      input.mx.map((x) => x.host),
      input.mtaSts,
    );
    problems.push(...m.problems);
    mtaSts = m.plan;
    if (mtaSts) add(at("_mta-sts"), "TXT", [mtaSts.record]);
    if (input.mtaSts.webHost) add(at("mta-sts"), "CNAME", [input.mtaSts.webHost]);
  }

  // Client configuration: Thunderbird's autoconfig, Outlook's autodiscover, RFC 6186 service records.
  add(at("autoconfig"), "CNAME", [mailHost]);
  add(at("autodiscover"), "CNAME", [mailHost]);
  add(at("_submission._tcp"), "SRV", [`0 1 ${SUBMISSION_PORT} ${mailHost}`]);
  add(at("_imaps._tcp"), "SRV", [`0 1 ${IMAPS_PORT} ${mailHost}`]);
  return { records, mtaSts, problems };
}
