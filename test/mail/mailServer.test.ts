/**
 * A real mail server on the local site, deployed by `MailServer` over SSH through the real engine:
 * Postfix + Cyrus IMAP + saslauthd/pam_pwdfile + OpenDKIM from their own directory on loopback
 * ports. A real SMTP client (swaks) authenticates on submission with STARTTLS and sends; a wrong
 * password and an unauthenticated relay attempt are refused; a real IMAP client reads the message,
 * whose DKIM signature verifies against the key the real PowerDNS publishes. The password is only a
 * salted hash on the host and, like the DKIM key, never plain in the state. Destroy stops every daemon.
 */
import * as assert from "assert";
import { execFile, execFileSync } from "child_process";
import { createPublicKey } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as pulumi from "@pulumi/pulumi";
import { freePort, isAlive, repoRoot, startPowerDns, stopPid, useService } from "../harness";
import { dig } from "../harness/dig";
import type { PowerDnsService } from "../harness/types";
import type { TestStack } from "../harness/workspace";
import { backendFilesText, cliStackExport, powerDnsStack } from "../providers/powerdns/helpers";
import { DnsZone } from "../../sdk/dns/dnsZone";
import { MailDomain } from "../../sdk/mail/mailDomain";
import { MailServer } from "../../sdk/mail/mailServer";
import { DkimArgs, planDkimRotation } from "../../sdk/mail/dkimRotation";
import { mailServerDaemons, type MailServerPorts } from "../../sdk/mail/serverConfig";
import { builtinSecrets } from "../../sdk/secrets/builtinSecrets";
import { hostPublicKeyFrom } from "../../sdk/secrets";

const run = promisify(execFile);
const quiet = { color: "never" as const };
const PASSWORD = "alice-Correct-Horse-7f3a9c";

