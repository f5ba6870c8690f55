/**
 * Embedding the Automation API in a service: a small HTTP API that previews or applies a site's
 * stack, the way a panel (the seed's "Nix-Panel API") would drive deployments.
 *
 *   node bin/examples/automation/siteService.js [port]
 *   curl -X POST localhost:8080/sites/local/preview     -> { "changeSummary": { ... } }
 *   curl -X POST localhost:8080/sites/local/up          -> { "result": "succeeded", "outputs": { ... } }
 *
 * It uses the repo's Pulumi.yaml (the site program in stacks/) and whatever backend and passphrase
 * the environment names (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE).
 */
import * as http from "http";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

const projectDir = path.resolve(__dirname, "../../..");

async function siteStack(name: string): Promise<Stack> {
  return LocalWorkspace.selectStack({ stackName: name, workDir: projectDir });
}

type Action = (stack: Stack) => Promise<unknown>;

const actions: Record<string, Action> = {
  preview: async (stack) => ({ changeSummary: (await stack.preview({ color: "never" })).changeSummary }),
  up: async (stack) => {
    const up = await stack.up({ color: "never" });
    return { result: up.summary.result, outputs: up.outputs };
  },
  outputs: async (stack) => stack.outputs(),
};

export function createSiteService(): http.Server {
  // One operation per stack at a time: the engine would refuse a concurrent update anyway.
  const busy = new Set<string>();
  return http.createServer((req, res) => {
    const match = /^\/sites\/([a-z][a-z0-9-]*)\/(preview|up|outputs)$/.exec(req.url ?? "");
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body, null, 2) + "\n");
    };
    if (req.method !== "POST" || !match)
      return reply(404, { error: "use POST /sites/<stack>/(preview|up|outputs)" });
    const [, stackName, action] = match;
    if (busy.has(stackName)) return reply(409, { error: `stack ${stackName} has an operation running` });
    busy.add(stackName);
    siteStack(stackName)
      .then((stack) => actions[action](stack))
      .then((body) => reply(200, body))
      // Engine errors carry the CLI's stderr, which never holds secrets in plain text.
      .catch((err: Error) => reply(500, { error: err.message }))
      .finally(() => busy.delete(stackName));
  });
}

if (require.main === module) {
  const port = Number(process.argv[2] ?? 8080);
  createSiteService().listen(port, "127.0.0.1", () =>
    console.log(`site service on http://127.0.0.1:${port}`),
  );
}
