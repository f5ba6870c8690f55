import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { unpaddedBase64 } from "../../providers/secrets/generate";
import type { Ed25519Key, RsaKey, SecretGenerator } from "./generator";
import { DEFAULT_SECRET_LENGTH } from "./random";

/** The raw 32-byte key at the end of an Ed25519 PKCS#8 or SPKI PEM, unpadded base64. */
export function ed25519RawFromPem(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
  if (der.length < 32) throw new Error("not an Ed25519 PEM key");
  return unpaddedBase64(der.subarray(-32));
}

/** Secrets made by @pulumi/random and @pulumi/tls resources: the default where plugins can be downloaded. */
export function pluginSecrets(): SecretGenerator {
  return {
    kind: "plugins",
    random: (name, opts) => pulumi.secret(new random.RandomBytes(name, { length: 32 }, opts).hex),
    password: (name, options, opts) =>
      pulumi.secret(
        new random.RandomPassword(
          name,
          { length: options.length ?? DEFAULT_SECRET_LENGTH, special: false, keepers: options.keepers },
          opts,
        ).result,
      ),
    ed25519: (name, opts): Ed25519Key => {
      const key = new tls.PrivateKey(name, { algorithm: "ED25519" }, opts);
      const id = new random.RandomString(`${name}-id`, { length: 4, special: false }, opts);
      return {
        keyId: pulumi.interpolate`a_${id.result}`,
        seed: pulumi.secret(key.privateKeyPem.apply(ed25519RawFromPem)),
        publicKey: key.publicKeyPem.apply(ed25519RawFromPem),
      };
    },
    rsa: (name, bits, opts): RsaKey => {
      const key = new tls.PrivateKey(name, { algorithm: "RSA", rsaBits: bits }, opts);
      return { privateKeyPem: pulumi.secret(key.privateKeyPemPkcs8), publicKeyPem: key.publicKeyPem };
    },
  };
}
