import * as fs from "fs";
import * as path from "path";
import { freePort, isPortFree } from "./ports";

/**
 * A service's persistent home (the local site's services under `.state/services/<name>/`): its
 * data, and the settings chosen on the first start (ports, credentials) recorded in
 * `settings.json`, so that stopping and starting it again keeps both and a stack that points at
 * it sees no change.
 */
export interface ServiceHome<S> {
  readonly dir: string;
  readonly settings: S;
  /** True when this start created the home (nothing was recorded before). */
  readonly fresh: boolean;
}

export async function openServiceHome<S>(dir: string, choose: () => Promise<S>): Promise<ServiceHome<S>> {
  // The parents stay traversable (a service may run as its own OS user); the home is private.
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "settings.json");
  if (fs.existsSync(file))
    return { dir, settings: JSON.parse(fs.readFileSync(file, "utf8")) as S, fresh: false };
  const settings = await choose();
  // Credentials inside: readable by the owner only.
  fs.writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return { dir, settings, fresh: true };
}

/**
 * A free port for a service that keeps it across restarts: below the kernel's ephemeral range, so
 * that no outgoing connection of another program takes it while the service is stopped.
 */
export async function stablePort(udp = false): Promise<number> {
  let low = 32768;
  try {
    low = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
  } catch {
    // Not Linux: keep the usual bound.
  }
  const from = 20000;
  if (!(low > from + 1000)) return freePort(udp);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (low - from));
    if (await isPortFree(port, udp)) return port;
  }
  return freePort(udp);
}

/**
 * Whether the port is free or becomes free within `waitMs`: the previous instance's connections
 * can hold it for a few seconds after it stopped (FIN_WAIT2 until its clients close).
 */
async function portFreesUp(port: number, udp: boolean, waitMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await isPortFree(port, udp)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Fails with what to do when a port recorded in a home is taken by another process. */
export async function assertRecordedPortsFree(
  what: string,
  home: string,
  ports: Record<string, number>,
  udp: readonly string[] = [],
): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    if (!(await portFreesUp(port, udp.includes(name)))) {
      throw new Error(
        `${what} must listen on 127.0.0.1:${port} (${name}, recorded in ${path.join(home, "settings.json")}) ` +
          "but another process holds that port: stop it, or start the local site afresh with `npm run demo -- --reset`",
      );
    }
  }
}
