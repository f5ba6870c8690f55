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

/**
 * A provider object that loads `specifier` in the provider process when first called.
 *
 * Its serialized text is stored in the state once per resource, and Pulumi's closure serializer
 * wraps every distinct function in about 200 bytes of boilerplate. So the seven methods share
 * three functions, told apart by how the dynamic-provider host calls them (@pulumi/pulumi's
 * cmd/dynamic-provider: `configure(req)`, `create(inputs)`, `check(olds, news)`, `read(id, props)`,
 * `diff(id, olds, news)`, `delete(id, props)`, `update(id, olds, news)`): about 1.8 KiB per
 * resource instead of 3 KiB (`npm run bench -- scale` prints it; a unit test keeps it under 2 KiB).
 */
export function providerAt(specifier: string): pulumi.dynamic.ResourceProvider {
  type Impl = Required<pulumi.dynamic.ResourceProvider>;
  type Req = pulumi.dynamic.ConfigureRequest;
  // Check failures reach the engine without their property (./engineFacing.ts).
  const facing = providerSpecifier("shared/engineFacing");
  // Everything below is serialized into the state, comments included: it captures `specifier`
  // and `facing` and nothing else.
  const load = (): Impl => {
    const from = process.cwd();
    try {
      const req = process.getBuiltinModule("module").createRequire(`${from}/_sovereign.js`);
      return (req(facing) as typeof import("./engineFacing")).engineFacing(req(specifier) as Impl);
    } catch (cause) {
      throw new Error(
        `cannot load ${specifier} from ${from} (build sovereign there: npm run build; or install it): ${String(cause)}`,
        { cause },
      );
    }
  };
  // configure(req) and create(inputs) take one argument (only a configure request holds a Config
  // with a get method); check(olds, news) starts with an object, read(id, props) with the id.
  const oneOrTwo = (a: unknown, ...b: unknown[]): Promise<unknown> => {
    const impl = load();
    if (b.length) return typeof a === "string" ? impl.read(a, b[0]) : impl.check(a, b[0]);
    return typeof (a as Req).config?.get === "function" ? impl.configure(a as Req) : impl.create(a);
  };
  // diff(id, olds, news) takes three arguments, delete(id, props) two.
  const diffOrDelete = (id: string, b: unknown, ...c: unknown[]): Promise<unknown> =>
    c.length ? load().diff(id, b, c[0]) : load().delete(id, b);
  const update = (id: string, olds: unknown, news: unknown): Promise<pulumi.dynamic.UpdateResult> =>
    load().update(id, olds, news);
  return {
    configure: oneOrTwo,
    create: oneOrTwo,
    check: oneOrTwo,
    read: oneOrTwo,
    diff: diffOrDelete,
    delete: diffOrDelete,
    update,
  } as unknown as pulumi.dynamic.ResourceProvider;
}
