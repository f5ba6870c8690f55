/**
 * Credentials from the stack's config, delivered through the dynamic provider's `configure`.
 *
 * The engine calls `configure` once per serialized provider, in the provider process, before any
 * check/diff/create/read/update/delete, with the whole stack config (keys keep their namespace,
 * e.g. `sovereign:powerdnsApiKey`; secrets arrive decrypted). Every provider implementation module
 * re-exports `configure` from here, so all of them fill the one store below, and asks
 * `requireCredential` when it needs a key. Resources therefore carry only the NAME of the config
 * key (when not the default): rotating a key is one `pulumi config set --secret`, and the next
 * refresh, update or delete uses the new key. Nothing secret is written into the resources' state.
 */

/** The part of `pulumi.dynamic.ConfigureRequest` used here (kept structural: no Pulumi import). */
export interface ConfigureRequestLike {
  config: { get(key: string): string | undefined };
}

let stackConfig: ConfigureRequestLike["config"] | undefined;

/** The dynamic provider's `configure`: keep the stack config for this provider process. */
export async function configure(req: ConfigureRequestLike): Promise<void> {
  stackConfig = req.config;
}

/** A config key name: `<namespace>:<name>`, as `pulumi config set` takes it. */
export function configKeyProblem(field: string, key: unknown): string | undefined {
  if (typeof key === "string" && /^[A-Za-z][\w.-]*:[A-Za-z][\w.-]*$/.test(key)) return undefined;
  return `${field} ${JSON.stringify(key)} must name a stack config key such as "sovereign:powerdnsApiKey"`;
}

/** Thrown when the key is not in the stack config; says the command that sets it. */
export class MissingCredentialError extends Error {
  constructor(
    readonly configKey: string,
    what: string,
  ) {
    super(
      `${what} is not set: the stack config has no "${configKey}". Set it with\n` +
        `    pulumi config set --secret ${configKey} <value>\n` +
        `(in the directory of the stack's Pulumi.yaml, or add --stack <name>), then run the command again`,
    );
    this.name = "MissingCredentialError";
  }
}

/** The value of a config key (a secret, by convention), or a MissingCredentialError. */
export function requireCredential(configKey: string, what: string): string {
  const value = stackConfig?.get(configKey);
  if (typeof value !== "string" || value === "") throw new MissingCredentialError(configKey, what);
  return value;
}

/** For tests in one process without an engine: what `configure` would have received. */
export function setStackConfigForTests(values: Record<string, string> | undefined): void {
  stackConfig = values === undefined ? undefined : { get: (k) => values[k] };
}
