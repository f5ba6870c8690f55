/**
 * `npm run restore -- <file> --as <new-stack> [--datacenter dc-b]`: deploys an archive as a new
 * stack and loads its data. Everything that can be refused is refused before anything changes:
 * the target stack exists, the file is missing, an entry's checksum differs from the manifest, an
 * incremental archive's base is missing, the datacenter is not one the site describes. Then the
 * archived config (encrypted secrets kept, datacenter changed) becomes the new stack's, `pulumi up`
 * deploys it through the real engine, and the data of the whole chain is loaded at its datacenter.
 */
import * as fs from "fs";
import * as path from "path";
import type { UpResult } from "@pulumi/pulumi/automation";
import { PowerDnsClient, type PdnsRRSet } from "../../providers/powerdns/client";
import { itemLabel } from "../migration/plan";
import { digestTree, extractArchive } from "./archive";
import {
  chainProblems,
  configuredDatacenter,
  entryProblems,
  MANIFEST_ENTRY,
  parseManifest,
  withDatacenter,
  type BackupManifest,
} from "./manifest";
import { configSecret, dnsKeyConfig, siteDataOf, siteLocation, type SiteStacks } from "./siteStack";
import { restoreItem } from "./transfer";

export interface RestoreOptions {
  readonly file: string;
  /** The new stack's name; it must not exist. */
  readonly as: string;
  /** Where the restored site runs (default: where the archived config says). */
  readonly datacenter?: string;
  readonly ageIdentity?: string;
  readonly log?: (line: string) => void;
}

export interface OpenedArchive {
  readonly file: string;
  readonly dir: string;
  readonly manifest: BackupManifest;
}

