/**
 * Pure: every file, directory and daemon of one mail server, rendered from the domains it serves.
 * Postfix (SMTP on 25, submission on 587 with STARTTLS and SASL) delivers to Cyrus IMAP over LMTP;
 * Cyrus serves IMAPS; both check passwords through one saslauthd, which asks PAM's pam_pwdfile to
 * compare against SHA-512-crypt hashes (sasldb would keep passwords in clear text). saslauthd runs
 * in its own mount namespace with the server's pam.d bound over /etc/pam.d, so the host's own PAM
 * services (Cyrus's "imap", "smtp") stay untouched. OpenDKIM signs what is submitted, as a milter.
 * Everything lives under one directory, so a second server can run beside the system's on other ports.
 */
import type { Daemon } from "../../providers/hosts/daemonsProvider";
import type { MailboxesPlan } from "./mailboxes";
import type { MailProblem } from "./problems";
import { cyrusQuotasKiB, openDkimTables, postfixVirtualAliases } from "./serverTables";

/** The ports a mail server listens on. */
export interface MailServerPorts {
  /** Mail from other servers (the records say 25). */
  smtp: number;
  /** Authenticated submission with STARTTLS (the records say 587). */
  submission: number;
  /** IMAP over TLS (the records say 993). */
  imaps: number;
  /** OpenDKIM's milter, on 127.0.0.1 only. */
  milter: number;
}

/** The standard mail ports: SMTP 25, submission 587, IMAPS 993, and OpenDKIM's milter on 8891. */
export const STANDARD_PORTS: MailServerPorts = { smtp: 25, submission: 587, imaps: 993, milter: 8891 };

/** Where a mail server keeps its configuration and mail on the host. */
export interface MailServerLayout {
  /** Absolute directory holding the server's configuration, queue, mail store and keys. */
  dir: string;
  /** The server's name ("mx1.example.org"), as the MX record gives it. */
  hostName: string;
  /** The address SMTP, submission and IMAPS listen on ("0.0.0.0": every address). */
  listen: string;
  /** The ports it listens on. */
  ports: MailServerPorts;
  /**
   * OpenDKIM refuses keys whose path is writable by others. Only a server under a world-writable
   * directory (tests under /tmp) needs false.
   */
  requireSafeKeys: boolean;
}

/** A mail domain as the mail server serves it. */
export interface ServedDomain {
  /** The domain name. */
  domain: string;
  /** Its mailboxes and aliases. */
  mailboxes: MailboxesPlan;
  /** The DKIM selector mail is signed with. */
  selector: string;
}

export interface ServerFile {
  path: string;
  content: string;
  mode: string;
  owner?: string;
}

/** The Cyrus administrator that creates mailboxes and sets quotas (a global admin: no domain). */
export const CYRUS_ADMIN = "sovereign-admin";

export const serverPaths = (dir: string) => ({
  postfix: `${dir}/postfix`,
  queue: `${dir}/queue`,
  data: `${dir}/postfix-data`,
  cyrus: `${dir}/cyrus`,
  run: `${dir}/run`,
  sasl: `${dir}/saslauthd`,
  pam: `${dir}/pam.d`,
  passwd: `${dir}/passwd`,
  dkim: `${dir}/opendkim`,
  tls: `${dir}/tls`,
  log: `${dir}/log`,
});

/** Where the DKIM private key of `domain`'s `selector` is delivered (owner opendkim, mode 0400). */
export const dkimKeyPath = (dir: string, domain: string, selector: string): string =>
  `${serverPaths(dir).dkim}/keys/${domain}.${selector}.key`;

/** pam_pwdfile's file: `user:hash` lines; the users are full addresses plus the Cyrus admin. */
export function pwdfile(hashes: Record<string, string>): string {
  return (
    Object.entries(hashes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([user, hash]) => `${user}:${hash}`)
      .join("\n") + "\n"
  );
}

/** Port 25: mail for the served domains only (no open relay), and only to addresses that exist. */
export const INBOUND_RESTRICTIONS = {
  relay: "reject_unauth_destination",
  recipient: "reject_unauth_destination, reject_unlisted_recipient",
};

