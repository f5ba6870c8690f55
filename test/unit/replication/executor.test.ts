import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  LocalExecutor,
  shellQuote,
  SshExecutor,
  streamBetween,
  StreamError,
} from "../../../sdk/replication/executor";

describe("executor", function () {
  this.timeout(60_000);
  const local = new LocalExecutor();

  it("quotes arguments for the remote shell", () => {
    assert.strictEqual(shellQuote("tank/app@sov_20261126T010203Z"), "tank/app@sov_20261126T010203Z");
    assert.strictEqual(shellQuote("it's; rm -rf /"), "'it'\\''s; rm -rf /'");
    assert.strictEqual(shellQuote(""), "''");
  });

  it("builds an ssh command that pins the host key and uses the key only from a 0600 temp file", () => {
    const ssh = new SshExecutor({
      host: "10.0.0.2",
      port: 2222,
      privateKey: "KEY",
      hostKey: "ssh-ed25519 AAAA",
    });
    try {
      const argv = ssh.sshArgv(["zfs", "list", "-H", "a b"]);
      assert.ok(argv.includes("StrictHostKeyChecking=yes"));
      assert.strictEqual(argv[argv.length - 1], "zfs list -H 'a b'");
      assert.ok(!argv.some((a) => a.includes("KEY")), "the key is never on the command line");
      const keyFile = argv[argv.indexOf("-i") + 1];
      assert.strictEqual(fs.statSync(keyFile).mode & 0o777, 0o600);
      const known = argv.find((a) => a.startsWith("UserKnownHostsFile="))!.split("=")[1];
      assert.strictEqual(fs.readFileSync(known, "utf8"), "[10.0.0.2]:2222 ssh-ed25519 AAAA\n");
    } finally {
      ssh.close();
    }
  });

  it("streams one command into another and counts the bytes", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sov-exec-")), "count");
    let seen = 0;
    const result = await streamBetween(
      local,
      ["head", "-c", "3000000", "/dev/zero"],
      local,
      ["sh", "-c", `wc -c > ${out}`],
      { onProgress: (n) => (seen = n) },
    );
    assert.strictEqual(result.bytes, 3_000_000);
    assert.strictEqual(seen, 3_000_000);
    assert.strictEqual(fs.readFileSync(out, "utf8").trim(), "3000000");
  });

  it("an abort kills both ends and rejects, also when the pipe is full", async () => {
    const controller = new AbortController();
    const started = Date.now();
    await assert.rejects(
      streamBetween(
        local,
        ["cat", "/dev/zero"],
        local,
        ["sh", "-c", "head -c 1000000 >/dev/null; sleep 30"],
        {
          signal: controller.signal,
          onProgress: (n) => {
            if (n >= 1_000_000 && !controller.signal.aborted) controller.abort();
          },
        },
      ),
      (e: unknown) => e instanceof StreamError && e.aborted,
    );
    assert.ok(Date.now() - started < 20_000);
  });

  it("a receiver that fails stops the sender and reports both exit codes and stderr", async () => {
    const started = Date.now();
    await assert.rejects(
      streamBetween(local, ["cat", "/dev/zero"], local, [
        "sh",
        "-c",
        "head -c 100000 >/dev/null; echo nope >&2; exit 3",
      ]),
      (e: unknown) => {
        assert.ok(e instanceof StreamError && !e.aborted);
        assert.match(e.message, /receive on local exited 3 \(nope\)/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 20_000);
  });
});
