/**
 * PostgreSQL write-ahead log positions ("16/B374D848"): parsed to byte offsets, so "has the
 * replica replayed everything the source wrote" and "how far behind is it" are pure decisions.
 */

/** The byte offset of an LSN written as PostgreSQL prints it (`hi/lo`, both hexadecimal). */
export function lsnOffset(lsn: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn.trim());
  if (!match) throw new Error(`"${lsn}" is not a PostgreSQL WAL position (expected e.g. 16/B374D848)`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** Bytes of WAL from `replayed` up to `written` (0 when the replica is at or past it). */
export function lsnBehind(written: string, replayed: string): number {
  const behind = lsnOffset(written) - lsnOffset(replayed);
  return behind > 0n ? Number(behind) : 0;
}

/** The replica has confirmed everything up to `written`. */
export const caughtUp = (written: string, replayed: string): boolean => lsnBehind(written, replayed) === 0;