function postfixMain(l: MailServerLayout, domains: ServedDomain[]): string {
  const p = serverPaths(l.dir);
  return [
    "compatibility_level = 3.6",
    `queue_directory = ${p.queue}`,
    `data_directory = ${p.data}`,
    "mail_owner = postfix",
    "setgid_group = postdrop",
    `myhostname = ${l.hostName}`,
    "mydestination =",
    `inet_interfaces = ${l.listen === "0.0.0.0" ? "all" : l.listen}`,
    "mynetworks_style = host",
    `maillog_file = ${p.log}/postfix.log`,
    `maillog_file_prefixes = ${l.dir}`,
    "syslog_name = sovereign-mail",
    "alias_maps =",
    "alias_database =",
    `virtual_mailbox_domains = ${domains.map((d) => d.domain).join(", ")}`,
    `virtual_mailbox_maps = texthash:${p.postfix}/mailboxes`,
    `virtual_alias_maps = texthash:${p.postfix}/virtual`,
    `virtual_transport = lmtp:unix:${p.run}/lmtp`,
    `smtpd_tls_cert_file = ${p.tls}/cert.pem`,
    `smtpd_tls_key_file = ${p.tls}/key.pem`,
    "smtpd_tls_security_level = may",
    // Port 25 takes mail for our domains only: no open relay.
    `smtpd_relay_restrictions = ${INBOUND_RESTRICTIONS.relay}`,
    `smtpd_recipient_restrictions = ${INBOUND_RESTRICTIONS.recipient}`,
    `smtpd_sasl_path = smtpd`,
    "smtpd_sasl_auth_enable = no",
    `non_smtpd_milters = inet:127.0.0.1:${l.ports.milter}`,
    "milter_default_action = tempfail",
    "smtp_tls_security_level = may",
    "",
  ].join("\n");
}

const POSTFIX_SERVICES = [
  "pickup unix n - n 60 1 pickup",
  "cleanup unix n - n - 0 cleanup",
  "qmgr unix n - n 300 1 qmgr",
  "tlsmgr unix - - n 1000? 1 tlsmgr",
  "rewrite unix - - n - - trivial-rewrite",
  "bounce unix - - n - 0 bounce",
  "defer unix - - n - 0 bounce",
  "trace unix - - n - 0 bounce",
  "verify unix - - n - 1 verify",
  "flush unix n - n 1000? 0 flush",
  "proxymap unix - - n - - proxymap",
  "smtp unix - - n - - smtp",
  "relay unix - - n - - smtp",
  "showq unix n - n - - showq",
  "error unix - - n - - error",
  "retry unix - - n - - error",
  "discard unix - - n - - discard",
  "lmtp unix - - n - - lmtp",
  "anvil unix - - n - 1 anvil",
  "scache unix - - n - 1 scache",
  "postlog unix-dgram n - n - 1 postlogd",
];

/** What submission (587) overrides in Postfix's defaults: TLS first, then SASL, then signing. */
export function submissionOptions(l: MailServerLayout): Record<string, string> {
  return {
    syslog_name: "sovereign-mail/submission",
    smtpd_tls_security_level: "encrypt",
    smtpd_tls_auth_only: "yes",
    smtpd_sasl_auth_enable: "yes",
    smtpd_client_restrictions: "permit_sasl_authenticated,reject",
    smtpd_relay_restrictions: "permit_sasl_authenticated,reject",
    smtpd_recipient_restrictions: "permit_sasl_authenticated,reject",
    smtpd_milters: `inet:127.0.0.1:${l.ports.milter}`,
  };
}

function postfixMaster(l: MailServerLayout): string {
  return [
    `${l.listen}:${l.ports.smtp} inet n - n - - smtpd`,
    `${l.listen}:${l.ports.submission} inet n - n - - smtpd`,
    ...Object.entries(submissionOptions(l)).map(([k, v]) => `  -o ${k}=${v}`),
    ...POSTFIX_SERVICES,
    "",
  ].join("\n");
}

/** Cyrus imapd.conf settings that are not paths (the NixOS module sets its own paths). */
export const CYRUS_SETTINGS: Record<string, string> = {
  // Users are full addresses: alice@example.org has user/alice@example.org.
  virtdomains: "userid",
  unixhierarchysep: "1",
  admins: CYRUS_ADMIN,
  sasl_pwcheck_method: "saslauthd",
  sasl_mech_list: "PLAIN LOGIN",
  allowplaintext: "0",
};

function cyrusImapd(l: MailServerLayout): string {
  const p = serverPaths(l.dir);
  const settings: Record<string, string> = {
    configdirectory: `${p.cyrus}/lib`,
    "partition-default": `${p.cyrus}/spool`,
    servername: l.hostName,
    ...CYRUS_SETTINGS,
    sasl_saslauthd_path: `${p.sasl}/mux`,
    tls_server_cert: `${p.tls}/cert.pem`,
    tls_server_key: `${p.tls}/key.pem`,
    lmtpsocket: `${p.run}/lmtp`,
    idlesocket: `${p.run}/idle`,
    notifysocket: `${p.run}/notify`,
    syslog_prefix: "sovereign-mail",
  };
  return Object.entries(settings)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join("");
}

