/**
 * Pure: which DKIM selectors are published and which one signs, and the rotation that never leaves a
 * window where mail fails to verify: publish the new selector (the old one keeps signing), switch
 * signing once the new record has had time to reach resolvers, keep the old selector published until
 * a configured time or an explicit retire (mail signed with it may still be in queues and inboxes).
 */
import { dkimSelectorProblem } from "../dns/mail";
import type { MailProblem } from "./problems";

/** One DKIM selector of a mail domain, and when it is retired (unpublished). */
export interface DkimSelectorArgs {
  /** The selector: the key is published at `<selector>._domainkey.<domain>`. */
  selector: string;
  /** Unpublish after this time (ISO 8601). Mail already signed with it keeps verifying until then. */
  retireAt?: string;
  /** Unpublished now (the key stays in the state until the selector is removed from the list). */
  retired?: boolean;
}

/** The DKIM keys of a mail domain: its selectors and which one signs. */
export interface DkimArgs {
  /** RSA modulus of generated keys; default 2048 (less is refused). */
  bits?: number;
  /** The domain's selectors, each with its own key pair; retired ones stay listed until removed. */
  selectors: DkimSelectorArgs[];
  /** The selector outgoing mail is signed with. */
  signWith: string;
}

/** Which DKIM selectors are published and which one signs, at a point in time. */
export interface DkimState {
  /** Selectors whose records are in DNS now. */
  published: string[];
  /** The selector that signs outgoing mail now. */
  signing: string;
}

const retiredAt = (s: DkimSelectorArgs, now: Date): boolean =>
  s.retired === true || (s.retireAt !== undefined && Date.parse(s.retireAt) <= now.getTime());

/**
 * The DKIM state at `now`: which selectors to publish and which signs, with the problems of `args`
 * (e.g. `signWith` naming no listed selector, or a retired one). Pure.
 */
export function dkimState(
  args: DkimArgs,
  now: Date,
): {
  /** The selectors to publish and the signing one. */
  state: DkimState;
  /** Problems with the selectors, by field. */
  problems: MailProblem[];
} {
  const problems: MailProblem[] = [];
  const bits = args.bits ?? 2048;
  if (!Number.isInteger(bits) || bits < 2048)
    problems.push({
      field: "dkim.bits",
      message: `${bits}-bit RSA keys are too weak for DKIM; use 2048 (default), 3072 or 4096`,
    });
  const seen = new Set<string>();
  args.selectors.forEach((s, i) => {
    const bad = dkimSelectorProblem(s.selector);
    if (bad) problems.push({ field: `dkim.selectors[${i}].selector`, message: bad });
    if (seen.has(s.selector.toLowerCase()))
      problems.push({
        field: `dkim.selectors[${i}].selector`,
        message: `"${s.selector}" is listed twice; keep one`,
      });
    seen.add(s.selector.toLowerCase());
    if (s.retireAt !== undefined && Number.isNaN(Date.parse(s.retireAt)))
      problems.push({
        field: `dkim.selectors[${i}].retireAt`,
        message: `"${s.retireAt}" is not a time; write ISO 8601 such as "2027-01-31T00:00:00Z"`,
      });
  });
  const signer = args.selectors.find((s) => s.selector === args.signWith);
  if (!signer)
    problems.push({
      field: "dkim.signWith",
      message: `"${args.signWith}" is not among dkim.selectors (${args.selectors.map((s) => s.selector).join(", ") || "none"}); add it there first`,
    });
  else if (signer.retired || signer.retireAt !== undefined)
    problems.push({
      field: "dkim.signWith",
      message: `"${args.signWith}" is being retired; sign with a selector that stays published, then retire this one`,
    });
  const published = args.selectors.filter((s) => !retiredAt(s, now)).map((s) => s.selector);
  return { state: { published, signing: args.signWith }, problems };
}

/** The phases of a DKIM key rotation: publish the new key, sign with it, retire the old one. */
export type RotationPhase = "publish-new" | "switch-signing" | "retire-old";

/**
 * The three configurations of a rotation from `from.signWith` to `next`. Apply them in order with
 * `pulumi up`, waiting at least the DKIM record TTL after "publish-new". With `keepOldUntil`, the
 * "switch-signing" step already schedules the old selector's retirement, and "retire-old" is only
 * needed to retire it earlier.
 */
export function planDkimRotation(
  from: DkimArgs,
  next: string,
  keepOldUntil?: string,
): {
  /** The rotation phase. */
  phase: RotationPhase;
  /** The DKIM config to apply in that phase. */
  dkim: DkimArgs;
}[] {
  const old = from.signWith;
  if (from.selectors.some((s) => s.selector === next))
    throw new Error(`dkim rotation: selector "${next}" is already listed; choose a new selector name`);
  const withNew = [...from.selectors, { selector: next }];
  const mark = (extra: Partial<DkimSelectorArgs>): DkimSelectorArgs[] =>
    withNew.map((s) => (s.selector === old ? { ...s, ...extra } : s));
  return [
    { phase: "publish-new", dkim: { ...from, selectors: withNew, signWith: old } },
    {
      phase: "switch-signing",
      dkim: { ...from, selectors: mark(keepOldUntil ? { retireAt: keepOldUntil } : {}), signWith: next },
    },
    { phase: "retire-old", dkim: { ...from, selectors: mark({ retired: true }), signWith: next } },
  ];
}
