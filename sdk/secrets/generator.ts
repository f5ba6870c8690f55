/**
 * The small interface through which components get secrets generated once and kept in the stack's
 * state: app secrets, passwords (admins, databases), Ed25519 signing keys (Matrix), RSA keys
 * (ActivityPub actors, DKIM).
 * `pluginSecrets` uses @pulumi/random and @pulumi/tls (for engines that can download plugins);
 * `builtinSecrets` uses the built-in dynamic resource (Node's crypto). Both give the same outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RandomSecretOptions } from "./random";

/** An Ed25519 key pair generated for an app (e.g. a Matrix signing key). */
export interface Ed25519Key {
  /** "a_XXXX": the key's version name, e.g. "ed25519:a_XXXX" in Matrix. */
  readonly keyId: pulumi.Output<string>;
  /** Private 32-byte seed, unpadded base64 (secret). */
  readonly seed: pulumi.Output<string>;
  /** Public key, unpadded base64. */
  readonly publicKey: pulumi.Output<string>;
}

/** An RSA key pair generated for an app (e.g. an ActivityPub actor key). */
export interface RsaKey {
  /** PKCS#8 PEM (secret). */
  readonly privateKeyPem: pulumi.Output<string>;
  /** SPKI PEM. */
  readonly publicKeyPem: pulumi.Output<string>;
}

/**
 * Generates an app's secrets: with the @pulumi/random and @pulumi/tls plugins ("plugins", the default) or
 * with the SDK's built-in dynamic resources ("builtin").
 */
export interface SecretGenerator {
  /** Which implementation: plugin resources, or the SDK's built-in dynamic resources. */
  readonly kind: "plugins" | "builtin";
  /** 32 random bytes as 64 hex characters (secret). */
  random(name: string, opts: pulumi.CustomResourceOptions): pulumi.Output<string>;
  /** `length` letters and digits (default 32; secret), drawn again when `keepers` change. */
  password(
    name: string,
    options: RandomSecretOptions,
    opts: pulumi.CustomResourceOptions,
  ): pulumi.Output<string>;
  /** An Ed25519 key pair (secret outputs), kept in state and stable across updates. */
  ed25519(name: string, opts: pulumi.CustomResourceOptions): Ed25519Key;
  /** An RSA key pair of `bits` bits (secret outputs), kept in state and stable across updates. */
  rsa(name: string, bits: number, opts: pulumi.CustomResourceOptions): RsaKey;
}

/** Synapse's signing key file: one line `ed25519 <key id> <unpadded base64 seed>` (secret). */
export function synapseSigningKeyFile(key: Ed25519Key): pulumi.Output<string> {
  return pulumi.secret(pulumi.interpolate`ed25519 ${key.keyId} ${key.seed}\n`);
}
