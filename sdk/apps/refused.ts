/**
 * Open-core software is refused (the user's rule): a free edition whose vendor holds back features
 * for a paid one. Each entry says why, with a source, and what the catalog offers instead.
 */
import type { RefusedApp } from "./types";

const refusedApps: readonly RefusedApp[] = [
  {
    id: "gitlab",
    title: "GitLab",
    reason:
      "open core: features relevant to larger organisations are exclusive to the paid Enterprise Edition",
    source: "https://about.gitlab.com/stewardship/",
    alternative: ["forgejo"],
    alternativeText: 'app "forgejo"',
  },
  {
    id: "dovecot",
    title: "Dovecot",
    reason:
      "open core: Dovecot Pro holds back object storage and other features; replication was removed from the open edition in 2.4",
    source: "https://people.mpi-klsb.mpg.de/~pcernko/dovecot-replication.shtml",
    alternative: ["mail"],
    alternativeText: 'app "mail" (Postfix + Cyrus IMAP + Cyrus SASL)',
  },
  {
    id: "zimbra",
    title: "Zimbra",
    reason: "open core: the Network Edition has closed-source components and licence-gated features",
    source: "https://ww-w.pages.dev/0xLy93aWtpL1ppbWJyYQ",
    alternative: ["mail", "webmail", "nextcloud"],
    alternativeText:
      'apps "mail", "webmail" and "nextcloud" (Postfix + Cyrus + Roundcube, calendars in Nextcloud)',
  },
  {
    id: "vikunja",
    title: "Vikunja",
    reason:
      "open core since Vikunja Pro: admin panel, audit logs and time tracking are paid, behind licence checks",
    source:
      "https://raw.githubusercontent.com/go-vikunja/vikunja/bc13d2095eccfe1d42904bc5606ea3abbdb84526/README.md",
    alternative: ["planning"],
    alternativeText: 'app "planning" (Kanboard)',
  },
];

/** The ids of the refused (open-core) apps, which a site config may not request. */
export const refusedAppIds = refusedApps.map((r) => r.id);

/** The refusal for an app name, if it is refused (case-insensitive). */
export function refusal(name: string): RefusedApp | undefined {
  return refusedApps.find((r) => r.id === name.toLowerCase());
}

/** Every refused app, for the catalog table and tests. */
export function refusedCatalog(): readonly RefusedApp[] {
  return refusedApps;
}
