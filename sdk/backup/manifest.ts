/**
 * Pure decisions of a site backup: what an archive's manifest says, which entries an incremental
 * backup carries (objects whose ETag changed, files whose checksum changed; tables in
 * tableIncrement.ts), how a chain of
 * archives adds up to one site, and whether the extracted entries are the ones the manifest
 * names. Nothing here touches a host; backup.ts and restore.ts do, through sdk/migration/siteData.
 */
import { parse as parseYaml, parseDocument } from "yaml";
import type { MigrationItem } from "../migration/plan";
import type { DatacenterSide } from "../migration/sides";
import type { BackedUpTable } from "./tableIncrement";

export const MANIFEST_ENTRY = "manifest.json";
/** Version 2: databases table by table (version 1 archives held one whole dump per database). */
export const MANIFEST_FORMAT = "sovereign-site-backup/2";

/** One file of the archive and its checksum. */
export interface ArchiveEntry {
  /** Path inside the archive, e.g. "data/pixelfed-database-pixelfed/dump.sql". */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** A bucket object as the backup saw it; `entry` when this archive carries its bytes. */
export interface BackedUpObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly entry?: string;
}

/** What the archive holds of one state item. */
export type ItemBackup =
  | {
      readonly kind: "zfs";
      /** The snapshot the stream ends at (kept on the source for the next incremental). */
      readonly snapshot: string;
      readonly guid: string;
      /** Set on an incremental stream: the snapshot it starts from. */
      readonly from?: string;
      readonly entry: string;
    }
  | {
      readonly kind: "database";
      /** `pg_dump --section=pre-data`: tables, sequences, types, functions (written every time). */
      readonly schema: string;
      /** `pg_dump --section=post-data`: indexes, constraints, triggers (written every time). */
      readonly postSchema: string;
      /** Every sequence's value (written every time). */
      readonly sequences: string;
      /**
       * Every table of the public schema at the backup with its checksum; `entry` on the tables
       * whose rows this archive carries (all in a full backup; new and changed ones otherwise).
       */
      readonly tables: Readonly<Record<string, BackedUpTable>>;
    }
  | { readonly kind: "bucket"; readonly objects: readonly BackedUpObject[] }
  | {
      readonly kind: "files";
      /** Every file of the directory (relative path -> sha256); `entry` holds the changed ones. */
      readonly files: Readonly<Record<string, string>>;
      readonly entry: string;
    };

export interface BackupManifest {
  readonly format: typeof MANIFEST_FORMAT;
  /** Random id; an incremental archive names its base by it. */
  readonly id: string;
  readonly createdAt: string;
  readonly stack: string;
  readonly project: string;
  readonly site: string;
  /** The datacenter the data was read at. */
  readonly datacenter: string;
  readonly datacenters: Readonly<Record<string, DatacenterSide>>;
  /** The base archive of an incremental backup (its id and file name). */
  readonly base?: { readonly id: string; readonly file: string };
  readonly items: readonly {
    readonly item: MigrationItem;
    readonly label: string;
    readonly backup: ItemBackup;
  }[];
  /** The stack config file (secrets encrypted), the `pulumi stack export`, the DNS zone. */
  readonly config: string;
  readonly state: string;
  readonly zone?: string;
  readonly entries: readonly ArchiveEntry[];
}

/** A directory name for an item's entries: its label made path-safe. */
export function itemDir(label: string): string {
  return `data/${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")}`;
}

/** Objects to carry: those the base chain does not hold with the same ETag and size. */
export function changedObjects(
  now: readonly { key: string; etag: string; size: number }[],
  before: readonly BackedUpObject[] | undefined,
): Set<string> {
  const known = new Map((before ?? []).map((o) => [o.key, o]));
  return new Set(
    now
      .filter((o) => {
        const b = known.get(o.key);
        return !b || b.etag !== o.etag || b.size !== o.size;
      })
      .map((o) => o.key),
  );
}

/** Files to carry: new ones and those whose checksum changed. */
export function changedFiles(
  now: Readonly<Record<string, string>>,
  before: Readonly<Record<string, string>> | undefined,
): string[] {
  return Object.keys(now)
    .filter((f) => before?.[f] !== now[f])
    .sort();
}

