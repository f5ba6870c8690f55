/**
 * How a program hands a record collection's list to the engine. The program serializes every
 * value of a resource's inputs one by one (and the engine and the provider convert each again), so
 * a list of 1,000 record-set objects with their record lists costs far more than the API work. A
 * record set whose fields are all plain values is therefore sent as its JSON text, and a list of
 * only such record sets as ONE JSON text; a record set holding an output or a promise stays an
 * object, so unknown values and secrets keep their usual handling. `check` unpacks either form
 * (and a plain list) and names a failing entry by its position, as before.
 */

const isPlainValue = (v: unknown): boolean =>
  v === undefined ||
  typeof v === "string" ||
  typeof v === "number" ||
  typeof v === "boolean" ||
  (Array.isArray(v) && v.every((x) => typeof x === "string"));

/** A record set given as plain values only (no output, promise or class instance anywhere). */
export function isPlainRRSet(r: unknown): boolean {
  if (typeof r !== "object" || r === null || Array.isArray(r)) return false;
  const proto = Object.getPrototypeOf(r) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(r).every(isPlainValue);
}

/** The program's side: the list as one JSON text when every record set is plain, else each plain one as its JSON text. */
export function packRRSets<T>(list: readonly T[]): string | (string | T)[] {
  if (list.every(isPlainRRSet)) return JSON.stringify(list);
  return list.map((r) => (isPlainRRSet(r) ? JSON.stringify(r) : r));
}

/**
 * The provider's side: the list of record sets (entries not objects are left for the caller to
 * report), or undefined when `raw` is neither a list nor a packed list.
 */
export function unpackRRSets(raw: unknown): unknown[] | undefined {
  let list: unknown = raw;
  if (typeof raw === "string") {
    try {
      list = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(list)) return undefined;
  return list.map((r) => {
    if (typeof r !== "string") return r;
    try {
      return JSON.parse(r) as unknown;
    } catch {
      return r;
    }
  });
}
