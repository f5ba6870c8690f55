/**
 * A dynamic provider object that Pulumi can serialize cheaply: it captures only the path of its
 * implementation module and loads it when called, so the serialized text stays tiny and holds no
 * credentials, and every resource in one provider process shares the implementation's module state.
 */
import type * as pulumi from "@pulumi/pulumi";

type Impl = Required<pulumi.dynamic.ResourceProvider>;

export function lazyProvider(modulePath: string): pulumi.dynamic.ResourceProvider {
  const load = (): Impl => {
    // Resolved at call time inside the provider process. If the compiled tree moved since this state
    // was written, look for it under the program's directory (the provider's cwd).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs") as typeof import("fs");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const p = require("path") as typeof import("path");
    let target = modulePath;
    if (!fs.existsSync(target + ".js")) {
      const tail = p.join(
        "bin",
        "providers",
        p.basename(p.dirname(modulePath)),
        p.basename(modulePath) + ".js",
      );
      for (let dir = process.cwd(); ; dir = p.dirname(dir)) {
        if (fs.existsSync(p.join(dir, tail))) {
          target = p.join(dir, tail).slice(0, -3);
          break;
        }
        if (p.dirname(dir) === dir) break;
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(target) as Impl;
  };
  return {
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props),
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
}
