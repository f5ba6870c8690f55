/**
 * Random passwords, the `password` part of the SecretGenerator interface (generator.ts):
 * `pluginSecrets()` draws them with @pulumi/random's RandomPassword (the default for users who have
 * the plugin); `builtinSecrets()` with LocalRandomSecret, a built-in dynamic resource drawing from
 * Node's crypto (for sites without downloadable plugins). Both give a secret Output of `length`
 * letters and digits, drawn once and kept in the state (encrypted) until `keepers` change.
 */
import * as pulumi from "@pulumi/pulumi";
import { PASSWORD_ALPHABET } from "../../providers/secrets/generate";
import { providerAt, providerSpecifier } from "../../providers/shared/moduleLocation";
import { withSecretOutputs } from "../../providers/shared/secretOutputs";

/** How a random secret is drawn. */
export interface RandomSecretOptions {
  /** Characters (default 32). */
  length?: number;
  /** Values that, when changed, draw a new secret (rotation). */
  keepers?: Record<string, pulumi.Input<string>>;
}

/** Letters and digits: safe in URLs, config files and shell words without quoting. */
export const SECRET_ALPHABET = PASSWORD_ALPHABET;
/** Length of a generated secret by default, in characters. */
export const DEFAULT_SECRET_LENGTH = 32;

// The state holds only the package specifier of the implementation (providers/secrets/).
const localProvider = providerAt(providerSpecifier("secrets/randomProvider"));

/**
 * A random secret made by the built-in provider (Node's crypto), kept encrypted in the state: what
 * `@pulumi/random` would give, for sites without that plugin.
 *
 * @example
 * ```ts
 * const password = new LocalRandomSecret("db-password", { length: 32 }).result;
 * ```
 */
export class LocalRandomSecret extends pulumi.dynamic.Resource {
  /** The secret (a secret output). */
  declare readonly result: pulumi.Output<string>;

  constructor(name: string, options: RandomSecretOptions = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      localProvider,
      name,
      { length: options.length ?? DEFAULT_SECRET_LENGTH, keepers: options.keepers ?? {}, result: undefined },
      withSecretOutputs(opts, ["result"]),
      "sovereign/secrets",
      "RandomSecret",
    );
  }
}
