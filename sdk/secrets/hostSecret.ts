import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier } from "../../providers/shared/moduleLocation";
import type { HostOs } from "./hostSecretPlan";
import { withSecretOutputs } from "../../providers/shared/secretOutputs";

// The state holds only the package specifier of the implementation (providers/secrets/).
const provider = providerAt(providerSpecifier("secrets/hostSecretProvider"));

/** The host a {@link HostSecret} is delivered to, over SSH. */
export interface SecretHostArgs {
  /** Host name or address. */
  address: pulumi.Input<string>;
  /** The SSH port; default 22. */
  port?: pulumi.Input<number>;
  /** The user to log in as; default "root". */
  user?: pulumi.Input<string>;
  /** The host's SSH host public key ("ssh-ed25519 AAAA..."): the secret is encrypted to it. */
  hostPublicKey?: pulumi.Input<string>;
  /** Where the host keeps the matching private key (default /etc/ssh/ssh_host_ed25519_key). */
  hostKeyPath?: pulumi.Input<string>;
  /** SSH key on the machine running Pulumi that the host accepts. */
  privateKeyPath?: pulumi.Input<string>;
  /** "linux" (default): the decrypted file is written; "nixos": only the ciphertext, for agenix. */
  os?: pulumi.Input<HostOs>;
  /** Where the host keeps the encrypted files (default /var/lib/sovereign/secrets). */
  storeDir?: pulumi.Input<string>;
}

/** Inputs of a {@link HostSecret}. */
export interface HostSecretArgs {
  /** The secret's name on the host ([a-z0-9._-]). */
  name: pulumi.Input<string>;
  /** The host it goes to. */
  host: pulumi.Input<SecretHostArgs>;
  /** The secret itself; kept encrypted in the state. */
  value: pulumi.Input<string>;
  /** Where the decrypted file lands. */
  path: pulumi.Input<string>;
  /** Owner of the delivered file; default "root". */
  owner?: pulumi.Input<string>;
  /** Group of the delivered file; default "root". */
  group?: pulumi.Input<string>;
  /** Octal mode, default "0400". */
  mode?: pulumi.Input<string>;
  /** The app's minimum length for this secret (checked at preview). */
  minLength?: pulumi.Input<number>;
}

/**
 * A secret delivered to a host: encrypted with age to the host's SSH host key, sent over SSH as
 * ciphertext into /var/lib/sovereign/secrets/<name>.age, and on plain-Linux hosts decrypted there
 * into `path` with owner and mode set. A changed value is re-encrypted and delivered again.
 *
 * @example
 * ```ts
 * new HostSecret("db-password", {
 *   name: "db-password",
 *   host: { address: "192.0.2.20", user: "root", privateKeyPath: "/home/ci/.ssh/id_ed25519", hostPublicKey: "ssh-ed25519 AAAA..." },
 *   value: password,
 *   path: "/etc/app/db-password",
 *   owner: "app",
 * });
 * ```
 */
export class HostSecret extends pulumi.dynamic.Resource {
  /** Where the encrypted file is stored on the host. */
  declare readonly encryptedPath: pulumi.Output<string>;
  /** Where the decrypted file lands (plain Linux) or agenix puts it (NixOS). */
  declare readonly path: pulumi.Output<string>;
  /** The delivered file's octal mode, e.g. "0400". */
  declare readonly mode: pulumi.Output<string>;

  constructor(name: string, args: HostSecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, value: pulumi.secret(args.value), encryptedPath: undefined },
      withSecretOutputs(opts, ["value"]),
      "sovereign/secrets",
      "HostSecret",
    );
  }
}