/** swaks' exit code and transcript (it exits non-zero when the server refuses). */
async function swaks(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run("swaks", [...args, "--timeout", "20"], { timeout: 60_000 });
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

interface ImapResult {
  login: "ok" | "refused";
  found?: boolean;
  dkimDomain?: string;
  dkimSelector?: string;
  verified?: boolean;
  quota?: string | null;
}

function imapRead(
  s: PowerDnsService,
  port: number,
  user: string,
  password: string,
  subject: string,
): ImapResult {
  const out = execFileSync("/usr/bin/python3", [path.join(repoRoot(), "test", "mail", "imap-read.py")], {
    input: JSON.stringify({
      host: "127.0.0.1",
      port,
      user,
      password,
      subject,
      dnsServer: s.dnsAddress,
      dnsPort: s.dnsPort,
      timeout: 30,
    }),
    encoding: "utf8",
  });
  return JSON.parse(out) as ImapResult;
}

describe("MailServer: a real Postfix + Cyrus + SASL + OpenDKIM deployed over SSH through the real engine", function () {
  this.timeout(900_000);
  let t: TestStack | undefined;
  let scratch = "";
  let dir = "";
  let ports: MailServerPorts;
  // Registered before the services, so it runs while PowerDNS and sshd are still up.
  after(async () => {
    try {
      await t?.dispose();
    } finally {
      // Whatever happened above, no daemon of this test outlives it.
      for (const d of dir ? mailServerDaemons(dir) : []) {
        const pid = Number.parseInt(fs.existsSync(d.pidFile) ? fs.readFileSync(d.pidFile, "utf8") : "", 10);
        if (Number.isInteger(pid) && isAlive(pid)) await stopPid(pid);
      }
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  const pdns = useService(() => startPowerDns());
  const sshd = useService("sshd");

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-mail-"));
    fs.chmodSync(scratch, 0o755);
    dir = path.join(scratch, "server");
    ports = {
      smtp: await freePort(),
      submission: await freePort(),
      imaps: await freePort(),
      milter: await freePort(),
    };
  });
  it("authenticates submission, refuses bad passwords and relaying, delivers to IMAPS with a verifiable DKIM signature, rotates the signing key without a gap", async () => {
    const s = pdns();
    const ssh = sshd();
    let dkim: DkimArgs = { selectors: [{ selector: "s1" }], signWith: "s1" };
    const hostName = `mailtest-${path
      .basename(scratch)
      .replace(/[^a-z0-9]/gi, "")
      .toLowerCase()}`;
    t = await powerDnsStack("mail-server", s, async () => {
      const zone = new DnsZone("mail", {
        connection: { apiUrl: s.apiUrl },
        zone: "mail.test.",
        nameservers: ["ns1.mail.test."],
        protect: false,
      });
      zone.host("mx1", { ipv4: ["127.0.0.1"] });
      const secrets = builtinSecrets();
      const domain = new MailDomain("mail", {
        zone,
        mailHost: "mx1",
        mailboxes: [{ address: "alice", quota: "10M" }, { address: "bob" }],
        aliases: [{ address: "postmaster", to: ["alice"] }],
        dkim,
        secrets,
        protect: false,
      });
      const server = new MailServer("mx", {
        host: {
          hostName,
          target: { host: "127.0.0.1", port: ssh.port, user: ssh.user, knownHostsPath: ssh.knownHostsPath },
          privateKey: pulumi.secret(ssh.privateKey),
          privateKeyPath: ssh.privateKeyPath,
          hostPublicKey: hostPublicKeyFrom(fs.readFileSync(ssh.knownHostsPath, "utf8"))!,
          hostKeyPath: path.join(ssh.dir, "ssh_host_ed25519_key"),
          secretStoreDir: path.join(scratch, "secrets"),
        },
        serverName: "mx1.mail.test",
        domains: [domain],
        passwords: {
          "alice@mail.test": pulumi.secret(PASSWORD),
          "bob@mail.test": pulumi.secret("bob-Battery-Staple-42e1"),
        },
        secrets,
        dir,
        listen: "127.0.0.1",
        ports,
        // The test's directory is under /tmp, which everyone may write to.
        requireSafeKeys: false,
      });
      return { running: server.running, signingKeyPem: domain.signingKeyPem };
    });
    await t.stack.up(quiet);
    const out = await t.stack.outputs();
    assert.deepStrictEqual(out.running.value, {
      saslauthd: true,
      cyrus: true,
      opendkim: true,
      postfix: true,
    });

    // The key OpenDKIM signs with is the one PowerDNS publishes, and only opendkim may read it.
    const keyFile = path.join(dir, "opendkim", "keys", "mail.test.s1.key");
    const st = fs.statSync(keyFile);
    assert.strictEqual((st.mode & 0o777).toString(8), "400");
    assert.strictEqual(st.uid, Number(execFileSync("id", ["-u", "opendkim"], { encoding: "utf8" })));
    const published = (await dig(s, "s1._domainkey.mail.test.", "TXT")).map((l) =>
      l.replace(/"/g, "").replace(/ /g, ""),
    );
    const spki = createPublicKey(fs.readFileSync(keyFile, "utf8"))
      .export({ type: "spki", format: "der" })
      .toString("base64");
    assert.deepStrictEqual(published, [`v=DKIM1;k=rsa;p=${spki}`]);
    assert.deepStrictEqual(await dig(s, "mail.test.", "MX"), ["10 mx1.mail.test."]);
    assert.deepStrictEqual(await dig(s, "_submission._tcp.mail.test.", "SRV"), ["0 1 587 mx1.mail.test."]);

    const submit = [
      "--server",
      `127.0.0.1:${ports.submission}`,
      "--tls",
      "--auth",
      "PLAIN",
      "--auth-user",
      "alice@mail.test",
    ];
    /** alice submits a message on 587 (STARTTLS, then SASL PLAIN). */
    const send = (to: string, subject: string, password = PASSWORD) =>
      swaks([
        ...submit,
        "--auth-password",
        password,
        "--from",
        "alice@mail.test",
        "--to",
        to,
        "--header",
        `Subject: ${subject}`,
      ]);
    const sent = await send("postmaster@mail.test", "hello from alice");
    assert.strictEqual(sent.code, 0, sent.out);
    assert.match(sent.out, /235 2\.7\.0 Authentication successful/);
    assert.match(sent.out, /250 2\.0\.0 Ok: queued as/);

    const wrong = await send("bob@mail.test", "never sent", "not-the-password");
    assert.notStrictEqual(wrong.code, 0);
    assert.match(wrong.out, /535 5\.7\.8 Error: authentication failed/);

    // No open relay: without authentication, port 25 takes mail for its own domains only.
    const relay = await swaks([
      "--server",
      `127.0.0.1:${ports.smtp}`,
      "--from",
      "someone@example.net",
      "--to",
      "victim@example.org",
    ]);
    assert.notStrictEqual(relay.code, 0);
    assert.match(relay.out, /554 5\.7\.1 .*Relay access denied/);
    const noAuth = await swaks([
      "--server",
      `127.0.0.1:${ports.submission}`,
      "--tls",
      "--from",
      "alice@mail.test",
      "--to",
      "victim@example.org",
    ]);
    assert.notStrictEqual(noAuth.code, 0);
    assert.match(noAuth.out, /554 5\.7\.1/);

    const read = imapRead(s, ports.imaps, "alice@mail.test", PASSWORD, "hello from alice");
    assert.deepStrictEqual(
      {
        login: read.login,
        found: read.found,
        d: read.dkimDomain,
        s: read.dkimSelector,
        verified: read.verified,
      },
      { login: "ok", found: true, d: "mail.test", s: "s1", verified: true },
      "the message reached alice through the postmaster alias, signed with the published key",
    );
    assert.match(read.quota ?? "", /STORAGE \d+ 10240\)/, "alice's 10M quota is set in Cyrus");
    assert.strictEqual(imapRead(s, ports.imaps, "alice@mail.test", "wrong", "x").login, "refused");

    // Passwords only as salted SHA-512-crypt hashes on the host; nothing secret in plain text in the state.
    const passwd = fs.readFileSync(path.join(dir, "passwd"), "utf8");
    assert.match(passwd, /^alice@mail\.test:\$6\$[0-9a-f]{16}\$[./0-9A-Za-z]{86}$/m);
    assert.ok(!passwd.includes(PASSWORD));
    const keyLine = (out.signingKeyPem.value as string).split("\n")[5];
    for (const [what, text] of [
      ["the backend's files", backendFilesText(t.engine.backendDir)],
      ["`pulumi stack export`", cliStackExport(t.engine.env, t.workDir)],
    ]) {
      assert.ok(!text.includes(PASSWORD), `mailbox password in ${what}`);
      assert.ok(!text.includes(keyLine), `DKIM private key in ${what}`);
    }

    // Rotation on the running server: after the switch it signs with s2, and s1 stays published until retire.
    const seen: string[] = [];
    for (const phase of planDkimRotation(dkim, "s2", "2099-01-01T00:00:00Z")) {
      dkim = phase.dkim;
      await t.stack.up(quiet);
      const subject = `after ${phase.phase}`;
      const again = await send("alice@mail.test", subject);
      assert.strictEqual(again.code, 0, again.out);
      const r = imapRead(s, ports.imaps, "alice@mail.test", PASSWORD, subject);
      const s1 = (await dig(s, "s1._domainkey.mail.test.", "TXT")).length > 0;
      seen.push(
        `${phase.phase}: signed ${r.dkimSelector} ${r.verified ? "verified" : "NOT verified"}, s1 ${s1 ? "published" : "gone"}`,
      );
    }
    assert.deepStrictEqual(seen, [
      "publish-new: signed s1 verified, s1 published",
      "switch-signing: signed s2 verified, s1 published",
      "retire-old: signed s2 verified, s1 gone",
    ]);

    // Destroy stops every daemon it started.
    const pids = mailServerDaemons(dir).map((d) => Number.parseInt(fs.readFileSync(d.pidFile, "utf8"), 10));
    await t.dispose();
    t = undefined;
    assert.deepStrictEqual(
      pids.filter((p) => isAlive(p)),
      [],
      "no daemon is left running",
    );
  });
});
