import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import type * as ComponentModule from "../../../sdk/replication/zfsReplication";
import { nixString, renderSchedule } from "../../../sdk/replication/schedule";
import { validateJobSpec } from "../../../sdk/replication/jobSpec";

interface Created {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const promiseOf = <T>(output: pulumi.Output<T>): Promise<T> =>
  new Promise((resolve) => output.apply(resolve));

describe("ZfsReplication component (mocks)", function () {
  const created: Created[] = [];
  let mod: typeof ComponentModule;

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          created.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
          const state = { ...args.inputs };
          const report = JSON.stringify({
            action: "replicate",
            report: { finalGuid: "1234567890123456789" },
          });
          if (args.type === "command:local:Command") {
            state.stdout = report;
            state.stderr = "";
          }
          if (args.type.startsWith("pulumi-nodejs:dynamic")) state.report = report;
          return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
      },
      "project",
      "stack",
      false,
    );
    mod = await import("../../../sdk/replication/zfsReplication");
  });

  const hosts = {
    source: {
      host: "10.0.0.1",
      port: 22,
      privateKey: pulumi.secret("SOURCE KEY"),
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJsourcehostkey",
      dataset: "tank/apps/cloud",
    },
    target: {
      host: "10.1.0.1",
      port: 2222,
      privateKey: pulumi.secret("TARGET KEY"),
      knownHostsPath: "/etc/sovereign/known_hosts",
      dataset: "backup/apps/cloud",
    },
  };

  it("by default runs the runner in a dynamic resource that captures no key and gets the job as a secret", async () => {
    const repl = new mod.ZfsReplication("cloud-dyn", { ...hosts, runId: "phase-1" });
    assert.strictEqual(await promiseOf(repl.replicatedGuid), "1234567890123456789");
    const resource = created.find((c) => c.name === "cloud-dyn-run");
    assert.strictEqual(resource?.type, "pulumi-nodejs:dynamic/sovereign-replication:ReplicationRun");
    const provider = String(resource?.inputs.__provider ?? "");
    assert.ok(provider.length > 0, "the provider is serialized into the inputs");
    assert.doesNotMatch(provider, /SOURCE KEY|TARGET KEY|10\.0\.0\.1/, "the provider captured nothing");
    assert.match(String(resource?.inputs.runnerModule), /^\/.*\/sdk\/replication\/cli\.js$/);
    // The job reaches the engine as a secret (the mock sees the secret envelope around it).
    const secretSpec = resource?.inputs.spec as { [sig: string]: unknown; value: string };
    assert.strictEqual(secretSpec[pulumi.runtime.specialSigKey], pulumi.runtime.specialSecretSig);
    const spec = JSON.parse(secretSpec.value) as { target: { ssh: { privateKey: string; port: number } } };
    assert.strictEqual(spec.target.ssh.privateKey, "TARGET KEY");
    assert.strictEqual(spec.target.ssh.port, 2222);
    assert.deepStrictEqual(JSON.parse(String(resource?.inputs.triggers)), [
      "replicate",
      "tank/apps/cloud",
      "backup/apps/cloud",
      "10.0.0.1",
      "10.1.0.1",
      "phase-1",
      "",
    ]);
  });

  it("with runner: command, runs our CLI through a local Command with the job on stdin as a secret", async () => {
    const repl = new mod.ZfsReplication("cloud-data", { ...hosts, runId: "phase-1", runner: "command" });
    const run = repl.run as command.local.Command;
    assert.ok(run);
    assert.strictEqual(await pulumi.isSecret(run.stdin), true);
    const stdin = await promiseOf(run.stdin);
    const spec = JSON.parse(stdin ?? "{}") as { action: string; source: { ssh: { privateKey: string } } };
    assert.strictEqual(spec.action, "replicate");
    assert.strictEqual(spec.source.ssh.privateKey, "SOURCE KEY");
    const createCmd = await promiseOf(run.create);
    assert.match(createCmd ?? "", /^node \S+\/sdk\/replication\/cli\.js$/);
    assert.strictEqual(await promiseOf(repl.replicatedGuid), "1234567890123456789");
    const resource = created.find((c) => c.name === "cloud-data-run");
    assert.strictEqual(resource?.type, "command:local:Command");
    assert.ok(
      created.some((c) => c.type === "sovereign:replication:ZfsReplication" && c.name === "cloud-data"),
    );
  });

  it("renders the scheduled job for the source host without any key in it", async () => {
    const repl = new mod.ZfsReplication("cloud-sched", { ...hosts, runNow: false, onCalendar: "*:0/15" });
    assert.strictEqual(repl.run, undefined);
    const [nix, timer, service, config] = await Promise.all([
      promiseOf(repl.nixosModule),
      promiseOf(repl.systemdTimer),
      promiseOf(repl.systemdService),
      promiseOf(repl.jobConfig),
    ]);
    assert.match(timer, /OnCalendar=\*:0\/15/);
    assert.match(
      service,
      /ExecStart=sovereign-zfs-replicate --config \/etc\/sovereign\/zfs-cloud-sched\.json/,
    );
    assert.match(nix, /systemd\.timers\."sovereign-zfs-cloud-sched"/);
    for (const text of [nix, timer, service, config]) assert.doesNotMatch(text, /KEY/);
    const job = JSON.parse(config) as { target: { ssh: { port: number; privateKeyPath: string } } };
    assert.strictEqual(job.target.ssh.port, 2222);
    assert.strictEqual(job.target.ssh.privateKeyPath, "/run/secrets/sovereign-zfs-cloud-sched");
  });

  it("a final sync carries the stop command and promotion", async () => {
    const repl = new mod.ZfsReplication("cloud-final", {
      ...hosts,
      finalSync: {
        stopApp: ["systemctl", "stop", "nextcloud"],
        startApp: ["systemctl", "start", "nextcloud"],
        promoteTarget: true,
      },
      runner: "command",
    });
    const spec = JSON.parse((await promiseOf((repl.run as command.local.Command).stdin)) ?? "{}") as {
      action: string;
      stopApp: string[];
      startApp: string[];
    };
    assert.strictEqual(spec.action, "final-sync");
    assert.deepStrictEqual(spec.stopApp, ["systemctl", "stop", "nextcloud"]);
    assert.deepStrictEqual(spec.startApp, ["systemctl", "start", "nextcloud"]);
  });

  it("refuses hosts without a known host key, option-like hosts and users, and a boolean force", () => {
    assert.throws(
      () =>
        new mod.ZfsReplication("unsafe", {
          source: { ...hosts.source, host: "-oProxyCommand=touch /tmp/pwned", hostKey: undefined },
          target: { ...hosts.target, user: "-lroot", knownHostsPath: undefined },
          force: true as unknown as string,
        }),
      (e: Error) => {
        assert.match(e.message, /invalid ZfsReplication unsafe; please fix:/);
        assert.match(e.message, /source\.host "-oProxyCommand=touch \/tmp\/pwned" starts with "-"/);
        assert.match(e.message, /source needs the host's key: set hostKey .* or knownHostsPath/);
        assert.match(e.message, /target\.user "-lroot" is not a login name/);
        assert.match(e.message, /target needs the host's key/);
        assert.match(e.message, /force must be a token string/);
        return true;
      },
    );
  });

  it("a final sync without startApp is refused: a failed cut-over must restart the app", () => {
    assert.throws(
      () =>
        new mod.ZfsReplication("no-restart", {
          ...hosts,
          finalSync: { stopApp: ["systemctl", "stop", "x"] } as never,
        }),
      /stopApp needs startApp too/,
    );
  });

  it("trust on first use is an explicit opt-in that warns at preview", () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      new mod.ZfsReplication("tofu", {
        source: hosts.source,
        target: { ...hosts.target, knownHostsPath: undefined, trustOnFirstUse: true },
        runNow: false,
      });
    } finally {
      console.warn = original;
    }
    assert.strictEqual(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0], /ZfsReplication tofu target: the SSH host key of 10\.1\.0\.1 is not pinned/);
  });

  it("lists every problem before creating anything", () => {
    assert.throws(
      () =>
        new mod.ZfsReplication("bad", {
          source: { ...hosts.source, dataset: "tank/a@b" },
          target: { ...hosts.target, dataset: "" },
          retention: { hourly: -1, daily: 1, weekly: 1, monthly: 1 },
          snapshotPrefix: "bad prefix",
        }),
      (e: Error) => {
        assert.match(e.message, /invalid ZfsReplication bad; please fix:/);
        assert.match(e.message, /source: dataset name "tank\/a@b"/);
        assert.match(e.message, /target: dataset name ""/);
        assert.match(e.message, /snapshot prefix "bad prefix"/);
        assert.match(e.message, /retention.hourly/);
        return true;
      },
    );
  });
});

