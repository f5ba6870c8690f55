/**
 * Pure: SHA-512-crypt (`$6$salt$hash`, Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"),
 * the salted hash the mail server keeps instead of mailbox passwords. glibc/libxcrypt's crypt(3)
 * checks it, so pam_pwdfile (behind saslauthd) verifies logins without ever storing the password.
 * Written out because the npm implementations are ES-module-only; checked against `openssl passwd -6`.
 */
import { createHash } from "crypto";

const ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SALT = /^[./0-9A-Za-z]{1,16}$/;
const ROUNDS = 5000;

const sha512 = (...parts: Buffer[]): Buffer => {
  const h = createHash("sha512");
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `bytes` repeated and cut to `length`. */
const stretch = (bytes: Buffer, length: number): Buffer =>
  Buffer.concat(Array.from({ length: Math.ceil(length / bytes.length) + 1 }, () => bytes)).subarray(
    0,
    length,
  );

/** The digest's bytes in the order the format interleaves them, 3 at a time. */
function encode(d: Buffer): string {
  let out = "";
  const put = (b2: number, b1: number, b0: number, n: number) => {
    let w = (b2 << 16) | (b1 << 8) | b0;
    for (let i = 0; i < n; i++, w >>= 6) out += ALPHABET[w & 0x3f];
  };
  for (let k = 0; k < 21; k++) {
    const t = [k, k + 21, k + 42];
    const [a, b, c] = [t[k % 3], t[(k + 1) % 3], t[(k + 2) % 3]];
    put(d[a], d[b], d[c], 4);
  }
  put(0, 0, d[63], 2);
  return out;
}

/** Why `salt` cannot be a SHA-512-crypt salt, or undefined. */
export function saltProblem(salt: string): string | undefined {
  return SALT.test(salt) ? undefined : `salt must be 1-16 characters of [./0-9A-Za-z], got ${salt.length}`;
}

/** `$6$<salt>$<hash>` for the password (5000 rounds, the crypt(3) default). */
export function sha512Crypt(password: string, salt: string): string {
  const problem = saltProblem(salt);
  if (problem) throw new Error(problem);
  const p = Buffer.from(password, "utf8");
  const s = Buffer.from(salt, "ascii");
  const b = sha512(p, s, p);
  const aParts = [p, s, stretch(b, p.length)];
  for (let n = p.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : p);
  const a = sha512(...aParts);
  const pSeq = stretch(sha512(...Array.from({ length: p.length }, () => p)), p.length);
  const sSeq = stretch(sha512(...Array.from({ length: 16 + a[0] }, () => s)), s.length);
  let c = a;
  for (let i = 0; i < ROUNDS; i++) {
    const parts = [i & 1 ? pSeq : c];
    if (i % 3 !== 0) parts.push(sSeq);
    if (i % 7 !== 0) parts.push(pSeq);
    parts.push(i & 1 ? c : pSeq);
    c = sha512(...parts);
  }
  return `$6$${salt}$${encode(c)}`;
}
