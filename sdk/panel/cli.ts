/**
 * Runs the panel, or adds a user:
 *
 *   SOVEREIGN_PANEL_DATABASE=postgres://... node bin/sdk/panel/cli.js add-user alice operator
 *   SOVEREIGN_PANEL_DATABASE=postgres://... SOVEREIGN_PANEL_PROJECT=/path/to/project \
 *     node bin/sdk/panel/cli.js serve [port]
 *
 * The engine's environment (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, PATH with `pulumi`) is
 * passed on to every engine run. `add-user` prints the new token once; only its hash is stored.
 */
import { createPanelServer } from "./server";
import { PanelStore, type Role } from "./store";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const store = await PanelStore.open(required("SOVEREIGN_PANEL_DATABASE"));
  const [command, ...args] = argv;
  if (command === "add-user") {
    const [name, role] = args;
    if (!name || (role !== "viewer" && role !== "operator"))
      throw new Error("usage: add-user NAME viewer|operator");
    const { token } = await store.addUser(name, role as Role);
    process.stdout.write(`${token}\n`);
    await store.close();
    return;
  }
  if (command !== "serve") throw new Error("usage: cli.js serve [port] | add-user NAME viewer|operator");
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && e[0].startsWith("PULUMI_"),
    ),
  );
  const server = createPanelServer({
    store,
    workDir: required("SOVEREIGN_PANEL_PROJECT"),
    envVars: env,
    ...(process.env.SOVEREIGN_PANEL_NETBOX_URL
      ? { localNetboxUrl: process.env.SOVEREIGN_PANEL_NETBOX_URL }
      : {}),
  });
  const port = Number(args[0] ?? 8090);
  server.listen(port, "127.0.0.1", () => process.stderr.write(`panel on http://127.0.0.1:${port}\n`));
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
}
