/**
 * Pure: the lookup tables the mail server is configured from, rendered from a domain's plan: Postfix's
 * virtual mailbox domains and alias map, Cyrus quotas, and OpenDKIM's key and signing tables. The
 * server that uses them is rendered in serverConfig.ts and deployed by mailServer.ts.
 */
import type { MailboxesPlan } from "./mailboxes";

/**
 * Postfix `virtual_alias_maps` (hash/texthash format). With a catch-all, every mailbox maps to itself
 * first: otherwise Postfix's "@domain" entry would also swallow mail for the real mailboxes.
 */
export function postfixVirtualAliases(domain: string, plan: MailboxesPlan): string {
  const catchAll = plan.delivery[`@${domain}`];
  const lines: string[] = [];
  if (catchAll)
    for (const m of plan.mailboxes) lines.push(`${m.address.toLowerCase()} ${m.address.toLowerCase()}`);
  for (const [from, to] of Object.entries(plan.delivery)) {
    if (from.startsWith("@")) continue;
    lines.push(`${from} ${to.join(",")}`);
  }
  if (catchAll) lines.push(`@${domain} ${catchAll.join(",")}`);
  return lines.join("\n") + "\n";
}

/** Cyrus `setquota` STORAGE values in KiB, per mailbox that has a quota. */
export function cyrusQuotasKiB(plan: MailboxesPlan): Record<string, number> {
  return Object.fromEntries(
    plan.mailboxes.flatMap((m) =>
      m.quotaBytes ? [[m.address.toLowerCase(), Math.floor(m.quotaBytes / 1024)]] : [],
    ),
  );
}

/** OpenDKIM `KeyTable` and `SigningTable` (refile) lines: sign all of the domain's mail with `selector`. */
export function openDkimTables(
  domain: string,
  selector: string,
  keyFile: string,
): {
  /** OpenDKIM's KeyTable: which key each selector signs with. */
  keyTable: string;
  /** OpenDKIM's SigningTable: which selector signs for which sender. */
  signingTable: string;
} {
  const id = `${selector}._domainkey.${domain}`;
  return { keyTable: `${id} ${domain}:${selector}:${keyFile}\n`, signingTable: `*@${domain} ${id}\n` };
}