function cyrusConf(l: MailServerLayout): string {
  const p = serverPaths(l.dir);
  const conf = `${p.cyrus}/imapd.conf`;
  return [
    "START {",
    `  recover cmd="ctl_cyrusdb -C ${conf} -r"`,
    "}",
    "SERVICES {",
    `  imaps cmd="imapd -s -C ${conf} -U 30" listen="${l.listen}:${l.ports.imaps}" prefork=0 maxchild=50`,
    `  lmtpunix cmd="lmtpd -C ${conf}" listen="${p.run}/lmtp" prefork=0 maxchild=10`,
    "}",
    "EVENTS {",
    `  checkpoint cmd="ctl_cyrusdb -C ${conf} -c" period=30`,
    "}",
    "",
  ].join("\n");
}

function openDkimConf(l: MailServerLayout): string {
  const p = serverPaths(l.dir);
  return [
    "Syslog no",
    "Mode s",
    `Socket inet:${l.ports.milter}@127.0.0.1`,
    `PidFile ${p.dkim}/opendkim.pid`,
    "UserID opendkim:opendkim",
    `KeyTable file:${p.dkim}/keytable`,
    `SigningTable refile:${p.dkim}/signingtable`,
    "Canonicalization relaxed/simple",
    "SignatureAlgorithm rsa-sha256",
    "OversignHeaders From",
    `RequireSafeKeys ${l.requireSafeKeys ? "true" : "false"}`,
    "",
  ].join("\n");
}

/** PAM for saslauthd's namespace: every service name (Cyrus says "imap", Postfix "smtp") checks the hashes. */
export const pamService = (passwd: string) =>
  `auth required pam_pwdfile.so pwdfile=${passwd}\naccount required pam_permit.so\n`;

/** The configuration files (all but the password hashes and the DKIM keys, which are secrets). */
export function mailServerFiles(l: MailServerLayout, domains: ServedDomain[]): ServerFile[] {
  const p = serverPaths(l.dir);
  const mailboxes = domains.flatMap((d) =>
    d.mailboxes.mailboxes.map((m) => `${m.address.toLowerCase()} OK\n`),
  );
  const tables = domains.map((d) =>
    openDkimTables(d.domain, d.selector, dkimKeyPath(l.dir, d.domain, d.selector)),
  );
  const f = (path: string, content: string, mode = "0644"): ServerFile => ({ path, content, mode });
  return [
    f(`${p.postfix}/main.cf`, postfixMain(l, domains)),
    f(`${p.postfix}/master.cf`, postfixMaster(l)),
    // Debian's Postfix reads its SASL application file from <config dir>/sasl/.
    f(
      `${p.postfix}/sasl/smtpd.conf`,
      `pwcheck_method: saslauthd\nsaslauthd_path: ${p.sasl}/mux\nmech_list: PLAIN LOGIN\n`,
    ),
    f(`${p.postfix}/mailboxes`, mailboxes.join("")),
    f(`${p.postfix}/virtual`, domains.map((d) => postfixVirtualAliases(d.domain, d.mailboxes)).join("")),
    f(`${p.cyrus}/imapd.conf`, cyrusImapd(l)),
    f(`${p.cyrus}/cyrus.conf`, cyrusConf(l)),
    f(`${p.dkim}/opendkim.conf`, openDkimConf(l)),
    f(`${p.dkim}/keytable`, tables.map((t) => t.keyTable).join("")),
    f(`${p.dkim}/signingtable`, tables.map((t) => t.signingTable).join("")),
    ...["imap", "smtp", "other"].map((s) => f(`${p.pam}/${s}`, pamService(p.passwd))),
  ];
}

/**
 * Directories with the owners each daemon needs, postfix in the sasl group (Debian's way to reach
 * saslauthd), and a self-signed TLS key made on the host (it never leaves it) when there is none.
 */