/** Extracts an archive into a temp dir and checks every entry against its manifest. */
export async function openArchive(file: string, ageIdentity?: string): Promise<OpenedArchive> {
  const dir = fs.mkdtempSync(path.join(path.dirname(path.resolve(file)), ".sovereign-restore-"));
  try {
    await extractArchive(file, dir, ageIdentity);
    if (!fs.existsSync(path.join(dir, MANIFEST_ENTRY)))
      throw new Error(`${file} has no ${MANIFEST_ENTRY}: it is not a site backup archive`);
    const manifest = parseManifest(fs.readFileSync(path.join(dir, MANIFEST_ENTRY), "utf8"), file);
    const problems = entryProblems(manifest, await digestTree(dir));
    if (problems.length > 0) throw new Error(`${file} is damaged, refused: ${problems.join("; ")}`);
    return { file, dir, manifest };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The archive and the ones it builds on (found beside it by the names they were written as), oldest first. */
export async function openChain(file: string, ageIdentity?: string): Promise<OpenedArchive[]> {
  const chain: OpenedArchive[] = [];
  try {
    let next: string | undefined = file;
    while (next) {
      if (!fs.existsSync(next)) {
        const needed = chain[0]?.manifest.base;
        throw new Error(
          needed
            ? `${chain[0].file} is incremental: its base ${needed.file} (backup ${needed.id}) must lie beside it`
            : `no archive at ${next}`,
        );
      }
      const opened: OpenedArchive = await openArchive(next, ageIdentity);
      const wanted = chain[0]?.manifest.base;
      if (wanted && opened.manifest.id !== wanted.id) {
        fs.rmSync(opened.dir, { recursive: true, force: true });
        throw new Error(
          `${chain[0].file} is incremental on backup ${wanted.id}, but ${next} beside it is backup ${opened.manifest.id} (taken ${opened.manifest.createdAt}): put the archive ${path.basename(chain[0].file)} was taken from (with --since) beside it`,
        );
      }
      chain.unshift(opened);
      const base = opened.manifest.base;
      next = base ? path.join(path.dirname(next), base.file) : undefined;
    }
    const problems = chainProblems(chain.map((c) => c.manifest));
    if (problems.length > 0) throw new Error(`${file}: ${problems.join("; ")}`);
    return chain;
  } catch (e) {
    closeChain(chain);
    throw e;
  }
}

export function closeChain(chain: readonly OpenedArchive[]): void {
  for (const c of chain) fs.rmSync(c.dir, { recursive: true, force: true });
}

export async function restoreSite(stacks: SiteStacks, o: RestoreOptions): Promise<UpResult> {
  const log = o.log ?? (() => undefined);
  if (!fs.existsSync(o.file)) throw new Error(`no archive at ${o.file}`);
  if (await stacks.exists(o.as))
    throw new Error(`stack "${o.as}" exists already: restore into a new stack name (--as)`);
  const configFile = await stacks.configFile(o.as);
  if (fs.existsSync(configFile))
    throw new Error(
      `${configFile} exists already (a stack config without a stack): remove it or pick another --as`,
    );
  const chain = await openChain(o.file, o.ageIdentity);
  try {
    const newest = chain[chain.length - 1];
    const archivedConfig = fs.readFileSync(path.join(newest.dir, newest.manifest.config), "utf8");
    const datacenter = o.datacenter ?? configuredDatacenter(archivedConfig) ?? newest.manifest.datacenter;
    if (!newest.manifest.datacenters[datacenter])
      throw new Error(
        `--datacenter ${datacenter} is not one the site describes (${Object.keys(newest.manifest.datacenters).join(", ")})`,
      );
    log(`restore: ${chain.length} archive(s) verified; deploying stack ${o.as} at ${datacenter}`);

    fs.mkdirSync(path.dirname(configFile), { recursive: true });
    fs.writeFileSync(configFile, withDatacenter(archivedConfig, o.datacenter), { mode: 0o600 });
    const stack = await stacks.create(o.as);
    const up = await stack.up({ color: "never" });
    const where = await siteLocation(stack);
    const data = await siteDataOf(stack, where);
    try {
      await data.runApp(where.app, "stop");
      for (const item of where.items) {
        const label = itemLabel(item);
        const links = chain.map((c) => ({
          dir: c.dir,
          file: c.file,
          backup: c.manifest.items.find((x) => x.label === label)?.backup,
        }));
        log(`restore: ${label}: ${await restoreItem(data, item, links)}`);
      }
      if (newest.manifest.zone) {
        const apiKey = await configSecret(stack, dnsKeyConfig(where), "the PowerDNS API key");
        const added = await restoreZone(
          new PowerDnsClient({ apiUrl: where.dns.apiUrl, serverId: where.dns.serverId, apiKey }),
          where.dns.zone,
          path.join(newest.dir, newest.manifest.zone),
        );
        log(`restore: DNS zone ${where.dns.zone}: ${added} record set(s) added`);
      }
      await data.runApp(where.app, "start");
    } finally {
      data.close();
    }
    return up;
  } finally {
    closeChain(chain);
  }
}

/**
 * Adds the archived zone's record sets that the deployed zone lacks (the stack's own records,
 * SOA and NS stay as the new deployment made them). Returns how many were added.
 */
async function restoreZone(client: PowerDnsClient, zone: string, file: string): Promise<number> {
  const archived = JSON.parse(fs.readFileSync(file, "utf8")) as { rrsets: PdnsRRSet[] };
  const current = await client.getZone(zone);
  if (!current) throw new Error(`the restored stack did not create DNS zone ${zone}`);
  const key = (r: Pick<PdnsRRSet, "name" | "type">) => `${r.name} ${r.type}`;
  const present = new Set((current.rrsets ?? []).map(key));
  const missing = archived.rrsets.filter((r) => !present.has(key(r)) && r.type !== "SOA");
  if (missing.length > 0)
    await client.patchRRSets(
      zone,
      missing.map((r) => ({
        name: r.name,
        type: r.type,
        ttl: r.ttl,
        changetype: "REPLACE" as const,
        records: r.records,
      })),
    );
  return missing.length;
}
