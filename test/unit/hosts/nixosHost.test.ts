/**
 * NixOSHost with the Proxmox placements under pulumi.runtime.setMocks (the proxmoxve plugin cannot
 * run here): every input a real Proxmox needs, for an LXC container and for a VM.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { TEST_KEY, webSpec } from "../../hosts/fixtures";
import type * as HostsModule from "../../../sdk/hosts";
import type * as DnsModule from "../../../sdk/dns";
import { renderNixosConfiguration } from "../../../sdk/nix/nixos";
import { nixosModelOf } from "../../../sdk/hosts/hostSpec";

interface Created {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

describe("NixOSHost: Proxmox placements (mocks)", () => {
  const created: Created[] = [];
  let hosts: typeof HostsModule;
  let dns: typeof DnsModule;

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          created.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
          return { id: `${args.name}-id`, state: { ...args.inputs } };
        },
        call: (args) => args.inputs,
      },
      "sovereign",
      "test",
      false,
    );
    hosts = await import("../../../sdk/hosts");
    dns = await import("../../../sdk/dns");
  });

  const byName = (name: string) => {
    const c = created.find((r) => r.name === name);
    assert.ok(c, `resource ${name} was created (have: ${created.map((r) => r.name).join(", ")})`);
    return c;
  };
  const settle = () => new Promise((r) => setTimeout(r, 50));

  it("proxmox-lxc: an unprivileged NixOS container with nesting, on the node, storage, bridge and VLAN asked for", async () => {
    const host = new hosts.NixOSHost("web1", {
      ...webSpec(),
      ipv6: "2001:db8::10/64",
      gateway6: "2001:db8::1",
    });
    await settle();
    const ct = byName("web1-container");
    assert.strictEqual(ct.type, "proxmoxve:index/containerLegacy:ContainerLegacy");
    const i = ct.inputs;
    assert.strictEqual(i.nodeName, "pve1");
    assert.strictEqual(i.unprivileged, true);
    assert.deepStrictEqual(i.features, { nesting: true });
    assert.deepStrictEqual(i.operatingSystem, {
      templateFileId: "local:vztmpl/nixos-24.11-x86_64-linux.tar.xz",
      type: "nixos",
    });
    assert.deepStrictEqual(i.cpu, { cores: 2 });
    assert.deepStrictEqual(i.memory, { dedicated: 2048, swap: 0 });
    assert.deepStrictEqual(i.disk, { datastoreId: "local-zfs", size: 32 });
    assert.deepStrictEqual(i.networkInterfaces, [{ name: "eth0", bridge: "vmbr0", vlanId: 20 }]);
    assert.deepStrictEqual(i.initialization, {
      hostname: "web1",
      ipConfigs: [
        {
          ipv4: { address: "192.0.2.10/24", gateway: "192.0.2.1" },
          ipv6: { address: "2001:db8::10/64", gateway: "2001:db8::1" },
        },
      ],
      dns: { domain: "coop.test", servers: ["192.0.2.53"] },
      userAccount: { keys: [TEST_KEY] },
    });
    assert.strictEqual(i.startOnBoot, true);
    assert.strictEqual(i.started, true);
    assert.strictEqual(i.protection, true, "stateful guests are protected by default");
    assert.deepStrictEqual(i.tags, ["sovereign", "sovereign-sovereign-test"]);
    assert.match(String(i.description), /owner: sovereign\/test\/web1/);
    assert.strictEqual(
      host.configurationHash,
      renderNixosConfiguration(nixosModelOf(webSpec({ ipv6: "2001:db8::10/64", gateway6: "2001:db8::1" })))
        .hash,
    );
    assert.match(host.configuration["configuration.nix"], /isContainer = true;/);
  });

  it("proxmox-vm: a full clone of the NixOS template with cloud-init, guest agent and the disk on the storage", async () => {
    const spec = webSpec({
      name: "media1",
      ipv4: "192.0.2.11/24",
      placement: {
        kind: "proxmox-vm",
        node: "pve2",
        cloneFrom: 9000,
        storage: "tank-zfs",
        bridge: "vmbr1",
        cores: 4,
        memoryMiB: 4096,
        diskGiB: 64,
        vmId: 211,
      },
    });
    const host = new hosts.NixOSHost("media1", { ...spec, protect: false });
    await settle();
    const vm = byName("media1-vm");
    assert.strictEqual(vm.type, "proxmoxve:index/vmLegacy:VmLegacy");
    const i = vm.inputs;
    assert.strictEqual(i.nodeName, "pve2");
    assert.strictEqual(i.name, "media1");
    assert.strictEqual(i.vmId, 211);
    assert.deepStrictEqual(i.clone, { vmId: 9000, full: true, datastoreId: "tank-zfs" });
    assert.deepStrictEqual(i.agent, { enabled: true });
    assert.deepStrictEqual(i.cpu, { cores: 4, type: "x86-64-v2-AES" });
    assert.deepStrictEqual(i.memory, { dedicated: 4096 });
    assert.deepStrictEqual(i.disks, [{ interface: "scsi0", datastoreId: "tank-zfs", size: 64 }]);
    assert.deepStrictEqual(i.networkDevices, [{ bridge: "vmbr1", model: "virtio" }]);
    assert.deepStrictEqual(i.operatingSystem, { type: "l26" });
    assert.deepStrictEqual(i.initialization, {
      datastoreId: "tank-zfs",
      ipConfigs: [{ ipv4: { address: "192.0.2.11/24", gateway: "192.0.2.1" } }],
      dns: { domain: "coop.test", servers: ["192.0.2.53"] },
      userAccount: { username: "root", keys: [TEST_KEY] },
    });
    assert.strictEqual(i.onBoot, true);
    assert.strictEqual(i.protection, false);
    assert.match(host.configuration["configuration.nix"], /qemuGuest/);
    assert.match(host.configuration["configuration.nix"], /modulesPath \+ "\/profiles\/qemu-guest\.nix"/);
  });

  it("publishes A and AAAA through DnsZone and a configuration change changes the hash", async () => {
    const zone = new dns.DnsZone("zone", {
      connection: { apiUrl: "http://127.0.0.1:1" },
      zone: "coop.test.",
      nameservers: ["ns1.coop.test."],
      protect: false,
    });
    const a = new hosts.NixOSHost("web2", {
      ...webSpec({ name: "web2", ipv4: "192.0.2.12/24", ipv6: "2001:db8::12/64" }),
      dnsZone: zone,
    });
    const b = new hosts.NixOSHost("web3", {
      ...webSpec({
        name: "web2",
        ipv4: "192.0.2.12/24",
        ipv6: "2001:db8::12/64",
        timeZone: "Europe/Amsterdam",
      }),
    });
    await settle();
    assert.ok(zone.recordSet("web2", "A"));
    assert.ok(zone.recordSet("web2", "AAAA"));
    assert.notStrictEqual(a.configurationHash, b.configurationHash);
  });

  it("refuses a bad spec before declaring anything, naming every field", () => {
    const before = created.length;
    assert.throws(
      () =>
        new hosts.NixOSHost("bad", {
          ...webSpec({ name: "Web_1", sshKeys: [] }),
          placement: {
            kind: "proxmox-lxc",
            node: "",
            template: "t",
            storage: "s",
            bridge: "b",
            memoryMiB: 256,
            diskGiB: 1,
          },
        }),
      (e: Error) =>
        /host\.name|Web_1/.test(e.message) &&
        /sshKeys: needs at least one SSH public key/.test(e.message) &&
        /placement\.node: is required for placement "proxmox-lxc"/.test(e.message) &&
        /placement\.memoryMiB: 256 MiB is less than the 2048 MiB its apps need \(nextcloud, forgejo \+ the base system\)/.test(
          e.message,
        ),
    );
    assert.strictEqual(created.length, before);
  });
});
