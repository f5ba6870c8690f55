import * as fs from "fs";
import * as path from "path";
import { isRunning, startRecorded, stopRecorded } from "./env-services";
import { keepServicesOnExit } from "./exit-cleanup";
import { withFileLock } from "./lock";
import {
  envStateFile,
  isServiceName,
  readEnvState,
  SERVICE_NAMES,
  serviceHome,
  writeEnvState,
  type ServiceName,
  type ServiceRecord,
} from "./env-state";

const USAGE = `usage: env.sh up <service...> | status | down [service...] | wipe [service...]
services: ${SERVICE_NAMES.join(", ")}
datacenters dc-a, dc-b: sshd, a ZFS pool, PostgreSQL and Garage on 127.0.10.1 / 127.0.20.1 (test/harness/datacenter.ts)
state (endpoints, credentials): .state/env.json; data kept across down/up: .state/services/<name>
wipe: stop and delete the services' data (npm run demo -- --reset does this with the stack)`;

function describe(recorded: ServiceRecord): string {
  const endpoints = Object.entries(recorded.endpoints)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  const own = `${recorded.name.padEnd(9)} ${endpoints}  (pids ${recorded.pids.join(",") || "-"}, log ${recorded.logFile})`;
  return [own, ...(recorded.parts ?? []).map((part) => `  ${describe(part)}`)].join("\n");
}

function parseNames(args: string[]): ServiceName[] {
  const unknown = args.filter((name) => !isServiceName(name));
  if (unknown.length > 0) throw new Error(`unknown service(s): ${unknown.join(", ")}\n${USAGE}`);
  return args.filter(isServiceName);
}

async function up(names: ServiceName[]): Promise<void> {
  if (names.length === 0) throw new Error(`name the services to start\n${USAGE}`);
  for (const name of names) {
    const state = readEnvState();
    const existing = state.services[name];
    if (existing && (await isRunning(existing))) {
      console.log(`${describe(existing)}  [already running]`);
      continue;
    }
    if (existing) await stopRecorded(existing);
    const started = await startRecorded(name);
    state.services[name] = started;
    writeEnvState(state);
    console.log(describe(started));
    // A throwaway API token of a NetBox on loopback, fresh for this start (issue 9 asks for it).
    if (name === "netbox") console.log(`netbox    token=${started.credentials.token}`);
  }
  console.log(`credentials and endpoints: ${envStateFile()}`);
}

async function status(): Promise<void> {
  const services = Object.values(readEnvState().services);
  if (services.length === 0) console.log("no services recorded");
  for (const recorded of services) {
    console.log(`${describe(recorded)}  [${(await isRunning(recorded)) ? "running" : "NOT running"}]`);
  }
}

async function down(names: ServiceName[]): Promise<void> {
  const state = readEnvState();
  const targets = names.length > 0 ? names : SERVICE_NAMES.filter((name) => state.services[name]);
  for (const name of [...targets].reverse()) {
    const recorded = state.services[name];
    if (!recorded) continue;
    await stopRecorded(recorded);
    delete state.services[name];
    writeEnvState(state);
    console.log(`${name.padEnd(9)} stopped`);
  }
}

/** Stops the services and deletes their persistent data (a fresh start on the next `up`). */
async function wipe(names: ServiceName[]): Promise<void> {
  await down(names);
  for (const name of names.length > 0 ? names : SERVICE_NAMES) {
    const home = serviceHome(name);
    if (!fs.existsSync(home)) continue;
    fs.rmSync(home, { recursive: true, force: true });
    console.log(`${name.padEnd(9)} data deleted (${home})`);
  }
}

/** Two `env.sh` runs at once must not record over each other. */
function whileHoldingState(work: () => Promise<void>): Promise<void> {
  fs.mkdirSync(path.dirname(envStateFile()), { recursive: true });
  return withFileLock(`${envStateFile()}.lock`, work, 300_000);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  keepServicesOnExit();
  switch (command) {
    case "up":
      return whileHoldingState(() => up(parseNames(rest)));
    case "status":
      return status();
    case "down":
      return whileHoldingState(() => down(parseNames(rest)));
    case "wipe":
      return whileHoldingState(() => wipe(parseNames(rest)));
    default:
      throw new Error(USAGE);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`[sovereign] ${error.message}`);
    process.exit(1);
  },
);
