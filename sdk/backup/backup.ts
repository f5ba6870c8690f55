/**
 * `npm run backup -- <stack> <file>`: one portable archive of a site. Its stack config file and
 * `pulumi stack export` (secrets still encrypted), the data of each state item read at the serving
 * datacenter (ZFS send stream, database dump, bucket objects, plain directory tar), the DNS zone,
 * and a manifest with the SHA-256 of every entry. `since` makes it incremental against a previous
 * archive. Bad input is refused before anything is read or written.
 */
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PowerDnsClient } from "../../providers/powerdns/client";
import { itemLabel } from "../migration/plan";
import { checkAgeRecipient, extractArchive, fileDigest, writeArchive } from "./archive";
import {
  MANIFEST_ENTRY,
  MANIFEST_FORMAT,
  parseManifest,
  type ArchiveEntry,
  type BackupManifest,
} from "./manifest";
import { configSecret, dnsKeyConfig, siteDataOf, siteLocation, type SiteStacks } from "./siteStack";
import { backupItem } from "./transfer";

export interface BackupOptions {
  readonly stack: string;
  readonly file: string;
  /** A previous archive of the same site: only what changed since goes into this one. */
  readonly since?: string;
  /** Encrypt the archive to this age recipient ("age1..." or an SSH public key). */
  readonly ageRecipient?: string;
  /** Opens an age-encrypted `since` archive. */
  readonly ageIdentity?: string;
  readonly log?: (line: string) => void;
}

/** Reads only the manifest of an archive (verifying nothing else). */
export async function readManifest(file: string, ageIdentity?: string): Promise<BackupManifest> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sovereign-manifest-"));
  try {
    await extractArchive(file, dir, ageIdentity, MANIFEST_ENTRY);
    return parseManifest(fs.readFileSync(path.join(dir, MANIFEST_ENTRY), "utf8"), file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function backupSite(stacks: SiteStacks, o: BackupOptions): Promise<BackupManifest> {
  const log = o.log ?? (() => undefined);
  const stack = await stacks.open(o.stack);
  const outDir = path.dirname(path.resolve(o.file));
  if (!fs.existsSync(outDir)) throw new Error(`cannot write ${o.file}: directory ${outDir} does not exist`);
  if (o.since && !fs.existsSync(o.since)) throw new Error(`--since ${o.since}: no such archive`);
  if (o.since && path.resolve(o.since) === path.resolve(o.file))
    throw new Error(
      `--since ${o.since} is the file being written: an incremental backup goes into a new file`,
    );
  const previous = o.since ? await readManifest(o.since, o.ageIdentity) : undefined;
  if (o.ageRecipient) await checkAgeRecipient(o.ageRecipient);
  const where = await siteLocation(stack);
  if (previous && (previous.site !== where.site || previous.datacenter !== where.servingAt))
    throw new Error(
      `--since ${o.since} is a backup of site ${previous.site} at ${previous.datacenter}, this one is ${where.site} at ${where.servingAt}; take a full backup (without --since)`,
    );

  const data = await siteDataOf(stack, where);
  const staging = fs.mkdtempSync(path.join(outDir, ".sovereign-backup-"));
  try {
    const entries: ArchiveEntry[] = [];
    const add = async (rel: string) =>
      entries.push({ path: rel, ...(await fileDigest(path.join(staging, rel))) });
    const config = `config/Pulumi.${o.stack}.yaml`;
    fs.mkdirSync(path.join(staging, "config"), { recursive: true });
    fs.copyFileSync(await stacks.configFile(o.stack), path.join(staging, config));
    await add(config);
    const state = "state/stack.json";
    fs.mkdirSync(path.join(staging, "state"), { recursive: true });
    await stacks.exportTo(o.stack, path.join(staging, state));
    await add(state);

    const items: BackupManifest["items"][number][] = [];
    for (const item of where.items) {
      const label = itemLabel(item);
      const before = previous?.items.find((x) => x.label === label)?.backup;
      const result = await backupItem(data, item, label, staging, before);
      items.push({ item, label, backup: result.backup });
      entries.push(...result.entries);
      const bytes = result.entries.reduce((n, e) => n + e.bytes, 0);
      log(
        `backup: ${label}: ${result.entries.length} entries, ${bytes} bytes${before ? " (changes only)" : ""}${result.note ? `, ${result.note}` : ""}`,
      );
    }

    const zone = "dns/zone.json";
    const apiKey = await configSecret(stack, dnsKeyConfig(where), "the PowerDNS API key");
    const client = new PowerDnsClient({ apiUrl: where.dns.apiUrl, serverId: where.dns.serverId, apiKey });
    const found = await client.getZone(where.dns.zone);
    if (found) {
      fs.mkdirSync(path.join(staging, "dns"), { recursive: true });
      fs.writeFileSync(
        path.join(staging, zone),
        JSON.stringify({ name: found.name, rrsets: found.rrsets ?? [] }),
      );
      await add(zone);
    }

    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      id: randomUUID(),
      createdAt: new Date().toISOString(),
      stack: o.stack,
      project: await stacks.projectName(),
      site: where.site,
      datacenter: where.servingAt,
      datacenters: where.datacenters,
      ...(previous && o.since ? { base: { id: previous.id, file: path.basename(o.since) } } : {}),
      items,
      config,
      state,
      ...(found ? { zone } : {}),
      entries,
    };
    fs.writeFileSync(path.join(staging, MANIFEST_ENTRY), JSON.stringify(manifest, null, 1));
    await writeArchive(
      staging,
      entries.map((e) => e.path),
      o.file,
      o.ageRecipient,
    );
    log(`backup: ${o.file} written (${entries.length} entries${o.ageRecipient ? ", age-encrypted" : ""})`);
    return manifest;
  } finally {
    data.close();
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
