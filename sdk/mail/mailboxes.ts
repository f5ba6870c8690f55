/**
 * Pure: a domain's mailboxes, aliases and catch-all checked together (unknown local targets, loops,
 * duplicates, quotas) and turned into the tables a mail server needs: mailboxes with their quota,
 * and each local address resolved to the mailboxes and outside addresses it delivers to.
 */
import { Address, addressKey, formatAddress, parseAddress, parseQuota } from "./addresses";
import type { MailProblem } from "./problems";

/** A mailbox of a mail domain. */
export interface MailboxArgs {
  /** "alice" (in the domain) or "alice@example.org". */
  address: string;
  /** Bytes, or "512M"/"2G"; at least 1 MiB. No quota when left out. */
  quota?: number | string;
}

/** An alias: an address whose mail is delivered to other addresses. */
export interface AliasArgs {
  /** "postmaster" or "postmaster@example.org". */
  address: string;
  /** Local mailboxes/aliases ("alice") or outside addresses ("bob@example.net"). */
  to: string[];
}

/** The mailboxes and aliases of a mail domain. */
export interface MailboxesArgs {
  /** The domain's mailboxes. */
  mailboxes?: MailboxArgs[];
  /** The domain's aliases. */
  aliases?: AliasArgs[];
  /** Where mail to any other address of the domain goes (a local mailbox/alias or an outside address). */
  catchAll?: string;
}

/** A mailbox as the mail server sets it up. */
export interface MailboxPlan {
  /** The mailbox's full address. */
  address: string;
  /** Its quota in bytes; unlimited when absent. */
  quotaBytes?: number;
}

/** A domain's mailboxes and aliases, validated. */
export interface MailboxesPlan {
  /** The mailboxes. */
  mailboxes: MailboxPlan[];
  /** Each alias (and "@domain" for the catch-all) to the mailboxes and outside addresses it reaches, sorted. */
  delivery: Record<string, string[]>;
}

/**
 * Validates and normalises a domain's mailboxes and aliases: problems name the field (e.g.
 * "mailboxes[1].quota"). Pure.
 */
export function planMailboxes(
  domain: string,
  args: MailboxesArgs,
): {
  /** The mailboxes and aliases to set up. */
  plan: MailboxesPlan;
  /** Problems, by field. */
  problems: MailProblem[];
} {
  const problems: MailProblem[] = [];
  const local = (field: string, raw: string): Address | undefined => {
    const a = parseAddress(raw, domain);
    if (!a.ok) {
      problems.push({ field, message: `${a.reason}` });
      return undefined;
    }
    return a.value;
  };
  const own = (field: string, raw: string, what: string): Address | undefined => {
    const a = local(field, raw);
    if (a && a.domain !== domain) {
      problems.push({
        field,
        message: `${what} "${raw}" is not in ${domain}; write "${a.local}" or "${a.local}@${domain}", or give it to the MailDomain of ${a.domain}`,
      });
      return undefined;
    }
    return a;
  };

  const mailboxes = new Map<string, MailboxPlan>();
  (args.mailboxes ?? []).forEach((m, i) => {
    const a = own(`mailboxes[${i}].address`, m.address, "mailbox");
    if (!a) return;
    if (mailboxes.has(addressKey(a)))
      problems.push({
        field: `mailboxes[${i}].address`,
        message: `${formatAddress(a)} is listed twice; keep one`,
      });
    let quotaBytes: number | undefined;
    if (m.quota !== undefined) {
      const q = parseQuota(m.quota);
      if (q.ok) quotaBytes = q.bytes;
      else problems.push({ field: `mailboxes[${i}].quota`, message: q.reason });
    }
    mailboxes.set(addressKey(a), { address: formatAddress(a), ...(quotaBytes ? { quotaBytes } : {}) });
  });

  const aliases = new Map<string, { field: string; to: { field: string; addr: Address }[] }>();
  (args.aliases ?? []).forEach((al, i) => {
    const a = own(`aliases[${i}].address`, al.address, "alias");
    if (!a) return;
    const key = addressKey(a);
    if (mailboxes.has(key))
      problems.push({
        field: `aliases[${i}].address`,
        message: `${formatAddress(a)} is already a mailbox; remove the alias or the mailbox`,
      });
    else if (aliases.has(key))
      problems.push({
        field: `aliases[${i}].address`,
        message: `alias ${formatAddress(a)} is listed twice; merge its targets`,
      });
    if (al.to.length === 0)
      problems.push({
        field: `aliases[${i}].to`,
        message: `alias ${formatAddress(a)} has no targets; give at least one`,
      });
    const to = al.to.flatMap((t, j) => {
      const addr = local(`aliases[${i}].to[${j}]`, t);
      return addr ? [{ field: `aliases[${i}].to[${j}]`, addr }] : [];
    });
    aliases.set(key, { field: `aliases[${i}]`, to });
  });

  const catchAll = args.catchAll === undefined ? undefined : local("catchAll", args.catchAll);
  const targets = [
    ...[...aliases.values()].flatMap((a) => a.to),
    ...(catchAll ? [{ field: "catchAll", addr: catchAll }] : []),
  ];
  for (const t of targets) {
    const key = addressKey(t.addr);
    if (t.addr.domain === domain && !mailboxes.has(key) && !aliases.has(key))
      problems.push({
        field: t.field,
        message: `${formatAddress(t.addr)} is neither a mailbox nor an alias of ${domain}; add it to mailboxes or correct the name`,
      });
  }

  // Loops: depth-first over local alias targets, reporting each cycle once at its first alias.
  const delivery: Record<string, string[]> = {};
  const reported = new Set<string>();
  const expand = (key: string, path: string[]): Set<string> => {
    const out = new Set<string>();
    const alias = aliases.get(key);
    if (!alias) {
      out.add(key);
      return out;
    }
    for (const t of alias.to) {
      const k = addressKey(t.addr);
      if (path.includes(k)) {
        const cycle = [...path.slice(path.indexOf(k)), k];
        const id = [...cycle].slice(0, -1).sort().join(",");
        if (!reported.has(id)) {
          reported.add(id);
          problems.push({
            field: `${alias.field}.to`,
            message: `alias loop ${cycle.join(" -> ")}: mail would circle forever; point one of them at a mailbox`,
          });
        }
        continue;
      }
      if (t.addr.domain !== domain) out.add(k);
      else if (mailboxes.has(k) || aliases.has(k)) for (const x of expand(k, [...path, k])) out.add(x);
    }
    return out;
  };
  for (const key of aliases.keys()) delivery[key] = [...expand(key, [key])].sort();
  if (catchAll) {
    const k = addressKey(catchAll);
    delivery[`@${domain}`] = aliases.has(k) ? [...expand(k, [k])].sort() : [k];
  }
  return { plan: { mailboxes: [...mailboxes.values()], delivery }, problems };
}
