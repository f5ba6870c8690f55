/**
 * PlainHostState: packages, files and systemd services on a plain Linux machine (Debian family),
 * applied over SSH. What it wrote is listed, with hashes and its owner, in a manifest on the host
 * (/var/lib/sovereign/plainhost/<host>.json): files someone else wrote are not overwritten without
 * `adopt`, refresh sees files changed behind the stack's back, and delete removes only files that
 * still hold what this stack wrote. Packages are left installed on delete (other software may
 * depend on them).
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { SshTarget, sshTargetProblems } from "../../sdk/hosts/ssh";
import { SshExecutor } from "../../sdk/replication/executor";
import { toolErrorLines, withRemote } from "./remote";
import {
  processProblems,
  processRunning,
  startProcess,
  stopProcess,
  type PlainProcess,
} from "./processService";

export type { PlainProcess };

/** A file the plain-host provider writes on the host over SSH. */
export interface PlainFile {
  /** Absolute path on the host. */
  readonly path: string;
  /** The file's full text; written as given (no templating). */
  readonly content: string;
  /** Octal mode, e.g. "0644". */
  readonly mode: string;
  /** "user:group"; default root:root. */
  readonly owner?: string;
}

/** A systemd unit the plain-host provider installs, enables and keeps running on the host. */
export interface PlainService {
  /** systemd unit name, e.g. "nginx" or "matrix-synapse.service". */
  readonly name: string;
  /** Restart the service when one of these files changes. */
  readonly restartOn?: readonly string[];
  /**
   * Run it as a supervised process instead of a systemd unit (hosts where systemd is not running,
   * e.g. a container or the local site's machine); see processService.ts.
   */
  readonly process?: PlainProcess;
}

export interface PlainHostInputs {
  readonly hostName: string;
  readonly target: SshTarget;
  readonly privateKey?: string;
  readonly owner: string;
  readonly packages: readonly string[];
  readonly files: readonly PlainFile[];
  readonly services: readonly PlainService[];
  readonly adopt?: boolean;
  /**
   * Several PlainHosts may configure one machine, each its own part (e.g. "synapse-matrix"): each
   * part has its own manifest and owner. Default: the whole host.
   */
  readonly part?: string;
}

export interface PlainHostOutputs extends PlainHostInputs {
  /** path → sha256 of what is on the host (after apply; after refresh, what is there now). */
  readonly fileHashes: Record<string, string>;
  readonly installedPackages: string[];
  /** Process services: running (after apply; after refresh, whether they run now). */
  readonly processesRunning?: Record<string, boolean>;
}

