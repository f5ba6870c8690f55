import type * as pulumi from "@pulumi/pulumi";

/**
 * `opts` with `names` added to its additionalSecretOutputs (keeping the caller's own), so the
 * engine stores those outputs encrypted in the state.
 */
export function withSecretOutputs(
  opts: pulumi.CustomResourceOptions | undefined,
  names: readonly string[],
): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...names] };
}
