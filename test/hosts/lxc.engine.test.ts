/**
 * The `lxc` placement through the real Pulumi engine with real containers: a Debian container made
 * by Debian's lxc tools on "an LXC host" reached over real SSH (this machine through the harness's
 * sshd), on the harness's own bridge; its A record in the real PowerDNS; the SDK waits until the
 * container answers SSH with the host key read from its rootfs; PlainHost applies files and a
 * systemd service inside it; the nixos-rebuild deployer (stand-in tool) reaches it with the pinned
 * key; destroy removes container and record.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { startPowerDns, startSshd, useService } from "../harness";
import { dig } from "../harness/dig";
import { startLxcNet, LxcNet } from "../harness/lxcnet";
import { cliStackExport } from "../harness/stateFiles";
import { createTestStack, TestStack } from "../harness/workspace";
import { DnsZone } from "../../sdk/dns";
import { NixOSHost, NixosRebuildDeployer, PlainHost } from "../../sdk/hosts";
import { SshExecutor } from "../../sdk/replication/executor";
import { renderNixosConfiguration } from "../../sdk/nix/nixos";
import { nixosModelOf, HostSpec } from "../../sdk/hosts/hostSpec";
import { setPowerDnsKey } from "../providers/powerdns/helpers";
import { readLog, sshdTarget, standin } from "./fixtures";

const quiet = { color: "never" as const };

describe("lxc placement: real containers through the real engine", function () {
  this.timeout(600_000);
  let net: LxcNet;
  let t: TestStack | undefined;
  const container = `sovt-${randomBytes(3).toString("hex")}`;
  const workRoot = fs.mkdtempSync("/tmp/sovereign-lxc-deploy-");

  before(async () => {
    net = await startLxcNet();
    net.track(container);
  });
  after(async function () {
    this.timeout(300_000);
    try {
      if (t) await t.dispose();
    } finally {
      await net?.stop();
      fs.rmSync(workRoot, { recursive: true, force: true });
    }
  });
  // After the hooks above, so that the stack is destroyed before these services stop.
  const sshd = useService(() => startSshd());
  const pdns = useService(() => startPowerDns());

  let hello = "hello from the first up\n";
  let timeZone = "UTC";

  function spec(): HostSpec {
    const pub = fs.readFileSync(`${sshd().privateKeyPath}.pub`, "utf8").trim();
    return {
      name: "web1",
      domain: "lxc.test",
      ipv4: net.address(10),
      sshKeys: [pub],
      timeZone,
      apps: [{ app: "hedgedoc", fqdn: "pad.lxc.test" }],
      placement: {
        kind: "lxc",
        containerName: container,
        lxcHost: sshdTarget(sshd()),
        bridge: net.bridge,
        address: net.address(10),
        gateway: net.gateway,
        memoryMiB: 1024,
        diskGiB: 12,
      },
    };
  }

  function program() {
    return async () => {
      const key = pulumi.secret(sshd().privateKey);
      const zone = new DnsZone("zone", {
        connection: { apiUrl: pdns().apiUrl },
        zone: "lxc.test.",
        nameservers: ["ns1.lxc.test."],
        protect: false,
      });
      const host = new NixOSHost("web1", {
        ...spec(),
        dnsZone: zone,
        sshPrivateKey: key,
        sshWaitSeconds: 120,
        protect: false,
        deployer: new NixosRebuildDeployer({
          target: sshdTarget(sshd()),
          privateKey: key,
          targetPrivateKey: key,
          workRoot,
          command: standin("nixos-rebuild-standin"),
        }),
      });
      const plain = new PlainHost(
        "web1-plain",
        {
          hostName: "web1",
          target: host.sshTarget,
          privateKey: key,
          packages: ["openssh-server"],
          files: [
            { path: "/etc/sovereign-demo/hello.txt", content: hello, mode: "0644" },
            {
              path: "/etc/systemd/system/sovereign-hello.service",
              mode: "0644",
              content:
                "[Unit]\nDescription=sovereign test service\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c 'cp /etc/sovereign-demo/hello.txt /run/hello-copy'\n[Install]\nWantedBy=multi-user.target\n",
            },
          ],
          services: [{ name: "sovereign-hello.service", restartOn: ["/etc/sovereign-demo/hello.txt"] }],
        },
        { dependsOn: host.reachable ? [host.reachable] : [] },
      );
      return {
        configurationHash: host.configurationHash,
        hostKey: host.sshTarget.apply((s) => s.hostKey ?? ""),
        fileHashes: plain.fileHashes,
      };
    };
  }

  async function inContainer(hostKey: string, cmd: string[]): Promise<string> {
    const ex = new SshExecutor({
      host: net.address(10).split("/")[0],
      user: "root",
      privateKey: sshd().privateKey,
      hostKey,
    });
    try {
      return (await ex.run(cmd)).stdout;
    } finally {
      ex.close();
    }
  }

  it("creates the container, publishes its A record, waits for SSH, applies PlainHost and deploys; then updates and destroys", async () => {
    t = await createTestStack("hosts-lxc", program());
    await setPowerDnsKey(t, pdns().apiKey);
    const up = await t.stack.up(quiet);
    const outs = up.outputs;
    assert.strictEqual(outs.configurationHash.value, renderNixosConfiguration(nixosModelOf(spec())).hash);
    const hostKey = String(outs.hostKey.value);
    assert.match(hostKey, /^ssh-ed25519 AAAA/);
    const rootfsKey = fs.readFileSync(
      `/var/lib/lxc/${container}/rootfs/etc/ssh/ssh_host_ed25519_key.pub`,
      "utf8",
    );
    assert.strictEqual(rootfsKey.split(" ").slice(0, 2).join(" "), hostKey);
    assert.strictEqual(
      spawnSync("lxc-info", ["-n", container, "-sH"], { encoding: "utf8" }).stdout.trim(),
      "RUNNING",
    );
    assert.strictEqual(
      fs.readFileSync(`/var/lib/lxc/${container}/sovereign-owner`, "utf8").trim(),
      "hosts-lxc/test/web1-lxc",
    );

    assert.deepStrictEqual(await dig(pdns(), "web1.lxc.test.", "A"), [net.address(10).split("/")[0]]);
    const sshfp = await dig(pdns(), "web1.lxc.test.", "SSHFP");
    assert.strictEqual(sshfp.length, 2, `SSHFP (SHA-1 and SHA-256 of the ed25519 key): ${sshfp.join(" | ")}`);
    assert.ok(
      sshfp.every((r) => r.startsWith("4 ")),
      "algorithm 4 = Ed25519",
    );
    assert.strictEqual((await inContainer(hostKey, ["hostname"])).trim(), container);
    assert.strictEqual(await inContainer(hostKey, ["cat", "/run/hello-copy"]), hello);
    assert.strictEqual(
      (await inContainer(hostKey, ["systemctl", "is-enabled", "sovereign-hello.service"])).trim(),
      "enabled",
    );

    const log = readLog(`${workRoot}/web1/nixos-rebuild-standin.log`);
    assert.strictEqual(log.at(-1)?.result, "ok");
    assert.strictEqual(log.at(-1)?.target, `root@${net.address(10).split("/")[0]}`);

    const again = await t.stack.preview(quiet);
    assert.deepStrictEqual(Object.keys(again.changeSummary), ["same"], "a second run changes nothing");

    const exported = cliStackExport(t.engine.env, t.workDir);
    assert.ok(
      !exported.includes(sshd().privateKey.trim().split("\n")[1]),
      "the SSH private key is not in the state in plain text",
    );

    // A changed file restarts its service; a changed configuration shows as a diff and is redeployed.
    hello = "hello after an update\n";
    timeZone = "Europe/Amsterdam";
    const preview = await t.stack.preview(quiet);
    assert.ok((preview.changeSummary.update ?? 0) >= 2, JSON.stringify(preview.changeSummary));
    const up2 = await t.stack.up(quiet);
    assert.notStrictEqual(up2.outputs.configurationHash.value, outs.configurationHash.value);
    assert.strictEqual(await inContainer(hostKey, ["cat", "/run/hello-copy"]), hello);
    assert.strictEqual(readLog(`${workRoot}/web1/nixos-rebuild-standin.log`).length, 4, "deployed twice");

    // Drift: a file changed behind the stack's back shows after refresh, and up puts it back.
    await inContainer(hostKey, ["sh", "-c", "echo tampered > /etc/sovereign-demo/hello.txt"]);
    await t.stack.refresh(quiet);
    const drift = await t.stack.preview(quiet);
    assert.strictEqual(drift.changeSummary.update, 1, JSON.stringify(drift.changeSummary));
    await t.stack.up(quiet);
    assert.strictEqual(await inContainer(hostKey, ["cat", "/etc/sovereign-demo/hello.txt"]), hello);

    await t.stack.destroy(quiet);
    assert.notStrictEqual(spawnSync("lxc-info", ["-n", container]).status, 0, "container destroyed");
    assert.deepStrictEqual(await dig(pdns(), "web1.lxc.test.", "A"), []);
  });
});
