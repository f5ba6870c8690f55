/**
 * PlainDaemons: long-running programs started over SSH on a host where they do not run under a
 * service manager — a second Postfix beside the system's (`postfix -c DIR`), a Cyrus master with its
 * own config, and on the local site, where the host is this machine without systemd. Each daemon
 * forks into the background and leaves a pid file; `stop` ends it by that pid. A marker file in `dir`
 * names the owner: another stack's daemons are not started over or stopped without `adopt`.
 * Any change of the inputs restarts them all (stop in reverse order, prepare, start in order, then
 * the after-start steps, e.g. creating mailboxes through the running server).
 */
import * as pulumi from "@pulumi/pulumi";
import { SshTarget, sshTargetProblems } from "../../sdk/hosts/ssh";
import { SshExecutor } from "../../sdk/replication/executor";
import {
  decideClaim,
  decideDelete,
  decideWrite,
  encodeOwner,
  ownIds,
  parseOwner,
  type Found,
} from "../shared/ownership";
import { runScript, toolErrorLines, withRemote } from "./remote";

export interface Daemon {
  /** For messages and the start log (`<dir>/log/<name>.start.log`). */
  readonly name: string;
  /** A shell script that starts the daemon in the background and returns. */
  readonly start: string;
  /** Where the daemon writes its pid (the first number in the file counts). */
  readonly pidFile: string;
}

export interface AfterStart {
  readonly what: string;
  readonly argv: readonly string[];
  /** Given on stdin (may hold credentials: it is a secret input). */
  readonly input?: string;
}

export interface PlainDaemonsInputs {
  readonly hostName: string;
  readonly target: SshTarget;
  readonly privateKey?: string;
  readonly owner: string;
  /** Absolute dir of the daemons' files: holds the owner marker and the start logs. */
  readonly dir: string;
  /** Run before every start (idempotent): directories, ownership, generated TLS keys... */
  readonly prepare: string;
  readonly daemons: readonly Daemon[];
  readonly afterStart: readonly AfterStart[];
  /** Anything whose change must restart the daemons (e.g. the hashes of their config files). */
  readonly restartKey?: string;
  readonly adopt?: boolean;
}

export interface PlainDaemonsOutputs extends PlainDaemonsInputs {
  /** name → running (after create/update: true; after refresh: what is true now). */
  readonly running: Record<string, boolean>;
}

const MARKER = ".sovereign-owner";
const NAME = /^[a-z][a-z0-9-]*$/;
const ABS = /^\/[^\n\0]*$/;

/** Prints the pid when the pid file names a live process. */
const ALIVE = `p=$(tr -cd '0-9\\n' < "$1" 2>/dev/null | head -n1); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"`;

/** TERM, then up to 20 s for the process to go, then KILL. */
const STOP = `${ALIVE.replace(/ && echo "\$p"$/, "")} || exit 0
kill "$p"; i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
kill -0 "$p" 2>/dev/null && kill -9 "$p"; rm -f "$1"; exit 0`;

async function alive(ex: SshExecutor, pidFile: string): Promise<boolean> {
  const r = await ex.run(["sh", "-c", ALIVE, "sh", pidFile], { allowFailure: true });
  return r.code === 0 && r.stdout.trim() !== "";
}

async function foundDir(ex: SshExecutor, dir: string): Promise<Found> {
  const r = await ex.run(["cat", "--", `${dir}/${MARKER}`], { allowFailure: true });
  // Only the marker counts: the config files in the dir are written (and guarded) by PlainHost first.
  return r.code === 0 ? { exists: true, owner: parseOwner(r.stdout) } : { exists: false };
}

async function stopAll(ex: SshExecutor, daemons: readonly Daemon[]): Promise<void> {
  for (const d of [...daemons].reverse()) await ex.run(["sh", "-c", STOP, "sh", d.pidFile]);
}

