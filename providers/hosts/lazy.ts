/**
 * Thin provider plumbing for the host providers (hosts, lxc, nixops) until providers/shared/ lands:
 * the serialized provider captures only its implementation's module path and loads it when called.
 */
import * as pulumi from "@pulumi/pulumi";

type Impl = pulumi.dynamic.ResourceProvider;

/** `folder` is the provider's folder under providers/ (e.g. "lxc"), for finding a moved compiled tree. */
export function lazyProvider(modulePath: string, folder: string): pulumi.dynamic.ResourceProvider {
  const load = (): Impl => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs") as typeof import("fs");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const p = require("path") as typeof import("path");
    let target = modulePath;
    if (!fs.existsSync(`${target}.js`)) {
      const tail = p.join("bin", "providers", folder, `${p.basename(modulePath)}.js`);
      for (let dir = process.cwd(); p.dirname(dir) !== dir; dir = p.dirname(dir)) {
        if (fs.existsSync(p.join(dir, tail))) {
          target = p.join(dir, tail).slice(0, -3);
          break;
        }
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(target) as { provider: Impl }).provider;
  };
  const must = <K extends keyof Impl>(k: K): NonNullable<Impl[K]> => {
    const f = load()[k];
    if (!f) throw new Error(`provider ${modulePath} has no ${String(k)}`);
    return f as NonNullable<Impl[K]>;
  };
  return {
    check: (olds, news) => must("check")(olds, news),
    diff: (id, olds, news) => must("diff")(id, olds, news),
    create: (inputs) => must("create")(inputs),
    read: (id, props) => must("read")(id, props),
    update: (id, olds, news) => must("update")(id, olds, news),
    delete: (id, props) => must("delete")(id, props),
  };
}

/** The owner marker of a resource: project/stack/resource name, stable across runs. */
export function ownerId(resourceName: string): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}/${resourceName}`;
}