describe("schedule rendering and job validation", () => {
  it("escapes Nix strings, including ${ and quotes", () => {
    assert.strictEqual(nixString('a "b" ${c} \\ d\n'), '"a \\"b\\" \\${c} \\\\ d\\n"');
  });

  it("renders a timer, a service and a NixOS module with the same command", () => {
    const out = renderSchedule({
      name: "mail",
      sourceDataset: "tank/mail",
      target: {
        dataset: "dr/mail",
        host: "dr.example",
        privateKeyPath: "/run/keys/zfs",
        hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrhostkey",
      },
    });
    assert.match(out.systemdTimer, /OnCalendar=hourly/);
    assert.match(
      out.nixosModule,
      /serviceConfig\.ExecStart = "sovereign-zfs-replicate --config \/etc\/sovereign\/zfs-mail\.json";/,
    );
    assert.match(out.nixosModule, /environment\.etc\."sovereign\/zfs-mail\.json"\.text = "\{\\n/);
    assert.deepStrictEqual(JSON.parse(out.jobConfig).retention, {
      hourly: 24,
      daily: 7,
      weekly: 4,
      monthly: 6,
    });
  });

  it("rejects unsafe names and calendars", () => {
    assert.throws(
      () =>
        renderSchedule({
          name: "Bad Name",
          sourceDataset: "t/a",
          onCalendar: "hourly; rm -rf /",
          target: { dataset: "t/b", host: "h", privateKeyPath: "/k", hostKey: "ssh-ed25519 AAAA" },
        }),
      /name "Bad Name"[\s\S]*onCalendar/,
    );
  });

  it("validates job specs with actionable messages", () => {
    const errors = validateJobSpec({
      action: "prune",
      source: { dataset: "tank/a", ssh: { host: "h", port: 70000, hostKey: "ssh-ed25519 AAAA" } },
      target: { dataset: "tank/a", ssh: { host: "h", port: 70000, hostKey: "ssh-ed25519 AAAA" } },
    });
    assert.ok(errors.some((e) => /source.ssh.port must be 1-65535/.test(e)));
    assert.ok(errors.some((e) => /needs privateKey/.test(e)));
    assert.ok(errors.some((e) => /same dataset/.test(e)));
    assert.ok(errors.some((e) => /prune needs retention/.test(e)));
  });
});
