/**
 * `MailServer`: the mail server of one or more `MailDomain`s on a plain Linux host, configured over
 * SSH: Postfix (SMTP, submission with STARTTLS + SASL), Cyrus IMAP (IMAPS, LMTP delivery), Cyrus SASL
 * (saslauthd + pam_pwdfile over SHA-512-crypt hashes) and OpenDKIM signing with each domain's key.
 * The configuration files go through `PlainHost`, each DKIM private key through `HostSecret`
 * (age-encrypted to the host key, decrypted there to mode 0400 for opendkim), and the daemons run
 * from the server's own directory through `PlainDaemons`. Mailbox passwords arrive as secrets and
 * leave this component only as salted hashes.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlainDaemons } from "../../providers/hosts/resources";
import { resourceOwner } from "../../providers/shared/resourceOwner";
import { PlainHost } from "../hosts/plainHost";
import type { SshTarget } from "../hosts/ssh";
import { HostSecret } from "../secrets/hostSecret";
import type { SecretGenerator } from "../secrets/generator";
import type { MailDomain } from "./mailDomain";
import { mailProblemsError } from "./problems";
import {
  CYRUS_ADMIN,
  CYRUS_PROVISION_PY,
  cyrusQuotaEntries,
  dkimKeyPath,
  mailServerDaemons,
  mailServerFiles,
  mailServerProblems,
  mailServerPrepare,
  MailServerLayout,
  MailServerPorts,
  pwdfile,
  serverPaths,
  STANDARD_PORTS,
} from "./serverConfig";
import { sha512Crypt } from "./sha512Crypt";

/** The host a {@link MailServer} runs on. */
export interface MailServerHost {
  /** The host's name in the SDK (PlainHost's manifest is keyed by it). */
  hostName: string;
  /** How to reach the host over SSH. */
  target: SshTarget;
  /** OpenSSH private key text for `target` (a secret). */
  privateKey?: pulumi.Input<string>;
  /** The same key as a file, for the secret delivery (HostSecret runs the ssh client with it). */
  privateKeyPath?: string;
  /** The host's SSH host public key, which the DKIM keys are encrypted to. */
  hostPublicKey: string;
  /** Where the host keeps the matching private key (default /etc/ssh/ssh_host_ed25519_key). */
  hostKeyPath?: string;
  /** Where the host keeps the encrypted secrets (default /var/lib/sovereign/secrets). */
  secretStoreDir?: string;
}

/** Inputs of a {@link MailServer}. */
export interface MailServerArgs {
  /** The plain Linux host the mail server (Postfix, Cyrus IMAP, OpenDKIM) runs on. */
  host: MailServerHost;
  /** The name the MX records give (e.g. "mx1.example.org"). */
  serverName: string;
  /** The mail domains it serves. */
  domains: MailDomain[];
  /** Every mailbox's password ("alice@example.org" → secret). Stored on the host only as a hash. */
  passwords: Record<string, pulumi.Input<string>>;
  /** Makes the hash salts and the Cyrus admin's password: `builtinSecrets()` on the local site. */
  secrets: SecretGenerator;
  /** Default /var/lib/sovereign-mail. */
  dir?: string;
  /** Default "0.0.0.0" (every address). */
  listen?: string;
  /** Default the standard ports; the DNS records always announce the standard ones. */
  ports?: Partial<MailServerPorts>;
  /** See MailServerLayout.requireSafeKeys; default true. */
  requireSafeKeys?: boolean;
  /** Take over server files on the host that this stack did not write (passed to PlainHost); default false. */
  adopt?: boolean;
}

const saltOf = (random: pulumi.Output<string>) => random.apply((r) => r.slice(0, 16));

/**
 * The mail server of one or more {@link MailDomain}s on a plain Linux host, configured over SSH:
 * Postfix (SMTP, submission), Cyrus IMAP (IMAPS), Cyrus SASL and OpenDKIM signing with each
 * domain's key. Mailbox passwords are stored on the host only as salted hashes; a config problem
 * (e.g. a mailbox without a password) throws at preview, naming the field.
 *
 * @example
 * ```ts
 * // domain: a MailDomain (see its example); sshKey: the host's login key, a secret.
 * new MailServer("coop-mx", {
 *   host: { hostName: "mail", target: { host: "192.0.2.25" }, privateKey: sshKey },
 *   serverName: "mail.coop.example",
 *   domains: [domain],
 *   passwords: { "info@coop.example": cfg.requireSecret("infoPassword") },
 *   secrets: secrets.builtinSecrets(),
 * });
 * ```
 */
