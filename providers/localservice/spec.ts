/**
 * What a local service is: files to write, preparation commands, a long-running command and the
 * URL that says it is up. Pure validation and fingerprinting; serviceProvider.ts does the work.
 *
 * This is the minimal installer for services on this machine (the local site's hosts are loopback
 * addresses). It does on one machine what PlainHost does over SSH (packages, files, services), and
 * is meant to be swapped for it.
 */
import * as crypto from "crypto";

export interface ServiceFile {
  /** Relative to the service's dir. */
  path: string;
  content: string;
  /** Octal mode as a string, e.g. "0600" (default "0644"). */
  mode?: string;
}

export interface ServiceCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Text given on stdin (prepare steps). */
  input?: string;
}

export interface LocalServiceInputs {
  /** A name for messages and the process log. */
  name: string;
  /** Absolute dir that holds the files, the log and the pid file; removed on delete. */
  dir: string;
  files: ServiceFile[];
  /** Run in order before each start; must be idempotent. */
  prepare: ServiceCommand[];
  start: ServiceCommand;
  /** Answers 200 once the service is ready. */
  healthUrl: string;
  /** How long start may take, ms (default 120000). */
  timeoutMs?: number;
  /** `<project>/<stack>/<resource>`, written into the dir's owner marker. */
  owner: string;
  /** Take over a dir that another owner (or no one) made. */
  adopt?: boolean;
}

export function checkServiceInputs(i: Partial<LocalServiceInputs>): { property: string; reason: string }[] {
  const out: { property: string; reason: string }[] = [];
  if (!i.name) out.push({ property: "name", reason: "is required" });
  if (!i.dir || !i.dir.startsWith("/") || i.dir.split("/").filter(Boolean).length < 2)
    out.push({
      property: "dir",
      reason: `"${String(i.dir)}" must be an absolute path at least two levels deep (it is removed on delete)`,
    });
  for (const [n, f] of (i.files ?? []).entries()) {
    if (!f.path || f.path.startsWith("/") || f.path.split("/").includes(".."))
      out.push({ property: `files[${n}].path`, reason: `"${f.path}" must be relative and stay inside dir` });
    if (f.mode !== undefined && !/^0[0-7]{3}$/.test(f.mode))
      out.push({ property: `files[${n}].mode`, reason: `"${f.mode}" must be octal like "0600"` });
  }
  if (!i.start?.command) out.push({ property: "start.command", reason: "is required" });
  try {
    if (!/^https?:$/.test(new URL(i.healthUrl ?? "").protocol)) throw new Error();
  } catch {
    out.push({ property: "healthUrl", reason: `"${String(i.healthUrl)}" must be an http(s) URL` });
  }
  return out;
}

/** A digest of everything that defines the running service: a change means rewrite and restart. */
export function serviceFingerprint(i: LocalServiceInputs): string {
  const defining = { dir: i.dir, files: i.files, prepare: i.prepare, start: i.start, healthUrl: i.healthUrl };
  return crypto.createHash("sha256").update(JSON.stringify(defining)).digest("hex");
}
