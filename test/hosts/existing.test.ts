/**
 * The `existing` placement and PlainHost against a real SSH host (the harness's sshd on loopback):
 * host keys verified before anything connects, a bounded wait with a clear error, and files
 * applied, refreshed and removed with ownership.
 */
import * as assert from "assert";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSshd, useService } from "../harness";
import { freePort } from "../harness/ports";
import { provider as reach, SshReachableInputs } from "../../providers/hosts/sshReachableProvider";
import {
  provider as plain,
  PlainHostInputs,
  PlainHostOutputs,
  sha256,
} from "../../providers/hosts/plainHostProvider";
import { sshdTarget } from "./fixtures";

const P = <T>(p: T) => p as Required<NonNullable<T>>;
const WRONG_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFdyb25na2V5d3JvbmdrZXl3cm9uZ2tleXdyb25na2V5";

describe("existing hosts over real SSH: host keys, reachability, PlainHost", function () {
  this.timeout(120_000);
  const sshd = useService(() => startSshd());

  function reachInputs(over: Partial<SshReachableInputs> = {}): SshReachableInputs {
    return {
      hostName: "old1",
      target: sshdTarget(sshd()),
      privateKey: sshd().privateKey,
      timeoutSeconds: 10,
      verifyAtPreview: true,
      ...over,
    };
  }

  it("check (run by preview) refuses a host whose key does not match the pinned one, and says so", async () => {
    const { failures } = await P(reach).check(
      {},
      reachInputs({ target: { ...sshdTarget(sshd()), hostKey: WRONG_KEY } }),
    );
    assert.strictEqual(failures?.length, 1);
    assert.strictEqual(failures?.[0].property, "target.hostKey");
    assert.match(
      failures?.[0].reason ?? "",
      /host "old1" \(127\.0\.0\.1:\d+\) presents host key\(s\) ssh-ed25519 .* but the pinned key is ssh-ed25519 .*; refusing to connect/,
    );
  });

  it("check passes with the right key; create waits for SSH and reports the verified key", async () => {
    const inputs = reachInputs();
    assert.deepStrictEqual((await P(reach).check({}, inputs)).failures, []);
    const { outs } = await P(reach).create(inputs);
    assert.strictEqual(outs.hostKey, sshdTarget(sshd()).hostKey);
  });

  it("a host that never answers fails after the bounded wait, naming the host and the last error", async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(
      P(reach).create(reachInputs({ target: { ...sshdTarget(sshd()), port }, timeoutSeconds: 2 })),
      new RegExp(
        `host "old1" was not reachable over SSH at root@127\\.0\\.0\\.1:${port} within 2 s; last error: .*Connection refused`,
      ),
    );
    assert.ok(Date.now() - started < 20_000);
  });

  it("no host key and no explicit trust-on-first-use is refused at check", async () => {
    const { failures } = await P(reach).check({}, reachInputs({ target: { host: "127.0.0.1", port: 22 } }));
    assert.match(failures?.[0].reason ?? "", /needs the host's key: set hostKey/);
  });

  describe("PlainHost files", () => {
    const hostName = `plain-${randomBytes(3).toString("hex")}`;
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-plain-"));
    });
    after(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(`/var/lib/sovereign/plainhost/${hostName}.json`, { force: true });
    });

    const inputs = (over: Partial<PlainHostInputs> = {}): PlainHostInputs => ({
      hostName,
      target: sshdTarget(sshd()),
      privateKey: sshd().privateKey,
      owner: "sovereign/test/plain",
      packages: ["openssh-client"],
      files: [
        { path: `${dir}/etc/app.conf`, content: "listen = 127.0.0.1\n", mode: "0640" },
        { path: `${dir}/etc/other.conf`, content: "x = 1\n", mode: "0600" },
      ],
      services: [],
      ...over,
    });

    it("writes files with their modes, records them, sees drift on refresh, and removes only its own unchanged files", async () => {
      const i = inputs();
      assert.deepStrictEqual((await P(plain).check({}, i)).failures, []);
      const { id, outs } = await P(plain).create(i);
      assert.strictEqual(fs.readFileSync(`${dir}/etc/app.conf`, "utf8"), "listen = 127.0.0.1\n");
      assert.strictEqual(fs.statSync(`${dir}/etc/app.conf`).mode & 0o777, 0o640);
      assert.strictEqual(
        (outs as PlainHostOutputs).fileHashes[`${dir}/etc/app.conf`],
        sha256("listen = 127.0.0.1\n"),
      );

      fs.writeFileSync(`${dir}/etc/app.conf`, "listen = 0.0.0.0\n");
      const read = await P(plain).read(id, outs);
      const diff = await P(plain).diff(id, read.props as PlainHostOutputs, i);
      assert.strictEqual(diff.changes, true, "refresh shows the file changed behind the stack's back");
      const updated = (await P(plain).update(id, read.props as PlainHostOutputs, i)).outs as PlainHostOutputs;
      assert.strictEqual(fs.readFileSync(`${dir}/etc/app.conf`, "utf8"), "listen = 127.0.0.1\n");

      fs.writeFileSync(`${dir}/etc/other.conf`, "edited by a person\n");
      await P(plain).delete(id, updated);
      assert.ok(!fs.existsSync(`${dir}/etc/app.conf`), "own unchanged file removed");
      assert.strictEqual(
        fs.readFileSync(`${dir}/etc/other.conf`, "utf8"),
        "edited by a person\n",
        "a file someone changed is left",
      );
    });

    it("refuses to overwrite a file it did not write unless adopt is set", async () => {
      fs.mkdirSync(`${dir}/foreign`, { recursive: true });
      fs.writeFileSync(`${dir}/foreign/x.conf`, "mine\n");
      const i = inputs({
        hostName: `${hostName}-b`,
        files: [{ path: `${dir}/foreign/x.conf`, content: "theirs\n", mode: "0644" }],
      });
      await assert.rejects(
        P(plain).create(i),
        /foreign\/x\.conf already exist\(s\) with other content and were not written by this stack; set adopt: true/,
      );
      const { id, outs } = await P(plain).create({ ...i, adopt: true });
      assert.strictEqual(fs.readFileSync(`${dir}/foreign/x.conf`, "utf8"), "theirs\n");
      await assert.rejects(
        P(plain).create({ ...i, owner: "sovereign/other/plain" }),
        /is managed by sovereign\/test\/plain .* set adopt: true/,
      );
      await P(plain).delete(id, outs);
      fs.rmSync(`/var/lib/sovereign/plainhost/${hostName}-b.json`, { force: true });
    });

    it("check names bad paths, modes, package and unit names", async () => {
      const { failures } = await P(plain).check(
        {},
        inputs({
          packages: ["Bad Package"],
          files: [{ path: "relative/x", content: "", mode: "644x" }],
          services: [{ name: "-evil", restartOn: ["/nope"] }],
        }),
      );
      assert.deepStrictEqual(
        failures?.map((f) => f.property),
        ["packages[0]", "files[0].path", "files[0].mode", "services[0].name", "services[0].restartOn"],
      );
    });

    it("check names a process service's bad command, dir, user and timeout, and a bad part", async () => {
      const { failures } = await P(plain).check(
        {},
        {
          ...inputs({
            services: [
              {
                name: "app",
                process: {
                  command: "python",
                  args: [],
                  cwd: "srv",
                  user: "Root",
                  ready: [],
                  timeoutSeconds: 0,
                },
              },
            ],
          }),
          part: "../x",
        },
      );
      assert.deepStrictEqual(
        failures?.map((f) => f.property),
        [
          "services[0].process.command",
          "services[0].process.cwd",
          "services[0].process.user",
          "services[0].process.ready",
          "services[0].process.timeoutSeconds",
          "part",
        ],
      );
    });
  });
});
