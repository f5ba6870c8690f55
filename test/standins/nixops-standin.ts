/**
 * STAND-IN for the `nixops` CLI (NixOps is not installable here). It implements only the documented
 * command surface the SDK uses — create, modify, deploy, info --plain, list, export, import,
 * destroy, delete, with -s STATE and -d NAME — keeps its state as JSON (real NixOps uses SQLite),
 * checks every network and machine file with the real `nix-instantiate --parse`, reads machine
 * names and deployment.targetHost with real `nix-instantiate --eval`, and deploys nothing: "deploy"
 * records what would be activated. Every invocation is appended to STATE.log.
 */
import { createHash, randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { evalJson, fail, parseAllNix, record } from "./check";

interface Deployment {
  name: string;
  description: string;
  nixExprs: string[];
  machines: Record<string, { targetHost: string; status: string; deployedHash?: string }>;
}
type State = Record<string, Deployment>;

const argv = process.argv.slice(2);
const command = argv[0];
let stateFile =
  process.env.NIXOPS_STATE ?? path.join(process.env.HOME ?? "/root", ".nixops", "deployments.json");
let name = process.env.NIXOPS_DEPLOYMENT;
const positional: string[] = [];
const flags = new Set<string>();
for (let i = 1; i < argv.length; i++) {
  const a = argv[i];
  if (a === "-s" || a === "--state") stateFile = argv[++i];
  else if (a === "-d" || a === "--deployment") name = argv[++i];
  else if (a.startsWith("--")) flags.add(a);
  else positional.push(a);
}

record(`${stateFile}.log`, { tool: "nixops", argv, cwd: process.cwd() });

const load = (): State =>
  fs.existsSync(stateFile) ? (JSON.parse(fs.readFileSync(stateFile, "utf8")) as State) : {};
const save = (s: State) => {
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  fs.writeFileSync(`${stateFile}.tmp`, JSON.stringify(s, null, 2));
  fs.renameSync(`${stateFile}.tmp`, stateFile);
};
const find = (s: State): [string, Deployment] => {
  const hit = Object.entries(s).find(([uuid, d]) => d.name === name || uuid === name);
  if (!hit) fail(`deployment ‘${name ?? "(none given)"}’ not found`);
  return hit;
};

/** Parses the network files (real Nix) and reads each machine's deployment.targetHost. */
function evaluateNetwork(exprs: string[]): Pick<Deployment, "description" | "machines"> {
  if (exprs.length === 0) fail("no network expressions given");
  for (const e of exprs) {
    if (!fs.existsSync(e)) fail(`${e} does not exist`);
    parseAllNix(path.dirname(path.resolve(e)));
  }
  // One evaluation: machine names, the network's description and each deployment.targetHost.
  const file = JSON.stringify(path.resolve(exprs[0]));
  const facts =
    evalJson(`let net = import ${file}; names = builtins.filter (n: n != "network") (builtins.attrNames net); in {
    description = net.network.description or "";
    hosts = builtins.listToAttrs (map (n: { name = n; value = ((net.\${n}) { config = {}; lib = {}; pkgs = {}; }).deployment.targetHost; }) names);
  }`) as { description: string; hosts: Record<string, string> };
  const description = facts.description;
  const machines: Deployment["machines"] = {};
  for (const [m, host] of Object.entries(facts.hosts)) machines[m] = { targetHost: host, status: "Missing" };
  return { description, machines };
}

function hashDir(dir: string): string {
  const h = createHash("sha256");
  for (const f of parseAllNix(dir).sort()) h.update(f).update(fs.readFileSync(f));
  return h.digest("hex");
}

const state = load();
switch (command) {
  case "create": {
    if (name && Object.values(state).some((d) => d.name === name))
      fail(`deployment ‘${name}’ already exists`);
    const uuid = randomUUID();
    const exprs = positional.map((p) => path.resolve(p));
    state[uuid] = { name: name ?? uuid, nixExprs: exprs, ...evaluateNetwork(exprs) };
    save(state);
    process.stderr.write(`created deployment ‘${uuid}’\n`);
    process.stdout.write(`${uuid}\n`);
    break;
  }
  case "modify": {
    const [uuid, d] = find(state);
    const exprs = positional.length ? positional.map((p) => path.resolve(p)) : d.nixExprs;
    const evaluated = evaluateNetwork(exprs);
    for (const [m, v] of Object.entries(evaluated.machines)) v.status = d.machines[m]?.status ?? v.status;
    state[uuid] = { ...d, nixExprs: exprs, ...evaluated };
    save(state);
    break;
  }
  case "deploy": {
    const [uuid, d] = find(state);
    const evaluated = evaluateNetwork(d.nixExprs);
    const hash = hashDir(path.dirname(d.nixExprs[0]));
    for (const [m, v] of Object.entries(evaluated.machines)) {
      d.machines[m] = { ...v, status: "Up", deployedHash: hash };
      process.stderr.write(
        `${m}> copying closure... (stand-in: nothing copied)\n${m}> activation finished successfully\n`,
      );
    }
    state[uuid] = d;
    save(state);
    break;
  }
  case "info": {
    const [uuid, d] = find(state);
    if (!flags.has("--plain"))
      process.stdout.write(
        `Network name: ${d.name}\nNetwork UUID: ${uuid}\nNetwork description: ${d.description}\n`,
      );
    for (const [m, v] of Object.entries(d.machines))
      process.stdout.write(`${m}\t${v.status}\tnone\t\t${v.targetHost}\n`);
    break;
  }
  case "list":
    for (const [uuid, d] of Object.entries(state))
      process.stdout.write(`${uuid}\t${d.name}\t${d.description}\t${Object.keys(d.machines).length}\n`);
    break;
  case "export": {
    const chosen = name ? [find(state)] : Object.entries(state);
    process.stdout.write(JSON.stringify(Object.fromEntries(chosen), null, 2));
    break;
  }
  case "import": {
    const incoming = JSON.parse(fs.readFileSync(0, "utf8")) as State;
    for (const [uuid, d] of Object.entries(incoming)) {
      if (state[uuid]) fail(`deployment ‘${uuid}’ already exists`);
      state[uuid] = d;
      process.stderr.write(`added deployment ‘${uuid}’\n`);
    }
    save(state);
    break;
  }
  case "destroy": {
    const [uuid, d] = find(state);
    if (!flags.has("--confirm")) fail("destroy needs --confirm in non-interactive use");
    for (const v of Object.values(d.machines)) v.status = "Missing";
    state[uuid] = d;
    save(state);
    break;
  }
  case "delete": {
    const [uuid, d] = find(state);
    if (!flags.has("--force") && Object.values(d.machines).some((v) => v.status === "Up"))
      fail(`cannot delete deployment ‘${d.name}’: machines still exist; destroy them first`);
    delete state[uuid];
    save(state);
    break;
  }
  default:
    fail(`stand-in nixops: unknown command ‘${command ?? ""}’`, 2);
}
