/**
 * The local service provider's implementation (loaded by the serialized provider at call time).
 * State keeps only a fingerprint of the definition, the pid and its start time: file contents and
 * environments (which hold secrets) stay in the inputs, which Pulumi stores encrypted.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { decideClaim, decideDelete, encodeOwner, ownIds, parseOwner, type Found } from "../shared/ownership";
import { checkServiceInputs, LocalServiceInputs, ServiceCommand, serviceFingerprint } from "./spec";

/** The dir's owner marker: a service dir is only ever reused or removed by the resource that made it. */
const MARKER = ".sovereign-owner";

function foundDir(dir: string): Found {
  if (!fs.existsSync(dir) || fs.readdirSync(dir).length === 0) return { exists: false };
  const marker = path.join(dir, MARKER);
  return {
    exists: true,
    owner: parseOwner(fs.existsSync(marker) ? fs.readFileSync(marker, "utf8") : undefined),
  };
}

type Props = Record<string, unknown>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Start time of a pid (field 22 of /proc/<pid>/stat): with the pid it names one process for good. */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

const running = (pid: unknown, started: unknown): boolean =>
  typeof pid === "number" && startTime(pid) !== undefined && startTime(pid) === started;

function runStep(step: ServiceCommand, cwd: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(step.command, step.args, {
      cwd,
      env: { ...process.env, ...step.env },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (e) => reject(new Error(`${name}: ${step.command}: ${e.message}`)));
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(`${name}: ${path.basename(step.command)} exited ${code}: ${stderr.trim().slice(-600)}`),
          ),
    );
    child.stdin.end(step.input ?? "");
  });
}

function logTail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-15).join("\n");
  } catch {
    return "(no log)";
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function stop(props: Props): Promise<void> {
  if (!running(props.pid, props.startTime)) return;
  const pid = props.pid as number;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 200 && running(pid, props.startTime); i++) await sleep(50);
  if (running(pid, props.startTime)) process.kill(pid, "SIGKILL");
}

async function install(i: LocalServiceInputs): Promise<Props> {
  fs.mkdirSync(i.dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(i.dir, MARKER), encodeOwner(i.owner) + "\n");
  for (const f of i.files) {
    const file = path.join(i.dir, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, f.content, { mode: parseInt(f.mode ?? "0644", 8) });
    fs.chmodSync(file, parseInt(f.mode ?? "0644", 8));
  }
  for (const step of i.prepare) await runStep(step, i.dir, i.name);
  const logFile = path.join(i.dir, "service.log");
  const log = fs.openSync(logFile, "a");
  const child = spawn(i.start.command, i.start.args, {
    cwd: i.dir,
    env: { ...process.env, ...i.start.env },
    detached: true,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${i.name}: could not start ${i.start.command}`);
  const started = startTime(pid);
  const deadline = Date.now() + (i.timeoutMs ?? 120_000);
  while (!(await healthy(i.healthUrl))) {
    if (!running(pid, started))
      throw new Error(`${i.name} exited while starting; its log ends:\n${logTail(logFile)}`);
    if (Date.now() > deadline) {
      await stop({ pid, startTime: started });
      throw new Error(`${i.name} did not answer ${i.healthUrl} in time; its log ends:\n${logTail(logFile)}`);
    }
    await sleep(250);
  }
  return {
    name: i.name,
    dir: i.dir,
    // delete and update decide by it: without it the stack would not recognise its own dir.
    owner: i.owner,
    healthUrl: i.healthUrl,
    fingerprint: serviceFingerprint(i),
    pid,
    startTime: started,
    running: true,
  };
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const failures = checkServiceInputs(news as Partial<LocalServiceInputs>);
  return failures.length > 0 ? { failures } : { inputs: news };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const changed =
    olds.fingerprint !== serviceFingerprint(news as unknown as LocalServiceInputs) || olds.running !== true;
  return { changes: changed, replaces: olds.dir !== news.dir ? ["dir"] : [], deleteBeforeReplace: true };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = inputs as unknown as LocalServiceInputs;
  const claim = decideClaim(foundDir(i.dir), i.owner, i.adopt === true);
  if (claim.action === "refuse") throw new Error(`${i.name}: ${i.dir}: ${claim.reason}`);
  const outs = await install(inputs as unknown as LocalServiceInputs);
  return { id: `${inputs.name as string}@${inputs.dir as string}`, outs };
}

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  return { id, props: { ...props, running: running(props.pid, props.startTime) } };
}

export async function update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  await stop(olds);
  return { outs: await install(news as unknown as LocalServiceInputs) };
}

async function remove(_id: string, props: Props): Promise<void> {
  if (typeof props.dir !== "string") return;
  const decision = decideDelete(foundDir(props.dir), ownIds(props.owner as string | undefined));
  if (decision.action === "leave") {
    console.warn(`warning: ${String(props.name)} in ${props.dir}: ${decision.warning}`);
    return;
  }
  await stop(props);
  if (typeof props.dir === "string") fs.rmSync(props.dir, { recursive: true, force: true });
}

export { remove as delete };

// No credentials: the shared configure (stack config store) keeps every provider module alike.
export { configure } from "../shared/credentials";
