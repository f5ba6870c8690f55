import * as assert from "assert";
import * as fc from "fast-check";
import { SshExecutor } from "../../../sdk/replication/executor";
import { hostKeyProblem, sshHostProblem, sshUserProblem } from "../../../sdk/replication/sshTarget";
import {
  defaultSnapshotPrefix,
  sourceChangedAfterFinal,
  type ZfsSnapshot,
} from "../../../sdk/replication/zfsPlan";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyHere";

describe("SSH destinations", () => {
  it("no host that starts with '-' or holds whitespace/control characters is accepted", () => {
    fc.assert(fc.property(fc.string(), (rest) => sshHostProblem(`-${rest}`) !== undefined));
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom(" ", "\t", "\n", "\r", "\u0000", "\u001b", "\u00a0", "\u2028"),
        fc.string(),
        (a, bad, b) => sshHostProblem(`h${a}${bad}${b}`) !== undefined,
      ),
    );
    for (const good of ["10.0.0.2", "dr.coop.example", "fd00::11", "web-1"])
      assert.strictEqual(sshHostProblem(good), undefined);
    assert.match(sshHostProblem("root@h") ?? "", /set the user in "user"/);
  });

  it("users are login names, never options", () => {
    assert.strictEqual(sshUserProblem(undefined), undefined);
    assert.strictEqual(sshUserProblem("zfs-send"), undefined);
    for (const bad of ["-oX", "a b", "", "root\n"]) assert.ok(sshUserProblem(bad), bad);
  });

  it("a host key is required unless trust on first use is chosen explicitly", () => {
    assert.match(
      hostKeyProblem({}) ?? "",
      /needs the host's key: set hostKey .* or knownHostsPath; .*trustOnFirstUse: true/,
    );
    assert.strictEqual(hostKeyProblem({ hostKey: HOST_KEY }), undefined);
    assert.strictEqual(hostKeyProblem({ knownHostsPath: "/etc/ssh/known" }), undefined);
    assert.strictEqual(hostKeyProblem({ trustOnFirstUse: true }), undefined);
    assert.match(hostKeyProblem({ hostKey: "[10.0.0.2]:22 ssh-ed25519 AAAA" }) ?? "", /one public key line/);
  });

  it("the executor refuses such destinations and ends ssh's options with -- before the host", () => {
    assert.throws(
      () => new SshExecutor({ host: "-oProxyCommand=sh", privateKeyPath: "/k", hostKey: HOST_KEY }),
      /refusing to connect over SSH: ssh\.host .* starts with "-"/,
    );
    assert.throws(() => new SshExecutor({ host: "h", privateKeyPath: "/k" }), /needs the host's key/);
    const ssh = new SshExecutor({ host: "h.example", privateKeyPath: "/k", hostKey: HOST_KEY });
    try {
      const argv = ssh.sshArgv(["zfs", "list"]);
      assert.deepStrictEqual(argv.slice(-3), ["--", "h.example", "zfs list"]);
      assert.ok(!argv.includes("StrictHostKeyChecking=accept-new"));
    } finally {
      ssh.close();
    }
    const tofu = new SshExecutor({ host: "h.example", privateKeyPath: "/k", trustOnFirstUse: true });
    assert.ok(tofu.sshArgv(["true"]).includes("StrictHostKeyChecking=accept-new"));
  });
});

describe("per-job snapshot prefixes and the final sync's quiescence check", () => {
  it("jobs to different targets get different prefixes; the same job always the same", () => {
    const a = defaultSnapshotPrefix("root@10.0.0.2:22", "dr/app");
    assert.match(a, /^sov_[0-9a-f]{8}_$/);
    assert.strictEqual(defaultSnapshotPrefix("root@10.0.0.2:22", "dr/app"), a);
    assert.notStrictEqual(defaultSnapshotPrefix("root@10.0.0.3:22", "dr/app"), a);
    assert.notStrictEqual(defaultSnapshotPrefix("root@10.0.0.2:22", "dr/app2"), a);
    // Neither prefix is a prefix of the other: neither job's retention matches the other's snapshots.
    fc.assert(
      fc.property(fc.string(), fc.string(), (t1, t2) => {
        const p1 = defaultSnapshotPrefix("h", t1);
        const p2 = defaultSnapshotPrefix("h", t2);
        return p1 === p2 || (!p1.startsWith(p2) && !p2.startsWith(p1));
      }),
    );
  });

  const snap = (name: string, extra: Partial<ZfsSnapshot>): ZfsSnapshot => ({
    dataset: "tank/app",
    name,
    guid: "1",
    createtxg: 1,
    creation: 0,
    ...extra,
  });

  it("uses `written` where the pool has it, else overwritten blocks and size", () => {
    const final = snap("f", { used: 0, referenced: 1000 });
    assert.strictEqual(
      sourceChangedAfterFinal({ final, probe: snap("p", { referenced: 1000 }), probeWritten: 0 }),
      undefined,
    );
    assert.match(
      sourceChangedAfterFinal({ final, probe: snap("p", { referenced: 1000 }), probeWritten: 512 }) ?? "",
      /512 bytes were written/,
    );
    assert.strictEqual(sourceChangedAfterFinal({ final, probe: snap("p", { referenced: 1000 }) }), undefined);
    assert.match(
      sourceChangedAfterFinal({ final, probe: snap("p", { referenced: 1512 }) }) ?? "",
      /size went from 1000 to 1512/,
    );
    assert.match(
      sourceChangedAfterFinal({
        final: snap("f", { used: 4096, referenced: 1000 }),
        probe: snap("p", { referenced: 1000 }),
      }) ?? "",
      /4096 bytes of @f were overwritten/,
    );
  });
});
