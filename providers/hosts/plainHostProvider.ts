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

export interface PlainFile {
  /** Absolute path on the host. */
  readonly path: string;
  readonly content: string;
  /** Octal mode, e.g. "0644". */
  readonly mode: string;
  /** "user:group"; default root:root. */
  readonly owner?: string;
}

export interface PlainService {
  /** systemd unit name, e.g. "nginx" or "matrix-synapse.service". */
  readonly name: string;
  /** Restart the service when one of these files changes. */
  readonly restartOn?: readonly string[];
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
}

export interface PlainHostOutputs extends PlainHostInputs {
  /** path → sha256 of what is on the host (after apply; after refresh, what is there now). */
  readonly fileHashes: Record<string, string>;
  readonly installedPackages: string[];
}

interface Manifest {
  readonly owner: string;
  readonly files: Record<string, string>;
  readonly services: string[];
}

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const UNIT = /^[A-Za-z0-9@_.:-]+$/;
const MODE = /^0?[0-7]{3,4}$/;
const OWNER = /^[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?$/;

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const manifestPath = (host: string) => `/var/lib/sovereign/plainhost/${host}.json`;

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

async function readManifest(ex: SshExecutor, host: string): Promise<Manifest | undefined> {
  const r = await ex.run(["cat", "--", manifestPath(host)], { allowFailure: true });
  return r.code === 0 ? (JSON.parse(r.stdout) as Manifest) : undefined;
}

async function writeManifest(ex: SshExecutor, host: string, m: Manifest): Promise<void> {
  await ex.run(["sh", "-c", WRITE, "sh", manifestPath(host), "0600", "root:root"], {
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
    const manifest = (await readManifest(ex, i.hostName)) ?? previous;
    if (manifest && manifest.owner !== i.owner && !i.adopt) {
      throw new Error(
        `host "${i.hostName}" is managed by ${manifest.owner} (${manifestPath(i.hostName)}); set adopt: true to take it over`,
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
    for (const s of i.services) {
      await must(ex, `enabling ${s.name}`, ["systemctl", "enable", "--now", "--", s.name]);
      if ((s.restartOn ?? []).some((p) => changed.has(p)))
        await must(ex, `restarting ${s.name}`, ["systemctl", "restart", "--", s.name]);
    }
    for (const old of manifest?.owner === i.owner ? manifest.services : []) {
      if (!i.services.some((s) => s.name === old))
        await ex.run(["systemctl", "disable", "--now", "--", old], { allowFailure: true });
    }
    const fileHashes = Object.fromEntries(i.files.map((f) => [f.path, sha256(f.content)]));
    await writeManifest(ex, i.hostName, {
      owner: i.owner,
      files: fileHashes,
      services: i.services.map((s) => s.name),
    });
    return { ...i, fileHashes, installedPackages: [...i.packages] };
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
      (s.restartOn ?? []).forEach((p) => {
        if (!seen.has(p))
          failures.push({
            property: `services[${k}].restartOn`,
            reason: `"${p}" is not one of this host's files`,
          });
      });
    });
    return { inputs: news, failures };
  },

  async diff(_id, olds: PlainHostOutputs, news: PlainHostInputs) {
    const desired = Object.fromEntries(news.files.map((f) => [f.path, sha256(f.content)]));
    const drifted = JSON.stringify(olds.fileHashes) !== JSON.stringify(desired);
    const keys = ["packages", "files", "services", "target", "owner"] as const;
    const changes = drifted || keys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes, replaces: olds.hostName !== news.hostName ? ["hostName"] : [] };
  },

  async create(i: PlainHostInputs) {
    return { id: `${i.hostName}@${i.target.host}`, outs: await apply(i, undefined) };
  },

  async read(id, props: PlainHostOutputs) {
    return withRemote(props, "target", async (ex) => {
      const manifest = await readManifest(ex, props.hostName);
      if (!manifest) return { id: "", props: {} };
      const now = await remoteHashes(
        ex,
        props.files.map((f) => f.path),
      );
      return {
        id,
        props: {
          ...props,
          fileHashes: Object.fromEntries(props.files.map((f) => [f.path, now[f.path] ?? "absent"])),
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
      }),
    };
  },

  async delete(_id, props: PlainHostOutputs) {
    await withRemote(props, "target", async (ex) => {
      const manifest = await readManifest(ex, props.hostName);
      if (!manifest) return;
      if (manifest.owner !== props.owner) {
        await pulumi.log.warn(
          `host "${props.hostName}" is now managed by ${manifest.owner}; leaving its files and services`,
        );
        return;
      }
      for (const s of manifest.services)
        await ex.run(["systemctl", "disable", "--now", "--", s], { allowFailure: true });
      const now = await remoteHashes(ex, Object.keys(manifest.files));
      for (const [path, hash] of Object.entries(manifest.files)) {
        if (now[path] === hash) await ex.run(["rm", "-f", "--", path]);
        else if (now[path] !== undefined)
          await pulumi.log.warn(
            `host "${props.hostName}": ${path} changed since this stack wrote it; left in place`,
          );
      }
      await ex.run(["rm", "-f", "--", manifestPath(props.hostName)]);
    });
  },
};

// The module shape providers/shared/moduleLocation.ts loads (credentials arrive through configure).
export { configure } from "../shared/credentials";
export const { check, diff, create, read, update } = provider as Required<pulumi.dynamic.ResourceProvider>;
const remove = (provider as Required<pulumi.dynamic.ResourceProvider>).delete;
export { remove as delete };
