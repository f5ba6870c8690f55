/** The container's LXC config (merged by lxc-create with the template's own). Pure. */
export interface LxcNetwork {
  readonly bridge: string;
  /** "10.213.7.10/24" */
  readonly address: string;
  readonly gateway?: string;
}

const SAFE = /^[A-Za-z0-9_.:/-]+$/;

export function lxcConfig(net: LxcNetwork, memoryMiB: number, startOnBoot: boolean): string {
  for (const [k, v] of Object.entries(net)) {
    if (v !== undefined && !SAFE.test(String(v)))
      throw new Error(`lxc ${k} "${v}" has characters an LXC config line cannot hold`);
  }
  return [
    "lxc.net.0.type = veth",
    `lxc.net.0.link = ${net.bridge}`,
    "lxc.net.0.flags = up",
    `lxc.net.0.ipv4.address = ${net.address}`,
    ...(net.gateway ? [`lxc.net.0.ipv4.gateway = ${net.gateway}`] : []),
    `lxc.cgroup2.memory.max = ${memoryMiB}M`,
    `lxc.start.auto = ${startOnBoot ? 1 : 0}`,
    "lxc.apparmor.profile = generated",
    "lxc.apparmor.allow_nesting = 1",
    "",
  ].join("\n");
}