export function mailServerPrepare(l: MailServerLayout): string {
  const p = serverPaths(l.dir);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    "set -e",
    `mkdir -p ${q(p.queue)} ${q(p.data)} ${q(`${p.cyrus}/lib`)} ${q(`${p.cyrus}/spool`)} ${q(p.run)} ${q(p.sasl)} ${q(`${p.dkim}/keys`)} ${q(p.tls)} ${q(p.log)}`,
    `chown postfix:postfix ${q(p.data)} && chmod 0700 ${q(p.data)}`,
    `chown cyrus:mail ${q(`${p.cyrus}/lib`)} ${q(`${p.cyrus}/spool`)} ${q(p.run)} && chmod 0750 ${q(`${p.cyrus}/lib`)} ${q(`${p.cyrus}/spool`)}`,
    `chmod 0755 ${q(p.run)}`,
    `chown root:sasl ${q(p.sasl)} && chmod 0710 ${q(p.sasl)}`,
    `chown opendkim:opendkim ${q(p.dkim)} ${q(`${p.dkim}/keys`)} && chmod 0750 ${q(p.dkim)} ${q(`${p.dkim}/keys`)}`,
    "id -nG postfix | grep -qw sasl || usermod -a -G sasl postfix",
    `if [ ! -s ${q(`${p.tls}/key.pem`)} ]; then`,
    `  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj ${q(`/CN=${l.hostName}`)} -addext ${q(`subjectAltName=DNS:${l.hostName}`)} -keyout ${q(`${p.tls}/key.pem.tmp`)} -out ${q(`${p.tls}/cert.pem`)} 2>/dev/null`,
    `  chown root:mail ${q(`${p.tls}/key.pem.tmp`)} && chmod 0640 ${q(`${p.tls}/key.pem.tmp`)} && mv ${q(`${p.tls}/key.pem.tmp`)} ${q(`${p.tls}/key.pem`)}`,
    "fi",
    "",
  ].join("\n");
}

/** In start order: password checks first, then the store, the signer, and Postfix last. */
export function mailServerDaemons(dir: string): Daemon[] {
  const p = serverPaths(dir);
  return [
    {
      name: "saslauthd",
      start:
        `unshare --mount --propagation private sh -c 'mount --bind "$1" /etc/pam.d && exec saslauthd -a pam -r -n 2 -m "$2"' ` +
        `sh '${p.pam}' '${p.sasl}'`,
      pidFile: `${p.sasl}/saslauthd.pid`,
    },
    {
      name: "cyrus",
      start: `cyrus master -C '${p.cyrus}/imapd.conf' -M '${p.cyrus}/cyrus.conf' -d -p '${p.run}/cyrus-master.pid'`,
      pidFile: `${p.run}/cyrus-master.pid`,
    },
    { name: "opendkim", start: `opendkim -x '${p.dkim}/opendkim.conf'`, pidFile: `${p.dkim}/opendkim.pid` },
    { name: "postfix", start: `postfix -c '${p.postfix}' start`, pidFile: `${p.queue}/pid/master.pid` },
  ];
}

/**
 * Run on the host after start (python3, JSON on stdin so no password is in the process list): the
 * Cyrus admin creates every mailbox that is missing and sets its quota (KiB; none = no limit).
 * It talks IMAPS to the server on its own address, whose self-signed certificate it does not check.
 */
export const CYRUS_PROVISION_PY = `
import imaplib, json, ssl, sys
a = json.load(sys.stdin)
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL(a["host"], a["port"], ssl_context=ctx)
m.login(a["admin"], a["password"])
for box in a["mailboxes"]:
    name = "user/" + box["address"]
    typ, found = m.list('""', name)
    if not [f for f in found if f]:
        typ, data = m.create(name)
        if typ != "OK": sys.exit("creating %s: %s" % (name, data))
    typ, data = m.setquota(name, "(STORAGE %d)" % box["quotaKiB"] if box.get("quotaKiB") else "()")
    if typ != "OK": sys.exit("quota of %s: %s" % (name, data))
m.logout()
`;

/** What the provisioning step creates: every mailbox, with its quota in KiB where it has one. */
export function cyrusQuotaEntries(domains: ServedDomain[]): { address: string; quotaKiB?: number }[] {
  return domains.flatMap((d) => {
    const quotas = cyrusQuotasKiB(d.mailboxes);
    return d.mailboxes.mailboxes.map((m) => {
      const address = m.address.toLowerCase();
      return quotas[address] ? { address, quotaKiB: quotas[address] } : { address };
    });
  });
}

/** What is wrong with a server's inputs: a mailbox without a password, a password without a mailbox, a bad dir. */
export function mailServerProblems(i: {
  domains: string[];
  mailboxes: string[];
  passwords: string[];
  dir: string;
}): MailProblem[] {
  const problems: MailProblem[] = [];
  for (const address of i.mailboxes)
    if (!i.passwords.includes(address))
      problems.push({
        field: `passwords["${address}"]`,
        message: `mailbox ${address} has no password; give it one (a secret)`,
      });
  for (const address of i.passwords)
    if (!i.mailboxes.includes(address))
      problems.push({
        field: `passwords["${address}"]`,
        message: `${address} is not a mailbox of ${i.domains.join(", ") || "any domain"}; remove it or add the mailbox`,
      });
  if (!/^\/[A-Za-z0-9._/-]+$/.test(i.dir) || i.dir.split("/").includes(".."))
    problems.push({
      field: "dir",
      message: `"${i.dir}" must be an absolute path of [A-Za-z0-9._/-] without ".."`,
    });
  return problems;
}
