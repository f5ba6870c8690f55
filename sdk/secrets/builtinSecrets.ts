import * as pulumi from "@pulumi/pulumi";
import { GeneratedSecret } from "../../providers/secrets/resources";
import type { Ed25519Key, RsaKey, SecretGenerator } from "./generator";
import { LocalRandomSecret } from "./random";

const required = (o: pulumi.Output<string | undefined>, what: string): pulumi.Output<string> =>
  o.apply((v) => {
    if (v === undefined) throw new Error(`the built-in secret provider returned no ${what}`);
    return v;
  });

/** Secrets made by the built-in dynamic resource with Node's crypto (no plugin downloads). */
export function builtinSecrets(): SecretGenerator {
  return {
    kind: "builtin",
    random: (name, opts) =>
      pulumi.secret(required(new GeneratedSecret(name, { kind: "random" }, opts).value, "value")),
    password: (name, options, opts) => pulumi.secret(new LocalRandomSecret(name, options, opts).result),
    ed25519: (name, opts): Ed25519Key => {
      const s = new GeneratedSecret(name, { kind: "ed25519" }, opts);
      return {
        keyId: required(s.keyId, "keyId"),
        seed: pulumi.secret(required(s.seed, "seed")),
        publicKey: required(s.publicKey, "publicKey"),
      };
    },
    rsa: (name, bits, opts): RsaKey => {
      const s = new GeneratedSecret(name, { kind: "rsa", size: bits }, opts);
      return {
        privateKeyPem: pulumi.secret(required(s.privateKeyPem, "privateKeyPem")),
        publicKeyPem: required(s.publicKeyPem, "publicKeyPem"),
      };
    },
  };
}
