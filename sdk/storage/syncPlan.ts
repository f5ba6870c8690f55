/**
 * What a one-shot bucket sync must do, and whether two buckets hold the same objects: pure
 * functions over object listings (key, size, ETag), property-tested in test/unit/storage/.
 *
 * Sameness: equal size and equal ETag. An ETag is the MD5 of the content for a single-part
 * upload, but "<md5 of part md5s>-<parts>" for a multipart one, so the same bytes can carry two
 * ETags. The sync records the source's ETag on every copy (metadata "source-etag"); when the ETags
 * differ, the target's recorded source ETag decides.
 */

export interface ObjectEntry {
  /** The object's key. */
  readonly key: string;
  /** Its size in bytes. */
  readonly size: number;
  /** Without quotes. */
  readonly etag: string;
  /** On a target object: the source ETag recorded when it was copied (from a HEAD), if known. */
  readonly sourceEtag?: string;
}

/** What a bucket sync will do: which objects to copy and remove. */
export interface SyncPlan {
  /** Source objects to copy (missing on the target, or different there), biggest first. */
  readonly copy: readonly ObjectEntry[];
  /** Target keys that the source does not have (removed when mirroring). */
  readonly remove: readonly string[];
  /** Objects already equal on both sides. */
  readonly unchanged: number;
  /** Bytes to copy. */
  readonly copyBytes: number;
}

/** An ETag without its surrounding quotes. */
export const unquote = (etag: string): string => etag.replace(/^"+|"+$/g, "");

/** "…-N": the ETag of a multipart upload, which is not the MD5 of the content. */
export const isMultipartEtag = (etag: string): boolean => /-\d+$/.test(unquote(etag));

/** True when the target object holds the source object's content. */
export function sameObject(source: ObjectEntry, target: ObjectEntry): boolean {
  if (source.size !== target.size) return false;
  const s = unquote(source.etag);
  return s === unquote(target.etag) || (target.sourceEtag !== undefined && s === unquote(target.sourceEtag));
}

/** Target objects whose sameness needs their recorded source ETag (a HEAD): same size, other ETag. */
export function needsSourceEtag(source: readonly ObjectEntry[], target: readonly ObjectEntry[]): string[] {
  const bySource = new Map(source.map((o) => [o.key, o]));
  return target
    .filter((t) => {
      const s = bySource.get(t.key);
      return (
        s !== undefined &&
        t.sourceEtag === undefined &&
        s.size === t.size &&
        unquote(s.etag) !== unquote(t.etag)
      );
    })
    .map((t) => t.key);
}

/** Which objects to copy (missing or different on the target) and remove (mirror mode). Pure. */
export function planSync(
  source: readonly ObjectEntry[],
  target: readonly ObjectEntry[],
  options: { mirror?: boolean } = {},
): SyncPlan {
  const byTarget = new Map(target.map((o) => [o.key, o]));
  const sourceKeys = new Set(source.map((o) => o.key));
  const copy = source
    .filter((s) => {
      const t = byTarget.get(s.key);
      return t === undefined || !sameObject(s, t);
    })
    .sort((a, b) => b.size - a.size || a.key.localeCompare(b.key));
  const remove =
    options.mirror === false
      ? []
      : target
          .filter((t) => !sourceKeys.has(t.key))
          .map((t) => t.key)
          .sort();
  return {
    copy,
    remove,
    unchanged: source.length - copy.length,
    copyBytes: copy.reduce((sum, o) => sum + o.size, 0),
  };
}

/** How a target object differs from the source after a sync. */
export interface SyncDifference {
  /** The object's key. */
  readonly key: string;
  /** What differs. */
  readonly problem: "missing on target" | "only on target" | "size differs" | "checksum differs";
  /** Details, e.g. both sizes. */
  readonly detail?: string;
}

/** Every way the target differs from the source; empty when they hold the same objects. */
export function compareListings(
  source: readonly ObjectEntry[],
  target: readonly ObjectEntry[],
): SyncDifference[] {
  const byTarget = new Map(target.map((o) => [o.key, o]));
  const sourceKeys = new Set(source.map((o) => o.key));
  const out: SyncDifference[] = [];
  for (const s of source) {
    const t = byTarget.get(s.key);
    if (!t) out.push({ key: s.key, problem: "missing on target" });
    else if (s.size !== t.size)
      out.push({ key: s.key, problem: "size differs", detail: `${s.size} vs ${t.size} bytes` });
    else if (!sameObject(s, t))
      out.push({
        key: s.key,
        problem: "checksum differs",
        detail: `ETag ${unquote(s.etag)} vs ${unquote(t.etag)}`,
      });
  }
  for (const t of target) if (!sourceKeys.has(t.key)) out.push({ key: t.key, problem: "only on target" });
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** A sync that ended with differences: says which keys, at most `limit` of them. */
export function describeDifferences(differences: readonly SyncDifference[], limit = 20): string {
  const shown = differences
    .slice(0, limit)
    .map((d) => `  - ${d.key}: ${d.problem}${d.detail ? ` (${d.detail})` : ""}`);
  const more = differences.length > limit ? [`  … and ${differences.length - limit} more`] : [];
  return [`${differences.length} object(s) differ after the sync:`, ...shown, ...more].join("\n");
}
