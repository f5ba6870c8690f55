/**
 * Both deployers against a real SSH host (the harness's sshd on loopback), up to the command
 * boundary: the files copied, the exact commands run, the export file written and re-imported.
 * The tools themselves are the stand-ins under test/standins/ (NixOps and NixOS are not installable
 * here); they check their inputs with the real nix-instantiate.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSshd, useService } from "../harness";
import { renderNixosConfiguration } from "../../sdk/nix/nixos";
import { nixosModelOf } from "../../sdk/hosts/hostSpec";
import {
  provider as nixopsProvider,
  NixOpsDeploymentInputs,
  NixOpsDeploymentOutputs,
} from "../../providers/nixops/deploymentProvider";
import { provider as rebuildProvider, NixosRebuildInputs } from "../../providers/nixops/rebuildProvider";
import { readLog, sshdTarget, standin, webSpec } from "./fixtures";

const P = <T>(p: T) => p as Required<NonNullable<T>>;

describe("deployers up to the command boundary (real sshd, stand-in tools, real nix-instantiate)", function () {
  this.timeout(120_000);
  const sshd = useService(() => startSshd());
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-deploy-"));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  const files = () => renderNixosConfiguration(nixosModelOf(webSpec())).files;

  function nixopsInputs(over: Partial<NixOpsDeploymentInputs> = {}): NixOpsDeploymentInputs {
    const target = sshdTarget(sshd());
    return {
      deployHost: target,
      privateKey: sshd().privateKey,
      command: standin("nixops-standin"),
      stateFile: `${work}/state/deployments.nixops`,
      deployment: "site-web1",
      workDir: `${work}/site-web1`,
      owner: "sovereign/test/web1-nixops",
      machines: [{ name: "web1", target, files: files() }],
      exportTo: `${work}/exports/site-web1.json`,
      ...over,
    };
  }

  it("NixOps: create copies the files and runs create, deploy, export and info, exactly", async () => {
    const inputs = nixopsInputs();
    const checked = await P(nixopsProvider).check({}, inputs);
    assert.deepStrictEqual(checked.failures, []);
    const { id, outs } = await P(nixopsProvider).create(inputs);
    assert.match(id, /^[0-9a-f-]{36}$/);
    for (const f of [
      "network.nix",
      "machines/web1/configuration.nix",
      "machines/web1/host-facts.nix",
      "machines/web1/site-modules/motd.nix",
    ]) {
      assert.ok(fs.existsSync(path.join(inputs.workDir, f)), `${f} was copied`);
    }
    assert.strictEqual(
      fs.readFileSync(path.join(inputs.workDir, "machines/web1/configuration.nix"), "utf8"),
      files()["configuration.nix"],
    );
    const cmds = readLog(`${inputs.stateFile}.log`).map((e) => (e.argv as string[]).join(" "));
    const s = `-s ${inputs.stateFile} -d site-web1`;
    assert.deepStrictEqual(cmds, [
      `export ${s}`, // does it exist already (and whose is it)?
      `create ${s} ${inputs.workDir}/network.nix`,
      `deploy ${s}`,
      `export ${s}`,
      `info ${s} --plain`,
    ]);
    const o = outs as NixOpsDeploymentOutputs;
    assert.deepStrictEqual(o.machineStatus, [{ name: "web1", status: "Up" }]);
    assert.match(o.deployLog, /web1> activation finished successfully/);
    const exported = JSON.parse(fs.readFileSync(inputs.exportTo as string, "utf8")) as Record<
      string,
      { name: string }
    >;
    assert.deepStrictEqual(Object.keys(exported), [id]);
    assert.strictEqual(exported[id].name, "site-web1");
    assert.strictEqual(
      fs.statSync(inputs.exportTo as string).mode & 0o077,
      0,
      "the export (it can hold keys) is private",
    );
  });

  it("NixOps: export, delete, then import of the file restores the same deployment", async () => {
    const inputs = nixopsInputs();
    const { id, outs } = await P(nixopsProvider).create(inputs);
    const before = fs.readFileSync(inputs.exportTo as string, "utf8");
    await P(nixopsProvider).delete(id, outs);
    assert.deepStrictEqual((await P(nixopsProvider).read(id, outs)).id, "", "gone after delete");
    const restored = await P(nixopsProvider).create({
      ...inputs,
      restoreFrom: inputs.exportTo,
      exportTo: `${work}/exports/again.json`,
    });
    assert.strictEqual(restored.id, id, "same deployment UUID after import");
    const cmds = readLog(`${inputs.stateFile}.log`).map((e) => (e.argv as string[])[0]);
    assert.deepStrictEqual(cmds.slice(-7), [
      "export",
      "import",
      "modify",
      "export",
      "deploy",
      "export",
      "info",
    ]);
    const again = JSON.parse(fs.readFileSync(`${work}/exports/again.json`, "utf8")) as Record<
      string,
      unknown
    >;
    const first = JSON.parse(before) as Record<string, { machines: Record<string, unknown> }>;
    assert.deepStrictEqual(Object.keys(again), Object.keys(first));
    assert.deepStrictEqual((again[id] as (typeof first)[string]).machines, first[id].machines);
  });

  it("NixOps: a configuration change is modify + deploy; a broken module fails with Nix's own error lines", async () => {
    const inputs = nixopsInputs();
    const { id, outs } = await P(nixopsProvider).create(inputs);
    const changed = renderNixosConfiguration(nixosModelOf(webSpec({ timeZone: "Europe/Amsterdam" }))).files;
    const next = { ...inputs, machines: [{ ...inputs.machines[0], files: changed }] };
    const diff = await P(nixopsProvider).diff(id, outs, next);
    assert.strictEqual(diff.changes, true);
    assert.deepStrictEqual(diff.replaces, []);
    const updated = (await P(nixopsProvider).update(id, outs, next)).outs as NixOpsDeploymentOutputs;
    assert.notStrictEqual(updated.configurationHash, (outs as NixOpsDeploymentOutputs).configurationHash);
    assert.match(
      fs.readFileSync(path.join(inputs.workDir, "machines/web1/configuration.nix"), "utf8"),
      /Europe\/Amsterdam/,
    );
    const broken = { ...changed, "site-modules/motd.nix": "{ config, ... }: { users.motd = ; }\n" };
    await assert.rejects(
      P(nixopsProvider).update(id, updated, {
        ...inputs,
        machines: [{ ...inputs.machines[0], files: broken }],
      }),
      (e: Error) =>
        /nixops modify failed/.test(e.message) &&
        /syntax error/.test(e.message) &&
        /motd\.nix/.test(e.message),
    );
  });

  it("NixOps: refuses a deployment another stack owns, naming the owner", async () => {
    const inputs = nixopsInputs();
    await P(nixopsProvider).create(inputs);
    await assert.rejects(
      P(nixopsProvider).create({ ...inputs, owner: "sovereign/other/web1-nixops" }),
      /already exists and belongs to sovereign\/test\/web1-nixops; set adopt: true/,
    );
  });

  function rebuildInputs(over: Partial<NixosRebuildInputs> = {}): NixosRebuildInputs {
    return {
      hostName: "web1",
      deployHost: sshdTarget(sshd()),
      privateKey: sshd().privateKey,
      target: sshdTarget(sshd()),
      targetPrivateKey: sshd().privateKey,
      files: files(),
      command: standin("nixos-rebuild-standin"),
      workDir: `${work}/rebuild/web1`,
      action: "switch",
      ...over,
    };
  }

  it("nixos-rebuild: copies the files, runs the exact command with NIX_SSHOPTS pinning the target's key", async () => {
    const inputs = rebuildInputs();
    assert.deepStrictEqual((await P(rebuildProvider).check({}, inputs)).failures, []);
    const { outs } = await P(rebuildProvider).create(inputs);
    const target = inputs.target;
    assert.deepStrictEqual(outs.commandLine, [
      ...standin("nixos-rebuild-standin"),
      "switch",
      "-I",
      `nixos-config=${inputs.workDir}/configuration.nix`,
      "--target-host",
      `root@${target.host}`,
    ]);
    const log = readLog(path.join(inputs.workDir, "nixos-rebuild-standin.log"));
    assert.strictEqual(log.length, 2);
    assert.strictEqual(
      log[0].NIX_SSHOPTS,
      `-o UserKnownHostsFile=${inputs.workDir}/.ssh/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -p ${target.port} -i ${inputs.workDir}/.ssh/id -o IdentitiesOnly=yes`,
    );
    assert.deepStrictEqual(log[1].files, ["configuration.nix", "host-facts.nix", "site-modules/motd.nix"]);
    assert.strictEqual((log[1].facts as { fqdn: string }).fqdn, "web1.coop.test");
    assert.ok(!fs.existsSync(`${inputs.workDir}/.ssh/id`), "the target key is removed after the run");
  });

  it("nixos-rebuild: a target whose host key does not match is refused by SSH, and the error says so", async () => {
    const wrongKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFdyb25na2V5d3JvbmdrZXl3cm9uZ2tleXdyb25na2V5";
    const inputs = rebuildInputs({ target: { ...sshdTarget(sshd()), hostKey: wrongKey } });
    await assert.rejects(
      P(rebuildProvider).create(inputs),
      /nixos-rebuild switch of host "web1" failed[\s\S]*Host key verification failed/,
    );
  });

  it("refuses option injection through host or user and a missing host key, at check", async () => {
    const bad = rebuildInputs({ target: { host: "-oProxyCommand=x", user: "-l", port: 22 } });
    const failures = (await P(rebuildProvider).check({}, bad)).failures ?? [];
    const props = failures.map((f) => f.property).sort();
    assert.deepStrictEqual(props, ["target.host", "target.hostKey", "target.hostKey", "target.user"]);
  });
});
