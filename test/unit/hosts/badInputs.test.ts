/**
 * Bad host inputs fail before anything is created, naming the field and the fix: in the site
 * config (site.hosts[i]...) and in a HostSpec. (A mismatching host key of an `existing` host is
 * refused by the provider's check against a real sshd: test/hosts/existing.test.ts.)
 */
import * as assert from "assert";
import { parseSiteConfig, SiteConfigError } from "../../../sdk/config";
import { hostSpecProblems } from "../../../sdk/hosts/hostSpec";
import { TEST_KEY, webSpec } from "../../hosts/fixtures";

const lxcPlacement = {
  kind: "proxmox-lxc",
  node: "pve1",
  template: "local:vztmpl/nixos.tar.xz",
  storage: "local-zfs",
  bridge: "vmbr0",
  memoryMiB: 4096,
  diskGiB: 64,
};

function site(hosts: unknown[], apps: unknown[] = [{ app: "forgejo", host: "web1" }]) {
  return {
    name: "ams1",
    domain: "coop.example",
    datacenter: "hetzner",
    dns: { endpoint: "local" },
    hosts,
    apps,
    // Forgejo needs a database and SMTP: provided from outside this site.
    externalServices: ["postgresql", "smtp"],
  };
}

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseSiteConfig(raw);
  } catch (e) {
    assert.ok(e instanceof SiteConfigError, String(e));
    return e.problems;
  }
  assert.fail("expected the config to be rejected");
}

const host = (over: Record<string, unknown> = {}) => ({
  name: "web1",
  address: "192.0.2.10",
  sshKeys: [TEST_KEY],
  placement: lxcPlacement,
  ...over,
});

describe("hosts: bad inputs", () => {
  it("a valid placed host passes", () => {
    const config = parseSiteConfig(site([host()]));
    assert.strictEqual(config.hosts[0].placement?.kind, "proxmox-lxc");
  });

  it("invalid host name", () => {
    assert.ok(
      problemsOf(site([host({ name: "Web_1" })], [])).some((p) => p.startsWith("site.hosts[0].name:")),
    );
    assert.match(hostSpecProblems(webSpec({ name: "-web" }))[0][0], /^host\.name$/);
  });

  it("an agenix module path that is not an absolute .nix path", () => {
    for (const agenixModule of ["agenix/modules/age.nix", "<agenix/modules/age.nix>", "/etc/agenix"]) {
      const problems = hostSpecProblems(webSpec({ agenixModule }));
      assert.strictEqual(problems.length, 1, JSON.stringify(problems));
      assert.strictEqual(problems[0][0], "host.agenixModule");
      assert.match(problems[0][1], /absolute path of agenix's modules\/age\.nix/);
    }
    assert.deepStrictEqual(hostSpecProblems(webSpec({ agenixModule: "/nix/agenix/modules/age.nix" })), []);
  });

  it("no SSH key", () => {
    const problems = problemsOf(site([host({ sshKeys: [] })]));
    assert.ok(
      problems.includes(
        "site.hosts[0].sshKeys: needs at least one SSH public key (e.g. the contents of ~/.ssh/id_ed25519.pub): without one nobody, not even the deployer, can log in",
      ),
      problems.join("\n"),
    );
  });

  it("memory or disk below what the host's apps need (from the catalog)", () => {
    const problems = problemsOf(
      site(
        [host({ placement: { ...lxcPlacement, memoryMiB: 512, diskGiB: 4 } })],
        [{ app: "mastodon", host: "web1" }],
      ),
    );
    assert.ok(
      problems.includes(
        "site.hosts[0].placement.memoryMiB: 512 MiB is less than the 2560 MiB its apps need (mastodon + the base system); raise it to at least 2560",
      ),
      problems.join("\n"),
    );
    assert.ok(
      problems.includes(
        "site.hosts[0].placement.diskGiB: 4 GiB is less than the 24 GiB its apps need (mastodon + the base system); raise it to at least 24",
      ),
      problems.join("\n"),
    );
  });

  it("unknown placement", () => {
    const problems = problemsOf(site([host({ placement: { kind: "docker" } })]));
    assert.ok(
      problems.includes(
        'site.hosts[0].placement.kind: "docker" is not a placement; use one of proxmox-lxc, proxmox-vm, lxc, existing',
      ),
      problems.join("\n"),
    );
  });

  it("a proxmox placement with no node", () => {
    const { node: _node, ...noNode } = lxcPlacement;
    void _node;
    for (const kind of ["proxmox-lxc", "proxmox-vm"]) {
      const problems = problemsOf(site([host({ placement: { ...noNode, kind, cloneFrom: 9000 } })]));
      assert.ok(
        problems.includes(
          `site.hosts[0].placement.node: is required for placement "${kind}": the Proxmox node to create the guest on (e.g. "pve1")`,
        ),
        problems.join("\n"),
      );
    }
  });

  it("a duplicate address", () => {
    const problems = problemsOf(
      site([
        host(),
        host({ name: "web2" }),
        { name: "web3", address: "192.0.2.11", address6: "2001:db8::1" },
        { name: "web4", address: "192.0.2.12", address6: "2001:DB8::1" },
      ]),
    );
    assert.ok(
      problems.includes(
        'site.hosts[1].address: 192.0.2.10 is also the address of host "web1"; give each host its own address',
      ),
      problems.join("\n"),
    );
    assert.ok(
      problems.includes(
        'site.hosts[3].address6: 2001:db8::1 is also the address of host "web3"; give each host its own address',
      ),
      problems.join("\n"),
    );
  });

  it("an app on a host that does not exist", () => {
    const problems = problemsOf(site([host()], [{ app: "forgejo", host: "web9" }]));
    assert.ok(
      problems.some((p) => p.startsWith('site.apps[0].host: "web9" is not a host of this site')),
      problems.join("\n"),
    );
  });

  it("an existing host without a pinned key, and SSH values that would be options", () => {
    const problems = problemsOf(
      site([
        host({
          placement: { kind: "existing", os: "nixos", ssh: { host: "-oProxyCommand=sh", user: "-x" } },
        }),
      ]),
    );
    assert.ok(
      problems.some((p) => p.startsWith("site.hosts[0].placement.ssh.host:")),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) => p.startsWith("site.hosts[0].placement.ssh.user:")),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) =>
        p.startsWith("site.hosts[0].placement.ssh.hostKey: needs the host's key: set hostKey"),
      ),
      problems.join("\n"),
    );
  });

  it("an lxc placement names its LXC host, bridge and address problems", () => {
    const problems = hostSpecProblems(
      webSpec({
        apps: [],
        datasets: [],
        placement: {
          kind: "lxc",
          lxcHost: { host: "lxc1" },
          bridge: "",
          address: "10.0.0.5",
          memoryMiB: 1024,
          diskGiB: 8,
        },
      }),
    );
    const fields = problems.map(([f]) => f);
    assert.deepStrictEqual(fields, [
      "host.placement.lxcHost.hostKey",
      "host.placement.bridge",
      "host.placement.address",
    ]);
  });
});
