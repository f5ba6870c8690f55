/**
 * Dynamic providers that find their implementation by package specifier, at run time.
 *
 * Pulumi serializes a dynamic resource's provider object (its code and everything it captures)
 * into the state, and runs that text in the provider process on every later preview, refresh,
 * update and destroy. So the object made here captures ONE string, a package specifier such as
 * "sovereign/providers/powerdns/rrsetProvider", and resolves it when called, from the directory
 * the engine runs the provider in (the program's directory) the way Node does:
 *   - in a checkout of this repository, through the package's self-reference (package.json
 *     "name" + "exports");
 *   - in another project that installed the SDK, from its node_modules.
 * The state holds no machine path: moving the checkout or the project keeps refresh/destroy
 * working. The serialized text stays tiny, and every resource of a kind meets the same module
 * instance in the provider process (module-scope queues and the configured credentials).
 *
 * The implementation module exports `check`, `diff`, `create`, `read`, `update`, `delete` and
 * `configure` (re-exported from ./credentials). Its check failures reach the engine without their
 * `property` (the engine would print that property's value, secrets included): each reason must
 * name its field, which a reason that does not start with it gets as a prefix.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The package name under which the compiled tree is addressed (package.json "name"). */
export const PACKAGE_NAME = "sovereign";

/** "powerdns/rrsetProvider" -> "sovereign/providers/powerdns/rrsetProvider". */
export function providerSpecifier(pathUnderProviders: string): string {
  return `${PACKAGE_NAME}/providers/${pathUnderProviders}`;
}

/** A provider object that loads `specifier` in the provider process when first called. */
export function providerAt(specifier: string): pulumi.dynamic.ResourceProvider {
  type Impl = Required<pulumi.dynamic.ResourceProvider>;
  // Everything below is serialized into the state: it may capture `specifier` and nothing else.
  const load = (): Impl => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeModule = require("module") as typeof import("module");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodePath = require("path") as typeof import("path");
    const from = process.cwd();
    try {
      return nodeModule.createRequire(nodePath.join(from, "__sovereign_provider_loader__.js"))(
        specifier,
      ) as Impl;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== "MODULE_NOT_FOUND" && code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
      throw new Error(
        `cannot load the provider implementation "${specifier}" from ${from}: the program's directory must be ` +
          `a checkout of sovereign built with "npm run build", or a project with sovereign installed ` +
          `("npm install sovereign"). (${(e as Error).message.split("\n")[0]})`,
      );
    }
  };
  return {
    configure: (req) => load().configure(req),
    // The engine prints a failing property's value beside the reason ("property X value {...} has
    // a problem"), secrets in plain text; so failures go out without the property, and each reason
    // names its field instead.
    check: async (olds, news) => {
      const result = await load().check(olds, news);
      const failures = (result.failures ?? []).map(({ property, reason }) => ({
        property: "",
        reason: !property || reason.startsWith(property) ? reason : `${property}: ${reason}`,
      }));
      return { ...result, failures };
    },
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props),
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
}
