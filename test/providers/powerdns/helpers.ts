import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import type { PowerDnsService } from "../../harness/types";
import { spawnDetached } from "../../harness/spawn";
import { stopPid } from "../../harness/processes";
import { waitUntilHealthy } from "../../harness/health";
import { PowerDnsClient } from "../../../providers/powerdns/client";

const run = promisify(execFile);

/** What the server really answers over DNS (dig +short), sorted; [] for no answer. */
export async function dig(service: PowerDnsService, name: string, type: string): Promise<string[]> {
  const { stdout } = await run("dig", [
    `@${service.dnsAddress}`,
    "-p",
    String(service.dnsPort),
    "+short",
    "+norecurse",
    "+time=2",
    "+tries=2",
    name,
    type,
  ]);
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .sort();
}

export function clientFor(service: PowerDnsService): PowerDnsClient {
  return new PowerDnsClient({ apiUrl: service.apiUrl, apiKey: service.apiKey, serverId: service.serverId });
}

/** The rrsets of a zone as "name type ttl content|content" lines, sorted (for before/after comparisons). */
export async function zoneSnapshot(service: PowerDnsService, zone: string): Promise<string[]> {
  const z = await clientFor(service).getZone(zone);
  if (!z) return [];
  return (z.rrsets ?? [])
    .filter((r) => r.type !== "SOA")
    .map(
      (r) =>
        `${r.name} ${r.type} ${r.ttl} ${r.records
          .map((x) => x.content + (x.disabled ? " (disabled)" : ""))
          .sort()
          .join("|")}`,
    )
    .sort();
}

/** Stops the harness's pdns_server (by its pid), keeping its data dir. */
export async function stopServer(service: PowerDnsService): Promise<void> {
  const pid = service.pids.pop();
  if (pid !== undefined) await stopPid(pid);
}

/** Starts pdns_server again on the same config, data and ports; the harness stops it at the end. */
export async function restartServer(service: PowerDnsService): Promise<void> {
  const proc = spawnDetached({
    command: "pdns_server",
    args: [
      `--config-dir=${service.dir}`,
      "--daemon=no",
      "--guardian=no",
      "--disable-syslog",
      "--write-pid=no",
    ],
    cwd: service.dir,
    logFile: service.logFile,
  });
  service.pids.push(proc.pid);
  await waitUntilHealthy({
    what: `PowerDNS API at ${service.apiUrl} (restarted)`,
    logFile: service.logFile,
    exited: proc.exitDescription,
    check: async () => {
      const res = await fetch(`${service.apiUrl}/api/v1/servers/localhost`, {
        headers: { "X-API-Key": service.apiKey },
      });
      await res.arrayBuffer();
      return res.status === 200;
    },
  });
}

/** Every file under a dir, concatenated (the local backend's state, history and backups). */
export function allFilesText(dir: string): string {
  let out = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    out += fs.readFileSync(file, "latin1");
  }
  return out;
}

/** `pulumi stack export` as a user runs it (secrets stay encrypted; Automation API's export shows them). */
export function cliStackExport(env: Record<string, string>, workDir: string): string {
  return execFileSync("pulumi", ["stack", "export", "--stack", "test"], {
    cwd: workDir,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The requests a provider process sent, from the log the client writes when asked to. */
export function requestLog(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

/** TTL and data of an answer: "60 CNAME web1.example.org." lines (dig +noall +answer). */
export async function digAnswer(service: PowerDnsService, name: string, type: string): Promise<string[]> {
  const { stdout } = await run("dig", [
    `@${service.dnsAddress}`,
    "-p",
    String(service.dnsPort),
    "+noall",
    "+answer",
    "+norecurse",
    "+time=2",
    name,
    type,
  ]);
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [, ttl, , rtype, ...data] = l.trim().split(/\s+/);
      return `${ttl} ${rtype} ${data.join(" ")}`;
    })
    .sort();
}