/** `sha256sum` lines ("<hex>  ./path") as relative path -> sha256. */
export function parseChecksumLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) out[m[2].replace(/^\.\//, "")] = m[1];
  }
  return out;
}

/**
 * The checks of a chain (oldest first): each incremental archive names the one before it, and all
 * are of the same site. Returns the problems (empty when the chain is whole).
 */
export function chainProblems(chain: readonly BackupManifest[]): string[] {
  const problems: string[] = [];
  if (chain.length > 0 && chain[0].base)
    problems.push(
      `the oldest archive (${chain[0].id}) is incremental: its base ${chain[0].base.file} (${chain[0].base.id}) is missing`,
    );
  for (let i = 1; i < chain.length; i++) {
    const [prev, next] = [chain[i - 1], chain[i]];
    if (next.base?.id !== prev.id)
      problems.push(`archive ${next.id} is not based on ${prev.id} (it names ${next.base?.id ?? "no base"})`);
    if (next.site !== prev.site)
      problems.push(`archive ${next.id} is of site ${next.site}, not ${prev.site}`);
  }
  return problems;
}

/**
 * Entries that do not match the manifest: a missing file, a checksum or size that differs. `seen`
 * is what was extracted (path -> sha256 and size). Extra files are refused too.
 */
export function entryProblems(
  manifest: Pick<BackupManifest, "entries">,
  seen: ReadonlyMap<string, { sha256: string; bytes: number }>,
): string[] {
  const problems: string[] = [];
  const named = new Set(manifest.entries.map((e) => e.path));
  for (const e of manifest.entries) {
    const got = seen.get(e.path);
    if (!got) problems.push(`entry ${e.path} is missing`);
    else if (got.sha256 !== e.sha256 || got.bytes !== e.bytes)
      problems.push(
        `entry ${e.path} is corrupted (sha256 ${got.sha256}, ${got.bytes} bytes; the manifest says ${e.sha256}, ${e.bytes} bytes)`,
      );
  }
  for (const path of seen.keys())
    if (path !== MANIFEST_ENTRY && !named.has(path)) problems.push(`entry ${path} is not in the manifest`);
  return problems;
}

/** Reads a manifest, refusing anything that is not one. */
export function parseManifest(text: string, where: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${where}: ${MANIFEST_ENTRY} is not JSON; this is not a site backup archive`);
  }
  const m = value as Partial<BackupManifest>;
  if ((m?.format as string | undefined) === "sovereign-site-backup/1")
    throw new Error(
      `${where}: a ${m.format} archive (whole database dumps, before incremental databases); restore it with the sovereign version that wrote it, and take a new full backup`,
    );
  if (m?.format !== MANIFEST_FORMAT || typeof m.id !== "string" || !Array.isArray(m.entries))
    throw new Error(`${where}: ${MANIFEST_ENTRY} is not a ${MANIFEST_FORMAT} manifest`);
  return m as BackupManifest;
}

/**
 * The stack config file text for the restored stack: the same file (its encryption salt and
 * encrypted secrets kept, so the same passphrase opens them) with the site's datacenter changed.
 * `sovereign:site` may be a mapping or a JSON string (as the Automation API writes it).
 */
export function withDatacenter(configText: string, datacenter: string | undefined): string {
  if (!datacenter) return configText;
  const doc = parseDocument(configText);
  const path = ["config", "sovereign:site"];
  const site: unknown = doc.getIn(path);
  if (site === undefined)
    throw new Error("the archived stack config has no sovereign:site, so --datacenter cannot change it");
  if (typeof site === "string") {
    const parsed = JSON.parse(site) as Record<string, unknown>;
    doc.setIn(path, JSON.stringify({ ...parsed, datacenter }));
  } else {
    doc.setIn([...path, "datacenter"], datacenter);
  }
  return doc.toString();
}

/** The site's datacenter as the archived config names it (undefined when it names none). */
export function configuredDatacenter(configText: string): string | undefined {
  const config = (parseYaml(configText) as { config?: Record<string, unknown> } | null)?.config;
  const site = config?.["sovereign:site"];
  const value = typeof site === "string" ? (JSON.parse(site) as Record<string, unknown>) : site;
  const dc = (value as Record<string, unknown> | undefined)?.datacenter;
  return typeof dc === "string" ? dc : undefined;
}
