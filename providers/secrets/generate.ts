/**
 * Pure generation of identity secrets with Node's crypto: random app secrets, Ed25519 keys (Matrix
 * server signing keys) and RSA keys (ActivityPub actor keys, DKIM). Keys are returned in the forms
 * the apps install: unpadded standard base64 for Ed25519 (Synapse's key file and key API), PEM for RSA.
 */
import * as crypto from "crypto";

export const SECRET_KINDS = ["random", "ed25519", "rsa"] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

export interface SecretInputs {
  kind: SecretKind;
  /** random: bytes of entropy (hex output is twice as long); rsa: modulus bits. */
  size?: number;
}

export interface RandomOutputs {
  value: string;
}

export interface Ed25519Outputs {
  /** "a_" + 4 letters/digits, as Synapse names its keys. */
  keyId: string;
  /** The 32-byte private seed, unpadded base64. */
  seed: string;
  /** The 32-byte public key, unpadded base64 (what /_matrix/key/v2/server publishes). */
  publicKey: string;
}

export interface RsaOutputs {
  privateKeyPem: string;
  publicKeyPem: string;
}

export type SecretOutputs = RandomOutputs | Ed25519Outputs | RsaOutputs;

/** Which outputs are secret, per kind (the resource marks them with additionalSecretOutputs). */
export const SECRET_OUTPUT_NAMES = ["value", "seed", "privateKeyPem"] as const;

export const unpaddedBase64 = (b: Buffer): string => b.toString("base64").replace(/=+$/, "");

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Letters and digits: safe in URLs, config files and shell words without quoting. */
export const PASSWORD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A password of `length` characters of the alphabet, drawn without modulo bias. */
export function drawPassword(length: number, alphabet = PASSWORD_ALPHABET): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[crypto.randomInt(alphabet.length)];
  return out;
}

function keyId(): string {
  const bytes = crypto.randomBytes(4);
  return "a_" + [...bytes].map((b) => ALNUM[b % ALNUM.length]).join("");
}

/** Problems with the inputs, each naming the field and the fix (empty when valid). */
export function checkSecretInputs(inputs: Partial<SecretInputs>): { property: string; reason: string }[] {
  const out: { property: string; reason: string }[] = [];
  if (!SECRET_KINDS.includes(inputs.kind as SecretKind)) {
    out.push({
      property: "kind",
      reason: `"${String(inputs.kind)}" is not one of ${SECRET_KINDS.join(", ")}`,
    });
  }
  const size = inputs.size;
  if (size !== undefined) {
    if (inputs.kind === "random" && (!Number.isInteger(size) || size < 16 || size > 256))
      out.push({ property: "size", reason: `${size} bytes: use 16 to 256 (32 gives 256 bits)` });
    if (inputs.kind === "rsa" && ![2048, 3072, 4096].includes(size))
      out.push({ property: "size", reason: `${size} bits: use 2048, 3072 or 4096` });
    if (inputs.kind === "ed25519")
      out.push({ property: "size", reason: "Ed25519 keys have a fixed size; remove size" });
  }
  return out;
}

export function generateSecret(inputs: SecretInputs): SecretOutputs {
  switch (inputs.kind) {
    case "random":
      return { value: crypto.randomBytes(inputs.size ?? 32).toString("hex") };
    case "ed25519": {
      const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
      const seed = privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32);
      const pub = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
      return { keyId: keyId(), seed: unpaddedBase64(seed), publicKey: unpaddedBase64(pub) };
    }
    case "rsa": {
      const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", {
        modulusLength: inputs.size ?? 2048,
      });
      return {
        privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
        publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
      };
    }
  }
}

/** The Ed25519 public key (unpadded base64) of a seed: how a key installed elsewhere is checked. */
export function ed25519PublicFromSeed(seed: string): string {
  const der = Buffer.concat([
    Buffer.from("302e020100300506032b657004220420", "hex"),
    Buffer.from(seed, "base64"),
  ]);
  const key = crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  return unpaddedBase64(crypto.createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32));
}
