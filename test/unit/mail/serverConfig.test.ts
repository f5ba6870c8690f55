import * as assert from "assert";
import { planMailboxes } from "../../../sdk/mail/mailboxes";
import { mailServerNixos } from "../../../sdk/mail/nixosMailServer";
import {
  cyrusQuotaEntries,
  dkimKeyPath,
  mailServerDaemons,
  mailServerFiles,
  mailServerProblems,
  MailServerLayout,
  pwdfile,
  STANDARD_PORTS,
} from "../../../sdk/mail/serverConfig";
import { render } from "../../../sdk/nix/render";
import { nixEvalJson } from "../../harness/nix";

const layout: MailServerLayout = {
  dir: "/var/lib/sovereign-mail",
  hostName: "mx1.example.org",
  listen: "0.0.0.0",
  ports: STANDARD_PORTS,
  requireSafeKeys: true,
};
const { plan } = planMailboxes("example.org", {
  mailboxes: [{ address: "Alice", quota: "2M" }, { address: "bob" }],
  aliases: [{ address: "postmaster", to: ["alice"] }],
});
const served = [{ domain: "example.org", mailboxes: plan, selector: "s2" }];
const file = (path: string) => {
  const f = mailServerFiles(layout, served).find((x) => x.path === `${layout.dir}/${path}`);
  assert.ok(f, `${path} is rendered`);
  return f.content;
};

describe("mail server configuration", () => {
  it("port 25 relays nothing; submission demands TLS, then SASL, and signs through OpenDKIM", () => {
    const main = file("postfix/main.cf");
    assert.match(main, /^smtpd_relay_restrictions = reject_unauth_destination$/m);
    assert.match(main, /^virtual_mailbox_domains = example\.org$/m);
    assert.match(main, /^inet_interfaces = all$/m);
    const master = file("postfix/master.cf");
    assert.match(master, /^0\.0\.0\.0:25 inet n - n - - smtpd\n0\.0\.0\.0:587 inet/m);
    for (const o of [
      "smtpd_tls_security_level=encrypt",
      "smtpd_tls_auth_only=yes",
      "smtpd_relay_restrictions=permit_sasl_authenticated,reject",
      "smtpd_milters=inet:127.0.0.1:8891",
    ])
      assert.ok(master.includes(`  -o ${o}\n`), o);
    assert.strictEqual(file("postfix/mailboxes"), "alice@example.org OK\nbob@example.org OK\n");
  });

  it("signs with the domain's current selector from the delivered key file", () => {
    assert.strictEqual(
      file("opendkim/keytable"),
      `s2._domainkey.example.org example.org:s2:${dkimKeyPath(layout.dir, "example.org", "s2")}\n`,
    );
    assert.match(file("opendkim/opendkim.conf"), /^RequireSafeKeys true$/m);
  });

  it("checks every PAM service of saslauthd against the hash file only", () => {
    for (const s of ["imap", "smtp", "other"])
      assert.strictEqual(
        file(`pam.d/${s}`),
        `auth required pam_pwdfile.so pwdfile=${layout.dir}/passwd\naccount required pam_permit.so\n`,
      );
    assert.strictEqual(pwdfile({ "b@x": "$6$s$h2", "a@x": "$6$s$h1" }), "a@x:$6$s$h1\nb@x:$6$s$h2\n");
    const sasl = mailServerDaemons(layout.dir)[0];
    assert.match(sasl.start, /mount --bind .* \/etc\/pam\.d && exec saslauthd -a pam -r/);
  });

  it("creates every mailbox with its quota in KiB", () => {
    assert.deepStrictEqual(cyrusQuotaEntries(served), [
      { address: "alice@example.org", quotaKiB: 2048 },
      { address: "bob@example.org" },
    ]);
  });

  it("names each password that has no mailbox, each mailbox without a password, and a bad dir", () => {
    assert.deepStrictEqual(
      mailServerProblems({
        domains: ["example.org"],
        mailboxes: ["alice@example.org", "bob@example.org"],
        passwords: ["alice@example.org", "carol@example.org"],
        dir: "/var/lib/../etc",
      }).map((p) => p.field),
      ['passwords["bob@example.org"]', 'passwords["carol@example.org"]', "dir"],
    );
  });

  it("renders the same server as a NixOS fragment that Nix evaluates", () => {
    const value = nixEvalJson(
      render(
        mailServerNixos(layout, served, { passwd: "/run/agenix/mail-passwd", dkimKeys: "/run/agenix/dkim" }),
      ),
    ) as {
      services: {
        postfix: { submissionOptions: Record<string, string>; settings: { main: Record<string, unknown> } };
        "cyrus-imap": { imapdSettings: Record<string, string> };
        opendkim: { selector: string };
      };
      security: { pam: { services: { imap: { text: string } } } };
    };
    const master = file("postfix/master.cf");
    for (const [k, v] of Object.entries(value.services.postfix.submissionOptions))
      assert.ok(master.includes(`  -o ${k}=${v}\n`), `${k} is the same on both paths`);
    assert.strictEqual(
      value.services.postfix.settings.main.smtpd_relay_restrictions,
      "reject_unauth_destination",
    );
    assert.strictEqual(value.services["cyrus-imap"].imapdSettings.sasl_pwcheck_method, "saslauthd");
    assert.strictEqual(value.services.opendkim.selector, "s2");
    assert.match(value.security.pam.services.imap.text, /pam_pwdfile\.so pwdfile=\/run\/agenix\/mail-passwd/);
  });
});
