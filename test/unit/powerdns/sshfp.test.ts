import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sshfpRecords } from "../../../sdk/dns/sshfp";

/** What OpenSSH's own `ssh-keygen -r` prints for a key: the reference for our records. */
function sshKeygenRecords(pubFile: string): string[] {
  return execFileSync("ssh-keygen", ["-r", "host.example.org", "-f", pubFile], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace(/^host\.example\.org IN SSHFP /, ""));
}

describe("SSHFP records from SSH host keys", () => {
  it("match ssh-keygen -r for ed25519, ecdsa and rsa host keys", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sshfp-"));
    try {
      for (const type of ["ed25519", "ecdsa", "rsa"]) {
        const key = path.join(dir, `ssh_host_${type}_key`);
        execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "root@host", "-f", key]);
        const line = fs.readFileSync(`${key}.pub`, "utf8");
        assert.deepStrictEqual(sshfpRecords(line).sort(), sshKeygenRecords(`${key}.pub`).sort(), type);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses what is no public key line, saying what to give", () => {
    assert.throws(
      () => sshfpRecords("ssh-foo AAAA"),
      /unknown key type "ssh-foo"; give a line of a host's \*\.pub file/,
    );
    assert.throws(
      () => sshfpRecords(`ssh-ed25519 ${Buffer.from("\u0000\u0000\u0000\u0007ssh-rsa").toString("base64")}`),
      /its base64 data is not a ssh-ed25519 key/,
    );
  });
});
