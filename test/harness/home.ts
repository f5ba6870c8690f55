import * as fs from "fs";
import * as path from "path";
import { isPortFree } from "./ports";

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
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "settings.json");
  if (fs.existsSync(file))
    return { dir, settings: JSON.parse(fs.readFileSync(file, "utf8")) as S, fresh: false };
  const settings = await choose();
  // Credentials inside: readable by the owner only.
  fs.writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return { dir, settings, fresh: true };
}

/** Fails with what to do when a port recorded in a home is taken by another process. */
export async function assertRecordedPortsFree(
  what: string,
  home: string,
  ports: Record<string, number>,
  udp: readonly string[] = [],
): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isPortFree(port, udp.includes(name)))) {
      throw new Error(
        `${what} must listen on 127.0.0.1:${port} (${name}, recorded in ${path.join(home, "settings.json")}) ` +
          "but another process holds that port: stop it, or start the local site afresh with `npm run demo -- --reset`",
      );
    }
  }
}
