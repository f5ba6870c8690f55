/**
 * Random secrets behind one small interface: `pulumiRandomSecrets` uses @pulumi/random's
 * RandomPassword (the default for users who have the plugin); `localRandomSecrets` is a built-in
 * dynamic resource drawing from Node's crypto (for sites without downloadable plugins). Both give
 * a secret Output of `length` characters from the same alphabet, drawn once and kept in the state
 * (encrypted) until `keepers` change.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { lazyProvider } from "../../providers/lazyProvider";

export interface RandomSecretOptions {
  /** Characters (default 32). */
  length?: number;
  /** Values that, when changed, draw a new secret (rotation). */
  keepers?: Record<string, pulumi.Input<string>>;
}

export interface PasswordGenerator {
  secret(
    name: string,
    options?: RandomSecretOptions,
    opts?: pulumi.CustomResourceOptions,
  ): pulumi.Output<string>;
}

/** Letters and digits: safe in URLs, config files and shell words without quoting. */
export const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const DEFAULT_SECRET_LENGTH = 32;

export const pulumiRandomSecrets: PasswordGenerator = {
  secret: (name, options = {}, opts) =>
    new random.RandomPassword(
      name,
      { length: options.length ?? DEFAULT_SECRET_LENGTH, special: false, keepers: options.keepers },
      opts,
    ).result,
};

const localProvider = lazyProvider(path.join(__dirname, "randomProvider"), "sdk/secrets/randomProvider");

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
  declare readonly result: pulumi.Output<string>;

  constructor(name: string, options: RandomSecretOptions = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      localProvider,
      name,
      { length: options.length ?? DEFAULT_SECRET_LENGTH, keepers: options.keepers ?? {}, result: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "result"] },
      "sovereign/secrets",
      "RandomSecret",
    );
  }
}

export const localRandomSecrets: PasswordGenerator = {
  secret: (name, options, opts) => new LocalRandomSecret(name, options, opts).result,
};
