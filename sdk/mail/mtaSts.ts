/**
 * Pure: MTA-STS (RFC 8461) for a domain: the policy file served at
 * https://mta-sts.<domain>/.well-known/mta-sts.txt and the `_mta-sts` TXT record whose id changes
 * whenever the policy does (so senders fetch the new one), and the TLS-RPT record (RFC 8460).
 */
import { createHash } from "crypto";
import type { MailProblem } from "./problems";

/** The MTA-STS policy modes (RFC 8461): enforce, report only ("testing"), or withdrawn ("none"). */
export const MTA_STS_MODES = ["enforce", "testing", "none"] as const;
/** One of {@link MTA_STS_MODES}. */
export type MtaStsMode = (typeof MTA_STS_MODES)[number];

/** An MTA-STS policy to publish for a mail domain. */
export interface MtaStsArgs {
  /** Default "enforce"; "testing" while trying it out. */
  mode?: MtaStsMode;
  /** How long senders cache the policy; default one week, at most one year (31557600). */
  maxAgeSeconds?: number;
  /** The web host that serves the policy file: `mta-sts.<domain>` gets a CNAME to it when given. */
  webHost?: string;
}

/** A planned MTA-STS policy: the document and its DNS record. */
export interface MtaStsPlan {
  /** The policy document served at https://mta-sts.<domain>/.well-known/mta-sts.txt. */
  policy: string;
  /** `_mta-sts.<domain>` TXT content. */
  record: string;
  /** Where senders fetch the policy. */
  url: string;
}

/**
 * The MTA-STS policy document and record for a domain, with problems by field (e.g. an MX not covered).
 * Pure.
 */
export function planMtaSts(
  domain: string,
  mxHosts: string[],
  args: MtaStsArgs,
): {
  /** The policy, when the arguments are valid. */
  plan?: MtaStsPlan;
  /** Problems, by field. */
  problems: MailProblem[];
} {
  const problems: MailProblem[] = [];
  const mode = args.mode ?? "enforce";
  const maxAge = args.maxAgeSeconds ?? 604800;
  if (!MTA_STS_MODES.includes(mode))
    problems.push({
      field: "mtaSts.mode",
      message: `"${String(mode)}" must be one of ${MTA_STS_MODES.join(", ")}`,
    });
  if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 31557600)
    problems.push({
      field: "mtaSts.maxAgeSeconds",
      message: `${maxAge} must be a whole number of seconds from 0 to 31557600 (one year); 604800 is a week`,
    });
  if (problems.length > 0) return { problems };
  // RFC 8461 §3.2: key/value lines separated by CRLF; one "mx" line per MX host.
  const lines = [
    "version: STSv1",
    `mode: ${mode}`,
    ...mxHosts.map((h) => `mx: ${h.replace(/\.$/, "")}`),
    `max_age: ${maxAge}`,
  ];
  const policy = lines.join("\r\n") + "\r\n";
  const id = createHash("sha256").update(policy).digest("hex").slice(0, 20);
  return {
    plan: { policy, record: `v=STSv1; id=${id}`, url: `https://mta-sts.${domain}/.well-known/mta-sts.txt` },
    problems,
  };
}

/** `_smtp._tls.<domain>` TXT content: where senders send their TLS reports. */
export function tlsRptRecord(rua: string[]): string {
  return `v=TLSRPTv1; rua=${rua.map((a) => (/^(mailto|https):/.test(a) ? a : `mailto:${a}`)).join(",")}`;
}
