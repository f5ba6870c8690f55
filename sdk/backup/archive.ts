/**
 * The archive file: a tar of a staging directory (manifest first), optionally encrypted with age,
 * written and read as streams by `tar` and `age` (never whole in memory), and the SHA-256 of each
 * entry. A file is written under a temporary name and renamed when complete.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import { Transform, type Readable } from "stream";
import { LocalExecutor } from "../replication/executor";
import { MANIFEST_ENTRY } from "./manifest";

const local = new LocalExecutor();
const AGE_HEADER = "age-encryption.org/v1";

export interface Digest {
  readonly sha256: string;
  readonly bytes: number;
}

/** A pass-through that hashes and counts what flows through it. */
export function digesting(): Transform & { digest(): Digest } {
  const hash = createHash("sha256");
  let bytes = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return Object.assign(t, { digest: () => ({ sha256: hash.digest("hex"), bytes }) });
}

/** Writes a stream to a file, returning its digest. */
export async function streamToFile(source: Readable, file: string): Promise<Digest> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const d = digesting();
  await pipeline(source, d, fs.createWriteStream(file));
  return d.digest();
}

export async function fileDigest(file: string): Promise<Digest> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

async function bash(script: string, args: string[], what: string): Promise<void> {
  const r = await local.run(["bash", "-c", `set -o pipefail; ${script}`, "bash", ...args], {
    allowFailure: true,
  });
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/** Checks that age accepts the recipient, before anything is read or written. */
export async function checkAgeRecipient(recipient: string): Promise<void> {
  await bash(
    'age -r "$1" -o /dev/null </dev/null',
    [recipient],
    `--age-recipient "${recipient}" is not usable`,
  );
}

/** Tars `dir` (manifest first, then `entries`) into `file`, through age when recipients are given. */
export async function writeArchive(
  dir: string,
  entries: readonly string[],
  file: string,
  ageRecipient?: string,
): Promise<void> {
  const list = path.join(dir, "..", `${path.basename(dir)}.list`);
  fs.writeFileSync(list, [MANIFEST_ENTRY, ...entries].join("\n") + "\n");
  const partial = `${file}.partial`;
  try {
    if (ageRecipient)
      await bash(
        'tar -C "$1" --format=posix -cf - -T "$2" | age -r "$3" -o "$4"',
        [dir, list, ageRecipient, partial],
        `writing ${file}`,
      );
    else await bash('tar -C "$1" --format=posix -cf "$3" -T "$2"', [dir, list, partial], `writing ${file}`);
    fs.renameSync(partial, file);
  } finally {
    fs.rmSync(list, { force: true });
    fs.rmSync(partial, { force: true });
  }
}

function isAgeEncrypted(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(AGE_HEADER.length);
    fs.readSync(fd, head, 0, head.length, 0);
    return head.toString("latin1") === AGE_HEADER;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Extracts the archive into `dir` (only `only` when given). An age-encrypted archive needs the
 * identity file; without one it is refused, naming the option.
 */
export async function extractArchive(
  file: string,
  dir: string,
  ageIdentity?: string,
  only?: string,
): Promise<void> {
  if (!fs.existsSync(file)) throw new Error(`no archive at ${file}`);
  fs.mkdirSync(dir, { recursive: true });
  const members = only ? [only] : [];
  if (isAgeEncrypted(file)) {
    if (!ageIdentity)
      throw new Error(`${file} is encrypted with age: give the identity file with --age-identity <file>`);
    await bash(
      'f="$1" id="$2" d="$3"; shift 3; age -d -i "$id" "$f" | tar -C "$d" -xf - "$@"',
      [file, ageIdentity, dir, ...members],
      `cannot read ${file}`,
    );
  } else {
    await bash(
      'f="$1" d="$2"; shift 2; tar -C "$d" -xf "$f" "$@"',
      [file, dir, ...members],
      `cannot read ${file}`,
    );
  }
}

/** Every file under `dir` (relative path -> digest), for checking against a manifest. */
export async function digestTree(dir: string): Promise<Map<string, Digest>> {
  const out = new Map<string, Digest>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    out.set(path.relative(dir, full), await fileDigest(full));
  }
  return out;
}
