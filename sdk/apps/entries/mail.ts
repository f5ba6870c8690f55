import type { AppDefinition } from "../types";
import { rsyncDirectory, zfsDirectory } from "./state";

// NixOS options: nixpkgs nixos/modules/services/mail/postfix.nix (services.postfix),
// nixos/modules/services/mail/cyrus-imap.nix (services.cyrus-imap) and
// nixos/modules/services/system/saslauthd.nix (services.saslauthd).
const POSTFIX_MODULE = "NixOS/nixpkgs nixos/modules/services/mail/postfix.nix";
const CYRUS_MODULE = "NixOS/nixpkgs nixos/modules/services/mail/cyrus-imap.nix";
const POSTFIX_LICENCE =
  "http://postfix.1071664.n5.nabble.com/Proposed-Postfix-license-change-from-IPL-1-0-to-EPL-2-0-td93780.html";
const CYRUS_LICENCE = "https://gpo.zugaina.org/AJAX/Ebuild/55750149";
const CYRUS = "https://www.cyrusimap.org/";
const DOVECOT_REPLICATION = "https://people.mpi-klsb.mpg.de/~pcernko/dovecot-replication.shtml";
const STOP = ["postfix.service", "cyrus-imap.service"];

export const mail: AppDefinition = {
  id: "mail",
  title: "Mail server (Postfix + Cyrus IMAP + Cyrus SASL)",
  purpose: "SMTP, IMAP, CalDAV/CardDAV and authentication for the site's domains (core service)",
  category: "core",
  homepage: CYRUS,
  licence: {
    spdx: "(IPL-1.0 OR EPL-2.0) AND BSD-Attribution-HPND-disclaimer",
    openCore: false,
    reason: "Postfix (IPL/EPL) and Cyrus (CMU BSD-style) have no paid editions, unlike Dovecot Pro",
    source: POSTFIX_LICENCE,
  },
  swot: {
    strengths: [
      {
        text: "Postfix: long security record, the default MTA of many distributions",
        source: "https://www.wisdomjobs.com/e-university/postfix-interview-questions.html",
      },
      { text: "Cyrus serves IMAP, POP3, CalDAV and CardDAV from one mail store", source: CYRUS_MODULE },
      {
        text: "chosen over Dovecot, which is open core (Dovecot Pro) and excluded by the seed; every part here is a plain Debian package with no paid edition",
        source: "seed.md (Do not use Open Core: Dovecot)",
      },
      {
        text: "Cyrus SASL via saslauthd + pam_pwdfile checks salted SHA-512-crypt hashes: no clear-text password store (sasldb would keep one)",
        source: "README.md (The mail server)",
      },
    ],
    weaknesses: [
      {
        text: "three daemons (postfix, cyrus master, saslauthd) configured separately",
        source: CYRUS_MODULE,
      },
      { text: "Cyrus is less common than Dovecot, so fewer how-tos exist", source: CYRUS_LICENCE },
      {
        text: "saslauthd only passes plain-text mechanisms (PLAIN/LOGIN), so submission and IMAP must be behind TLS (enforced: smtpd_tls_auth_only, IMAPS only)",
        source: "/etc/pam.d/imap of Debian's cyrus-imapd (SASL and PAM: plain-text passwords only)",
      },
    ],
    opportunities: [
      {
        text: "Cyrus has built-in replication, which Dovecot removed from its open edition in 2.4",
        source: DOVECOT_REPLICATION,
      },
      {
        text: "Postfix instances run side by side with their own config directories (per-site tests)",
        source: "TESTENV.md (Mail — installs)",
      },
    ],
    threats: [
      {
        text: "mail deliverability depends on the provider's IP reputation after every move",
        source: POSTFIX_MODULE,
      },
      {
        text: "the Cyrus licence's attribution clause must be kept in redistributions",
        source: CYRUS_LICENCE,
      },
    ],
  },
  nixos: {
    module: "services.postfix",
    options: [
      "services.postfix.enable",
      "services.postfix.settings.main",
      "services.postfix.enableSubmission",
      "services.postfix.submissionOptions",
      "services.cyrus-imap.enable",
      "services.cyrus-imap.imapdSettings",
      "services.cyrus-imap.cyrusSettings",
      "services.saslauthd.enable",
      "services.saslauthd.mechanism",
    ],
    optionsSource: `${POSTFIX_MODULE}; ${CYRUS_MODULE}; NixOS/nixpkgs nixos/modules/services/system/saslauthd.nix`,
  },
  ports: [
    { port: 25, protocol: "tcp", purpose: "SMTP from other mail servers", public: true },
    { port: 587, protocol: "tcp", purpose: "submission from members' clients", public: true },
    { port: 993, protocol: "tcp", purpose: "IMAPS", public: true },
    {
      port: 8008,
      protocol: "tcp",
      purpose: "Cyrus CalDAV/CardDAV (httpd) behind the reverse proxy",
      public: false,
    },
  ],
  requirements: { cpus: 1, memoryMiB: 1024, diskGiB: 20, source: CYRUS },
  dependencies: [],
  provides: ["smtp", "imap"],
  federation: [],
  state: [
    zfsDirectory("/var/lib/cyrus", "mail spool and mailbox databases (many small files)", STOP),
    rsyncDirectory(
      "/var/lib/postfix",
      "queue and lookup tables; the queue must be empty or flushed before the move",
      STOP,
    ),
  ],
  secrets: [{ name: "dkim-key", kind: "rsa", purpose: "DKIM signing key (its public half goes into DNS)" }],
  defaultSubdomain: "mail",
};