interface Manifest {
  readonly owner: string;
  readonly files: Record<string, string>;
  readonly services: string[];
  /** Services run as processes (stopped by pid file, not by systemctl). */
  readonly processes?: string[];
}

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const UNIT = /^[A-Za-z0-9@_.:-]+$/;
const MODE = /^0?[0-7]{3,4}$/;
const OWNER = /^[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?$/;

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const manifestPath = (host: string, part?: string) =>
  `/var/lib/sovereign/plainhost/${host}${part ? `.${part}` : ""}.json`;

const HASHES = `for f in "$@"; do if [ -f "$f" ]; then sha256sum "$f"; else echo "- $f"; fi; done`;
const WRITE =
  'set -e; mkdir -p "$(dirname "$1")"; cat > "$1.sovereign-tmp"; chmod "$2" "$1.sovereign-tmp"; chown "$3" "$1.sovereign-tmp"; mv -f "$1.sovereign-tmp" "$1"';
const MISSING_PACKAGES = `for p in "$@"; do dpkg-query -W -f='\${Status}\\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"; done`;

async function remoteHashes(ex: SshExecutor, paths: readonly string[]): Promise<Record<string, string>> {
  if (paths.length === 0) return {};
  const r = await ex.run(["sh", "-c", HASHES, "sh", ...paths]);
  const out: Record<string, string> = {};
  for (const line of r.stdout.split("\n").filter(Boolean)) {
    const [hash, ...rest] = line.split(/\s+/);
    if (hash !== "-") out[rest.join(" ")] = hash;
  }
  return out;
}

async function readManifest(ex: SshExecutor, host: string, part?: string): Promise<Manifest | undefined> {
  const r = await ex.run(["cat", "--", manifestPath(host, part)], { allowFailure: true });
  return r.code === 0 ? (JSON.parse(r.stdout) as Manifest) : undefined;
}

async function writeManifest(
  ex: SshExecutor,
  host: string,
  part: string | undefined,
  m: Manifest,
): Promise<void> {
  await ex.run(["sh", "-c", WRITE, "sh", manifestPath(host, part), "0600", "root:root"], {
    input: JSON.stringify(m, null, 2),
  });
}

async function must(ex: SshExecutor, what: string, argv: string[], input?: string) {
  const r = await ex.run(argv, { allowFailure: true, input });
  if (r.code !== 0)
    throw new Error(`${what} failed on ${ex.description} (exit ${r.code}):\n${toolErrorLines(r)}`);
  return r;
}

async function apply(i: PlainHostInputs, previous: Manifest | undefined): Promise<PlainHostOutputs> {
  return withRemote(i, "target", async (ex) => {
    const manifest = (await readManifest(ex, i.hostName, i.part)) ?? previous;
    if (manifest && manifest.owner !== i.owner && !i.adopt) {
      throw new Error(
        `host "${i.hostName}" is managed by ${manifest.owner} (${manifestPath(i.hostName, i.part)}); set adopt: true to take it over`,
      );
    }
    const known = manifest?.owner === i.owner ? manifest.files : {};
    // Packages first: files may go into directories the packages create.
    const missing = i.packages.length
      ? (await ex.run(["sh", "-c", MISSING_PACKAGES, "sh", ...i.packages])).stdout.split("\n").filter(Boolean)
      : [];
    if (missing.length > 0) {
      await must(ex, `installing ${missing.join(", ")}`, [
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "--no-install-recommends",
        "--",
        ...missing,
      ]);
    }
    const current = await remoteHashes(ex, [...i.files.map((f) => f.path), ...Object.keys(known)]);
    const foreign = i.files.filter(
      (f) =>
        current[f.path] !== undefined && current[f.path] !== sha256(f.content) && known[f.path] === undefined,
    );
    if (foreign.length > 0 && !i.adopt) {
      throw new Error(
        `host "${i.hostName}": ${foreign.map((f) => f.path).join(", ")} already exist(s) with other content and were not written by this stack; set adopt: true to overwrite`,
      );
    }
    const changed = new Set<string>();
    for (const f of i.files) {
      if (current[f.path] === sha256(f.content)) continue;
      await must(
        ex,
        `writing ${f.path}`,
        ["sh", "-c", WRITE, "sh", f.path, f.mode, f.owner ?? "root:root"],
        f.content,
      );
      changed.add(f.path);
    }
    for (const [path, hash] of Object.entries(known)) {
      if (i.files.some((f) => f.path === path)) continue;
      if (current[path] === hash) await ex.run(["rm", "-f", "--", path]);
      else if (current[path] !== undefined)
        await pulumi.log.warn(
          `host "${i.hostName}": ${path} changed since this stack wrote it; left in place`,
        );
    }
    const unitChanged = [...changed].some((p) => p.startsWith("/etc/systemd/"));
    if (unitChanged) await must(ex, "systemctl daemon-reload", ["systemctl", "daemon-reload"]);
    const ours = manifest?.owner === i.owner ? manifest : undefined;
    const processesRunning: Record<string, boolean> = {};
    for (const s of i.services) {
      const restart = (s.restartOn ?? []).some((p) => changed.has(p));
      if (s.process) {
        if (restart) await stopProcess(ex, s.name);
        if (!(await processRunning(ex, s.name))) await startProcess(ex, s.name, s.process);
        processesRunning[s.name] = true;
        continue;
      }
      await must(ex, `enabling ${s.name}`, ["systemctl", "enable", "--now", "--", s.name]);
      if (restart) await must(ex, `restarting ${s.name}`, ["systemctl", "restart", "--", s.name]);
    }
    for (const old of ours?.services ?? []) {
      if (!i.services.some((s) => s.name === old)) {
        if (ours?.processes?.includes(old)) await stopProcess(ex, old);
        else await ex.run(["systemctl", "disable", "--now", "--", old], { allowFailure: true });
      }
    }
    const fileHashes = Object.fromEntries(i.files.map((f) => [f.path, sha256(f.content)]));
    await writeManifest(ex, i.hostName, i.part, {
      owner: i.owner,
      files: fileHashes,
      services: i.services.map((s) => s.name),
      processes: i.services.filter((s) => s.process).map((s) => s.name),
    });
    return { ...i, fileHashes, installedPackages: [...i.packages], processesRunning };
  });
}

export const provider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news: PlainHostInputs) {
    const failures = sshTargetProblems(news.target, "target").map(([property, reason]) => ({
      property,
      reason,
    }));
    news.packages.forEach((p, k) => {
      if (!PACKAGE.test(p))
        failures.push({ property: `packages[${k}]`, reason: `"${p}" is not a Debian package name` });
    });
    const seen = new Set<string>();
    news.files.forEach((f, k) => {
      if (!f.path.startsWith("/") || f.path.split("/").includes("..") || /[\n\0]/.test(f.path))
        failures.push({
          property: `files[${k}].path`,
          reason: `"${f.path}" must be an absolute path without ".." or newlines`,
        });
      if (seen.has(f.path))
        failures.push({ property: `files[${k}].path`, reason: `"${f.path}" is listed twice` });
      seen.add(f.path);
      if (!MODE.test(f.mode))
        failures.push({
          property: `files[${k}].mode`,
          reason: `"${f.mode}" must be an octal mode such as "0644"`,
        });
      if (f.owner !== undefined && !OWNER.test(f.owner))
        failures.push({
          property: `files[${k}].owner`,
          reason: `"${f.owner}" must be "user" or "user:group"`,
        });
    });
    news.services.forEach((s, k) => {
      if (!UNIT.test(s.name) || s.name.startsWith("-"))
        failures.push({ property: `services[${k}].name`, reason: `"${s.name}" is not a systemd unit name` });
      if (s.process)
        failures.push(
          ...processProblems(s.process).map(([field, reason]) => ({
            property: `services[${k}].process.${field}`,
            reason,
          })),
        );
      (s.restartOn ?? []).forEach((p) => {
        if (!seen.has(p))
          failures.push({
            property: `services[${k}].restartOn`,
            reason: `"${p}" is not one of this host's files`,
          });
      });
    });
    if (news.part !== undefined && (!UNIT.test(news.part) || news.part.startsWith("-")))
      failures.push({
        property: "part",
        reason: `"${news.part}" must be a short name of letters, digits, "-", "_", "." (e.g. "synapse-matrix")`,
      });
    return { inputs: news, failures };
  },

  async diff(_id, olds: PlainHostOutputs, news: PlainHostInputs) {
    const desired = Object.fromEntries(news.files.map((f) => [f.path, sha256(f.content)]));
    const drifted = JSON.stringify(olds.fileHashes) !== JSON.stringify(desired);
    const stopped = Object.values(olds.processesRunning ?? {}).some((up) => !up);
    const keys = ["packages", "files", "services", "target", "owner"] as const;
    const changes =
      drifted || stopped || keys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    const replaces = (["hostName", "part"] as const).filter((k) => olds[k] !== news[k]);
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(i: PlainHostInputs) {
    const id = `${i.hostName}${i.part ? `.${i.part}` : ""}@${i.target.host}`;
    return { id, outs: await apply(i, undefined) };
  },

  async read(id, props: PlainHostOutputs) {
    return withRemote(props, "target", async (ex) => {
      const manifest = await readManifest(ex, props.hostName, props.part);
      if (!manifest) return { id: "", props: {} };
      const now = await remoteHashes(
        ex,
        props.files.map((f) => f.path),
      );
      const processesRunning: Record<string, boolean> = {};
      for (const s of props.services.filter((s) => s.process))
        processesRunning[s.name] = await processRunning(ex, s.name);
      return {
        id,
        props: {
          ...props,
          fileHashes: Object.fromEntries(props.files.map((f) => [f.path, now[f.path] ?? "absent"])),
          processesRunning,
        },
      };
    });
  },

  async update(_id, olds: PlainHostOutputs, news: PlainHostInputs) {
    return {
      outs: await apply(news, {
        owner: olds.owner,
        files: olds.fileHashes,
        services: olds.services.map((s) => s.name),
        processes: olds.services.filter((s) => s.process).map((s) => s.name),
      }),
    };
  },

  async delete(_id, props: PlainHostOutputs) {
    await withRemote(props, "target", async (ex) => {
      const manifest = await readManifest(ex, props.hostName, props.part);
      if (!manifest) return;
      if (manifest.owner !== props.owner) {
        await pulumi.log.warn(
          `host "${props.hostName}" is now managed by ${manifest.owner}; leaving its files and services`,
        );
        return;
      }
      for (const s of manifest.services) {
        if (manifest.processes?.includes(s)) await stopProcess(ex, s);
        else await ex.run(["systemctl", "disable", "--now", "--", s], { allowFailure: true });
      }
      const now = await remoteHashes(ex, Object.keys(manifest.files));
      for (const [path, hash] of Object.entries(manifest.files)) {
        if (now[path] === hash) await ex.run(["rm", "-f", "--", path]);
        else if (now[path] !== undefined)
          await pulumi.log.warn(
            `host "${props.hostName}": ${path} changed since this stack wrote it; left in place`,
          );
      }
      await ex.run(["rm", "-f", "--", manifestPath(props.hostName, props.part)]);
    });
  },
};

// The module shape providers/shared/moduleLocation.ts loads (credentials arrive through configure).
export { configure } from "../shared/credentials";
export const { check, diff, create, read, update } = provider as Required<pulumi.dynamic.ResourceProvider>;
const remove = (provider as Required<pulumi.dynamic.ResourceProvider>).delete;
export { remove as delete };
