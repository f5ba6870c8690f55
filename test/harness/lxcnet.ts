/**
 * A private network for LXC test containers: a bridge this harness creates (never lxcbr0), with
 * an address from 10.213.0.0/16 — the range the harness owns for containers, one /24 per bridge —
 * and only the containers the tests made on it. `stop` force-stops and destroys those containers
 * (lxc-stop -k, lxc-destroy) if a test left any, then deletes the bridge. The Debian rootfs the
 * template downloads is cached by lxc itself in /var/cache/lxc/debian (about 3 minutes the first
 * time on 2 shared cores, seconds afterwards).
 */
import { randomBytes } from "crypto";
import { spawnSync } from "child_process";
import { runCommand } from "./commands";

export const LXC_TEST_RANGE = "10.213.0.0/16";

export interface LxcNet {
  readonly bridge: string;
  /** The bridge's own address: the containers' gateway. */
  readonly gateway: string;
  /** A container address with prefix, e.g. "10.213.42.10/24". */
  address(host: number): string;
  /** Register a container name for clean-up, should a test fail before destroying it. */
  track(name: string): void;
  stop(): Promise<void>;
}

function requireLxc(): void {
  const r = spawnSync("lxc-create", ["--version"], { encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(
      "lxc-create is not runnable; install Debian's lxc, lxc-templates and debootstrap (scripts/services.sh does)",
    );
}

function bridgeExists(name: string): boolean {
  return spawnSync("ip", ["link", "show", "dev", name]).status === 0;
}

function subnetInUse(third: number): boolean {
  const r = spawnSync("ip", ["-4", "-o", "addr", "show"], { encoding: "utf8" });
  return r.stdout.includes(` 10.213.${third}.`);
}

export async function startLxcNet(): Promise<LxcNet> {
  requireLxc();
  let third = 0;
  for (let tries = 0; tries < 50; tries++) {
    third = 1 + (randomBytes(1)[0] % 254);
    if (!subnetInUse(third)) break;
  }
  const bridge = `sovlxc${randomBytes(3).toString("hex")}`;
  const gateway = `10.213.${third}.1`;
  await runCommand("ip", ["link", "add", bridge, "type", "bridge"]);
  const containers = new Set<string>();
  try {
    await runCommand("ip", ["addr", "add", `${gateway}/24`, "dev", bridge]);
    await runCommand("ip", ["link", "set", bridge, "up"]);
  } catch (e) {
    await runCommand("ip", ["link", "del", bridge]).catch(() => undefined);
    throw e;
  }
  return {
    bridge,
    gateway,
    address: (host: number) => `10.213.${third}.${host}/24`,
    track: (name: string) => void containers.add(name),
    stop: async () => {
      for (const name of containers) {
        if (spawnSync("lxc-info", ["-n", name]).status !== 0) continue;
        spawnSync("lxc-stop", ["-n", name, "-k"]);
        spawnSync("lxc-destroy", ["-n", name]);
      }
      if (bridgeExists(bridge)) await runCommand("ip", ["link", "del", bridge]);
    },
  };
}
