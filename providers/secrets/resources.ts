/**
 * `GeneratedSecret`: a secret made once by the built-in provider with Node's crypto, for sites whose
 * engine cannot download the random/tls plugins. Private parts are secret outputs in the state.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier } from "../shared/moduleLocation";
import { SECRET_OUTPUT_NAMES, type SecretKind } from "./generate";
import { withSecretOutputs } from "../shared/secretOutputs";

const secretProvider = providerAt(providerSpecifier("secrets/secretProvider"));

export interface GeneratedSecretArgs {
  kind: pulumi.Input<SecretKind>;
  /** random: bytes (default 32, printed as hex); rsa: bits (default 2048). */
  size?: pulumi.Input<number>;
}

export class GeneratedSecret extends pulumi.dynamic.Resource {
  declare readonly kind: pulumi.Output<SecretKind>;
  /** random: the hex value (secret). */
  declare readonly value: pulumi.Output<string | undefined>;
  /** ed25519: key id, private seed (secret) and public key, unpadded base64. */
  declare readonly keyId: pulumi.Output<string | undefined>;
  declare readonly seed: pulumi.Output<string | undefined>;
  declare readonly publicKey: pulumi.Output<string | undefined>;
  /** rsa: PKCS#8 private key (secret) and SPKI public key, PEM. */
  declare readonly privateKeyPem: pulumi.Output<string | undefined>;
  declare readonly publicKeyPem: pulumi.Output<string | undefined>;

  constructor(name: string, args: GeneratedSecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      secretProvider,
      name,
      {
        ...args,
        value: undefined,
        keyId: undefined,
        seed: undefined,
        publicKey: undefined,
        privateKeyPem: undefined,
        publicKeyPem: undefined,
      },
      withSecretOutputs(opts, SECRET_OUTPUT_NAMES),
      "sovereign/secrets",
      "GeneratedSecret",
    );
  }
}
