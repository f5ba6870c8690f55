/**
 * The small interface through which components get secrets generated once and kept in the stack's
 * state: app secrets, passwords (admins, databases), Ed25519 signing keys (Matrix), RSA keys
 * (ActivityPub actors, DKIM).
 * `pluginSecrets` uses @pulumi/random and @pulumi/tls (for engines that can download plugins);
 * `builtinSecrets` uses the built-in dynamic resource (Node's crypto). Both give the same outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RandomSecretOptions } from "./random";

export interface Ed25519Key {
  /** "a_XXXX": the key's version name, e.g. "ed25519:a_XXXX" in Matrix. */
  readonly keyId: pulumi.Output<string>;
  /** Private 32-byte seed, unpadded base64 (secret). */
  readonly seed: pulumi.Output<string>;
  /** Public key, unpadded base64. */
  readonly publicKey: pulumi.Output<string>;
}

export interface RsaKey {
  /** PKCS#8 PEM (secret). */
  readonly privateKeyPem: pulumi.Output<string>;
  /** SPKI PEM. */
  readonly publicKeyPem: pulumi.Output<string>;
}

export interface SecretGenerator {
  readonly kind: "plugins" | "builtin";
  /** 32 random bytes as 64 hex characters (secret). */
  random(name: string, opts: pulumi.CustomResourceOptions): pulumi.Output<string>;
  /** `length` letters and digits (default 32; secret), drawn again when `keepers` change. */
  password(
    name: string,
    options: RandomSecretOptions,
    opts: pulumi.CustomResourceOptions,
  ): pulumi.Output<string>;
  ed25519(name: string, opts: pulumi.CustomResourceOptions): Ed25519Key;
  rsa(name: string, bits: number, opts: pulumi.CustomResourceOptions): RsaKey;
}

/** Synapse's signing key file: one line `ed25519 <key id> <unpadded base64 seed>` (secret). */
export function synapseSigningKeyFile(key: Ed25519Key): pulumi.Output<string> {
  return pulumi.secret(pulumi.interpolate`ed25519 ${key.keyId} ${key.seed}\n`);
}
