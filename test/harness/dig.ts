import { execFile } from "child_process";
import { promisify } from "util";
import type { PowerDnsService } from "./types";

const run = promisify(execFile);

/** Asks the server itself (no recursion) and returns dig's non-empty output lines. */
async function query(
  service: PowerDnsService,
  name: string,
  type: string,
  flags: string[],
): Promise<string[]> {
  const server = [`@${service.dnsAddress}`, "-p", String(service.dnsPort)];
  const { stdout } = await run("dig", [...server, ...flags, "+norecurse", "+time=2", "+tries=2", name, type]);
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** What the server really answers over DNS (dig +short), sorted; [] for no answer. */
export async function dig(service: PowerDnsService, name: string, type: string): Promise<string[]> {
  return (await query(service, name, type, ["+short"])).sort();
}

/** TTL and data of an answer: "60 CNAME web1.example.org." lines (dig +noall +answer). */
export async function digAnswer(service: PowerDnsService, name: string, type: string): Promise<string[]> {
  const lines = await query(service, name, type, ["+noall", "+answer"]);
  return lines
    .map((l) => {
      const [, ttl, , rtype, ...data] = l.split(/\s+/);
      return `${ttl} ${rtype} ${data.join(" ")}`;
    })
    .sort();
}
