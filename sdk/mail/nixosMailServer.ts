/**
 * Pure: the same mail server as a NixOS module fragment, for hosts deployed from Nix. The decisions
 * come from serverConfig.ts (submission options, inbound restrictions, Cyrus settings, the PAM
 * check against SHA-512-crypt hashes), so both paths run the same server; NixOS supplies the paths
 * and units (services.postfix, services.cyrus-imap, services.saslauthd, services.opendkim). The
 * password file and the DKIM keys arrive as agenix files (HostSecret with os: "nixos").
 */
import type { NixValue } from "../nix/expr";
import {
  CYRUS_SETTINGS,
  INBOUND_RESTRICTIONS,
  MailServerLayout,
  pamService,
  ServedDomain,
  submissionOptions,
} from "./serverConfig";
import { postfixVirtualAliases } from "./serverTables";

export interface NixosMailPaths {
  /** The pam_pwdfile password file (decrypted by agenix). */
  passwd: string;
  /** The directory holding `<selector>.private` DKIM keys for OpenDKIM. */
  dkimKeys: string;
}

/**
 * The NixOS module text that sets up the same mail server (Postfix, Cyrus IMAP, Cyrus SASL, OpenDKIM)
 * for the given domains, with its secrets as agenix files. Pure.
 */
export function mailServerNixos(
  l: MailServerLayout,
  domains: ServedDomain[],
  paths: NixosMailPaths,
): NixValue {
  const selectors = [...new Set(domains.map((d) => d.selector))];
  if (selectors.length > 1)
    throw new Error(
      `the NixOS opendkim module signs with one selector; the domains use ${selectors.join(", ")}: rotate them together`,
    );
  const mailboxes = domains.flatMap((d) => d.mailboxes.mailboxes.map((m) => `${m.address.toLowerCase()} OK`));
  return {
    services: {
      postfix: {
        enable: true,
        enableSubmission: true,
        submissionOptions: submissionOptions(l),
        settings: {
          main: {
            myhostname: l.hostName,
            mydestination: "",
            virtual_mailbox_domains: domains.map((d) => d.domain),
            virtual_mailbox_maps: "texthash:/etc/postfix/sovereign-mailboxes",
            virtual_alias_maps: "texthash:/etc/postfix/sovereign-virtual",
            virtual_transport: "lmtp:unix:/run/cyrus/lmtp",
            smtpd_tls_security_level: "may",
            smtpd_relay_restrictions: INBOUND_RESTRICTIONS.relay,
            smtpd_recipient_restrictions: INBOUND_RESTRICTIONS.recipient,
            smtpd_sasl_path: "smtpd",
            non_smtpd_milters: `inet:127.0.0.1:${l.ports.milter}`,
            milter_default_action: "tempfail",
          },
        },
      },
      "cyrus-imap": {
        enable: true,
        imapdSettings: { ...CYRUS_SETTINGS, servername: l.hostName, lmtpsocket: "/run/cyrus/lmtp" },
      },
      saslauthd: { enable: true, mechanism: "pam", config: "" },
      opendkim: {
        enable: true,
        selector: selectors[0] ?? "default",
        domains: `csl:${domains.map((d) => d.domain).join(",")}`,
        keyPath: paths.dkimKeys,
        settings: { Socket: `inet:${l.ports.milter}@127.0.0.1`, Canonicalization: "relaxed/simple" },
      },
    },
    environment: {
      etc: {
        "postfix/sovereign-mailboxes": { text: mailboxes.map((m) => `${m}\n`).join("") },
        "postfix/sovereign-virtual": {
          text: domains.map((d) => postfixVirtualAliases(d.domain, d.mailboxes)).join(""),
        },
        "sasl2/smtpd.conf": { text: "pwcheck_method: saslauthd\nmech_list: PLAIN LOGIN\n" },
      },
    },
    security: {
      pam: {
        services: { imap: { text: pamService(paths.passwd) }, smtp: { text: pamService(paths.passwd) } },
      },
    },
    networking: { firewall: { allowedTCPPorts: [l.ports.smtp, l.ports.submission, l.ports.imaps] } },
  };
}
