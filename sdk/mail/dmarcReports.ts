/**
 * Pure: where DMARC reports may go. A report address in another organisation's domain is only used by
 * receivers when that domain authorises it (RFC 7489 §7.1): it publishes
 * `<our domain>._report._dmarc.<report domain> TXT "v=DMARC1"`. We publish that record when the report
 * domain is in a zone we manage, accept a domain the caller says already publishes it, and refuse the
 * rest.
 */
import { parseAddress } from "./addresses";
import type { MailProblem } from "./problems";

export interface ReportAuthorization {
  /** The zone the record goes in (as given, normalised "example.net."). */
  zone: string;
  /** Fully qualified record name. */
  name: string;
  content: "v=DMARC1";
}

/** Same organisational domain, approximated without the public suffix list: one is the other or below it. */
export const sameOrganisation = (a: string, b: string): boolean =>
  a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);

/**
 * The DNS records that authorise other domains to receive this domain's DMARC reports (RFC 7489 section
 * 7.1), with problems by field. Pure.
 */
export function planReportAuthorizations(
  domain: string,
  reports: { field: string; address: string }[],
  /** Zones the site manages, "example.net." */
  zones: string[],
  /** Report domains whose owners already publish the authorisation for `domain`. */
  externallyAuthorized: string[],
): {
  /** The authorisation TXT records to publish in the receiving domains. */
  records: ReportAuthorization[];
  /** Problems with the report addresses, by field. */
  problems: MailProblem[];
} {
  const records = new Map<string, ReportAuthorization>();
  const problems: MailProblem[] = [];
  for (const r of reports) {
    const a = parseAddress(r.address.replace(/^mailto:/, ""));
    if (!a.ok) {
      problems.push({ field: r.field, message: `${a.reason} (a DMARC report address is local@domain)` });
      continue;
    }
    const rd = a.value.domain;
    if (sameOrganisation(rd, domain)) continue;
    const zone = zones
      .filter((z) => `${rd}.` === z || `${rd}.`.endsWith(`.${z}`))
      .sort((x, y) => y.length - x.length)[0];
    const name = `${domain}._report._dmarc.${rd}.`;
    if (zone) records.set(name, { zone, name, content: "v=DMARC1" });
    else if (!externallyAuthorized.map((d) => d.replace(/\.$/, "").toLowerCase()).includes(rd))
      problems.push({
        field: r.field,
        message:
          `${r.address} is outside ${domain} and outside every zone this site manages, so receivers ignore it ` +
          `unless ${rd} publishes ${name} TXT "v=DMARC1" (RFC 7489 §7.1): have it published and add "${rd}" ` +
          `to dmarc.externallyAuthorized, give the zone of ${rd} in reportZones, or use an address in ${domain}`,
      });
  }
  return { records: [...records.values()], problems };
}