async function startAll(ex: SshExecutor, i: PlainDaemonsInputs): Promise<Record<string, boolean>> {
  await ex.run([
    "sh",
    "-c",
    'mkdir -p "$1/log" && printf "%s\\n" "$2" > "$1/$3"',
    "sh",
    i.dir,
    encodeOwner(i.owner),
    MARKER,
  ]);
  const prepared = await runScript(ex, i.prepare, [], true);
  if (prepared.code !== 0)
    throw new Error(
      `${i.hostName}: preparing ${i.dir} failed (exit ${prepared.code}):\n${toolErrorLines(prepared)}`,
    );
  for (const d of i.daemons) {
    if (await alive(ex, d.pidFile)) continue;
    const log = `${i.dir}/log/${d.name}.start.log`;
    const r = await ex.run(["sh", "-c", `exec >"$1" 2>&1 </dev/null; ${d.start}`, "sh", log], {
      allowFailure: true,
    });
    let up = false;
    for (let k = 0; k < 100 && !up; k++) {
      up = await alive(ex, d.pidFile);
      if (!up) await new Promise((res) => setTimeout(res, 200));
    }
    if (r.code !== 0 || !up) {
      const tail = await ex.run(["tail", "-n", "15", "--", log], { allowFailure: true });
      throw new Error(
        `${i.hostName}: ${d.name} did not start (exit ${r.code}, no live pid in ${d.pidFile}); ${log} ends:\n${tail.stdout.trim()}`,
      );
    }
  }
  for (const step of i.afterStart) {
    const r = await ex.run(step.argv, { allowFailure: true, input: step.input });
    if (r.code !== 0)
      throw new Error(`${i.hostName}: ${step.what} failed (exit ${r.code}):\n${toolErrorLines(r)}`);
  }
  return Object.fromEntries(i.daemons.map((d) => [d.name, true]));
}

export const provider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: PlainDaemonsInputs) {
    const failures = sshTargetProblems(news.target, "target").map(([property, reason]) => ({
      property,
      reason,
    }));
    if (!ABS.test(news.dir) || news.dir.split("/").filter(Boolean).length < 2)
      failures.push({
        property: "dir",
        reason: `"${news.dir}" must be an absolute path at least two levels deep`,
      });
    const names = new Set<string>();
    news.daemons.forEach((d, k) => {
      if (!NAME.test(d.name) || names.has(d.name))
        failures.push({
          property: `daemons[${k}].name`,
          reason: `"${d.name}" must be a unique lower-case name`,
        });
      names.add(d.name);
      if (!ABS.test(d.pidFile))
        failures.push({
          property: `daemons[${k}].pidFile`,
          reason: `"${d.pidFile}" must be an absolute path`,
        });
    });
    return { inputs: news, failures };
  },

  async diff(_id, olds: PlainDaemonsOutputs, news: PlainDaemonsInputs) {
    const keys = ["dir", "prepare", "daemons", "afterStart", "restartKey", "target", "owner"] as const;
    const stopped = Object.values(olds.running ?? {}).some((r) => !r);
    const changes = stopped || keys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return {
      changes,
      replaces: olds.hostName !== news.hostName ? ["hostName"] : [],
      deleteBeforeReplace: true,
    };
  },

  async create(i: PlainDaemonsInputs) {
    const running = await withRemote(i, "target", async (ex) => {
      const claim = decideClaim(await foundDir(ex, i.dir), i.owner, i.adopt === true);
      if (claim.action === "refuse") throw new Error(`${i.hostName}: ${i.dir}: ${claim.reason}`);
      return startAll(ex, i);
    });
    return { id: `${i.hostName}:${i.dir}`, outs: { ...i, running } };
  },

  async read(id, props: PlainDaemonsOutputs) {
    return withRemote(props, "target", async (ex) => {
      const running: Record<string, boolean> = {};
      for (const d of props.daemons) running[d.name] = await alive(ex, d.pidFile);
      return { id, props: { ...props, running } };
    });
  },

  async update(_id, olds: PlainDaemonsOutputs, news: PlainDaemonsInputs) {
    const running = await withRemote(news, "target", async (ex) => {
      const write = decideWrite(await foundDir(ex, news.dir), ownIds(news.owner, olds.owner));
      if (write.action === "refuse" && !news.adopt)
        throw new Error(`${news.hostName}: ${news.dir}: ${write.reason}`);
      await stopAll(ex, olds.daemons);
      return startAll(ex, news);
    });
    return { outs: { ...news, running } };
  },

  async delete(_id, props: PlainDaemonsOutputs) {
    await withRemote(props, "target", async (ex) => {
      const decision = decideDelete(await foundDir(ex, props.dir), ownIds(props.owner));
      if (decision.action === "leave") {
        await pulumi.log.warn(
          `${props.hostName}: ${props.dir}: ${decision.warning}; its daemons keep running`,
        );
        return;
      }
      await stopAll(ex, props.daemons);
      await ex.run(["rm", "-f", "--", `${props.dir}/${MARKER}`]);
    });
  },
};

// The module shape providers/shared/moduleLocation.ts loads (credentials arrive through configure).
export { configure } from "../shared/credentials";
export const { check, diff, create, read, update } = provider as Required<pulumi.dynamic.ResourceProvider>;
const remove = (provider as Required<pulumi.dynamic.ResourceProvider>).delete;
export { remove as delete };
