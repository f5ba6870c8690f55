/**
 * What the engine is given of a provider implementation module. Check failures go out without their
 * `property`: the engine prints a failing property's value beside the reason ("property X value
 * {...} has a problem"), secrets in plain text; so each reason names its field instead (a reason
 * that does not start with it gets it as a prefix). `providerAt` (./moduleLocation.ts) loads every
 * implementation through this module, in the provider process.
 */
import type * as pulumi from "@pulumi/pulumi";

type Impl = Required<pulumi.dynamic.ResourceProvider>;

const facing = new WeakMap<object, Impl>();

export function engineFacing(impl: Impl): Impl {
  let f = facing.get(impl);
  if (!f) {
    f = {
      ...impl,
      check: async (olds, news) => {
        const result = await impl.check(olds, news);
        const failures = (result.failures ?? []).map(({ property, reason }) => ({
          property: "",
          reason: !property || reason.startsWith(property) ? reason : `${property}: ${reason}`,
        }));
        return { ...result, failures };
      },
    };
    facing.set(impl, f);
  }
  return f;
}
