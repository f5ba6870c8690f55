import { execFile } from "child_process";
import { promisify } from "util";
import type { PowerDnsService } from "./types";

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
