/**
 * Open-core software is refused (the user's rule): a free edition whose vendor holds back
 * features for a paid one. Each entry says why, and what to run instead.
 */
export interface RefusedApp {
  readonly reason: string;
  readonly instead: string;
}

const refused: Readonly<Record<string, RefusedApp>> = {
  gitlab: { reason: "open core (Community vs. Enterprise Edition)", instead: 'app "forgejo"' },
  dovecot: {
    reason: "open core (Dovecot Pro holds back features)",
    instead: "Cyrus IMAP (BSD licence) behind the MailDomain component",
  },
  zimbra: {
    reason: "open core (Network Edition holds back features)",
    instead: 'apps "webmail" and "nextcloud"',
  },
};

/** The refusal for an app name, if it is refused (case-insensitive). */
export function refusal(name: string): RefusedApp | undefined {
  return refused[name.toLowerCase()];
}