export class MailServer extends pulumi.ComponentResource {
  /** The ports it listens on (SMTP, submission, IMAPS, milter). */
  readonly ports: MailServerPorts;
  /** name → running, as last seen by the provider. */
  readonly running: pulumi.Output<Record<string, boolean>>;

  constructor(name: string, args: MailServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:mail:MailServer", name, {}, opts);
    const boxes = args.domains.flatMap((d) => d.mailboxes.mailboxes.map((m) => m.address.toLowerCase()));
    const dir = args.dir ?? "/var/lib/sovereign-mail";
    const problems = mailServerProblems({
      domains: args.domains.map((d) => d.domain),
      mailboxes: boxes,
      passwords: Object.keys(args.passwords),
      dir,
    });
    if (problems.length > 0) throw mailProblemsError(`MailServer ${name}`, problems);

    this.ports = { ...STANDARD_PORTS, ...args.ports };
    const layout: MailServerLayout = {
      dir,
      hostName: args.serverName.replace(/\.$/, ""),
      listen: args.listen ?? "0.0.0.0",
      ports: this.ports,
      requireSafeKeys: args.requireSafeKeys ?? true,
    };
    const served = args.domains.map((d) => ({
      domain: d.domain,
      mailboxes: d.mailboxes,
      selector: d.signingSelector,
    }));
    const child = { parent: this };
    const secretOpts = { parent: this, protect: false };

    const adminPassword = args.secrets.random(`${name}-cyrus-admin`, secretOpts);
    const hashes: Record<string, pulumi.Output<string>> = {
      [CYRUS_ADMIN]: pulumi
        .all([adminPassword, saltOf(args.secrets.random(`${name}-salt-admin`, secretOpts))])
        .apply(([pw, salt]) => sha512Crypt(pw, salt)),
    };
    for (const address of boxes) {
      const salt = saltOf(args.secrets.random(`${name}-salt-${address}`, secretOpts));
      hashes[address] = pulumi
        .all([pulumi.secret(args.passwords[address]), salt])
        .apply(([pw, s]) => sha512Crypt(pw, s));
    }
    const passwd = pulumi.secret(pulumi.all(hashes).apply((h) => pwdfile(h)));

    const host = new PlainHost(
      `${name}-host`,
      {
        hostName: args.host.hostName,
        target: args.host.target,
        privateKey: args.host.privateKey,
        packages: ["postfix", "cyrus-imapd", "sasl2-bin", "libpam-pwdfile", "opendkim", "python3", "openssl"],
        files: [
          ...mailServerFiles(layout, served),
          { path: serverPaths(dir).passwd, content: passwd, mode: "0600" },
        ],
        adopt: args.adopt,
      },
      child,
    );

    const keys = args.domains.map(
      (d) =>
        new HostSecret(
          `${name}-dkim-${d.domain}`,
          {
            name: `mail-dkim-${d.domain}-${d.signingSelector}`,
            host: {
              address: args.host.target.host,
              port: args.host.target.port,
              user: args.host.target.user,
              hostPublicKey: args.host.hostPublicKey,
              hostKeyPath: args.host.hostKeyPath,
              privateKeyPath: args.host.privateKeyPath,
              storeDir: args.host.secretStoreDir,
            },
            value: d.signingKeyPem,
            path: dkimKeyPath(dir, d.domain, d.signingSelector),
            owner: "opendkim",
            group: "opendkim",
            mode: "0400",
          },
          { parent: this, dependsOn: [host] },
        ),
    );

    const provision = pulumi.secret(
      adminPassword.apply((password) =>
        JSON.stringify({
          host: layout.listen === "0.0.0.0" ? "127.0.0.1" : layout.listen,
          port: layout.ports.imaps,
          admin: CYRUS_ADMIN,
          password,
          mailboxes: cyrusQuotaEntries(served),
        }),
      ),
    );
    const daemons = new PlainDaemons(
      `${name}-daemons`,
      {
        hostName: args.host.hostName,
        target: args.host.target,
        privateKey: args.host.privateKey,
        owner: resourceOwner(`${name}-daemons`),
        dir,
        prepare: mailServerPrepare(layout),
        daemons: mailServerDaemons(dir),
        afterStart: [
          {
            what: "creating mailboxes and quotas",
            argv: ["python3", "-c", CYRUS_PROVISION_PY],
            input: provision,
          },
        ],
        restartKey: pulumi
          .all([host.fileHashes, pulumi.all(keys.map((k) => k.path))])
          .apply(([hashes, paths]) => JSON.stringify({ hashes, paths })),
        adopt: args.adopt,
      },
      { parent: this, dependsOn: [host, ...keys] },
    );
    this.running = daemons.running;
    this.registerOutputs({ ports: this.ports, running: this.running });
  }
}
