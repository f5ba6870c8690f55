import { spawn } from "child_process";
import * as fs from "fs";
import { terminateOnExit } from "./exit-cleanup";

export interface DetachedSpec {
  command: string;
  args: string[];
  /** Working dir of the process. */
  cwd: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this OS user (root only). */
  uid?: number;
  gid?: number;
  /** Shared daemons (zfs-fuse) outlive the process that started them; services do not (see exit-cleanup). */
  survivesExit?: boolean;
}

export interface DetachedProcess {
  readonly pid: number;
  /** How the process ended ("exit code 1", "signal SIGKILL"), or undefined while it runs. */
  exitDescription(): string | undefined;
}

/**
 * Starts a process in its own session, output to its log file, stopped by pid. It is not tied to
 * this process's session (the CLI leaves services running), but see exit-cleanup.
 */
export function spawnDetached(spec: DetachedSpec): DetachedProcess {
  const log = fs.openSync(spec.logFile, "a");
  let ended: string | undefined;
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      uid: spec.uid,
      gid: spec.gid,
      detached: true,
      stdio: ["ignore", log, log],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command} (is it installed?)`);
    child.once("error", (error) => (ended = `spawn error: ${error.message}`));
    child.once("exit", (code, signal) => (ended = signal ? `signal ${signal}` : `exit code ${code}`));
    child.unref();
    if (!spec.survivesExit) terminateOnExit(child.pid);
    return { pid: child.pid, exitDescription: () => ended };
  } finally {
    fs.closeSync(log);
  }
}
