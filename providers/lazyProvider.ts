/**
 * A dynamic provider that Pulumi serializes as a few lines: it holds only where its implementation
 * module is, and loads it inside the provider process when called. The state stays small and holds
 * no credentials, and every resource of one provider process shares the module's state (credentials
 * set by `configure`, caches). For implementations outside providers/ (sdk/secrets), which the
 * package's `exports` do not address; providers/ use providers/shared/moduleLocation instead.
 *
 * `modulePath` is absolute (`path.join(__dirname, "...")`); `relativeToRepo` (e.g.
 * "providers/keycloak/realmProvider") finds the module under the program's dir when the compiled
 * tree has moved since the state was written. The module exports the provider as `provider`.
 */
import type * as pulumi from "@pulumi/pulumi";

export function lazyProvider(modulePath: string, relativeToRepo: string): pulumi.dynamic.ResourceProvider {
  const load = (): Required<pulumi.dynamic.ResourceProvider> => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs") as typeof import("fs");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const p = require("path") as typeof import("path");
    let target = modulePath;
    if (!fs.existsSync(`${target}.js`)) {
      const candidate = p.join(process.cwd(), "bin", relativeToRepo);
      if (fs.existsSync(`${candidate}.js`)) target = candidate;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const impl = (require(target) as { provider: pulumi.dynamic.ResourceProvider }).provider;
    // What an implementation leaves out: nothing to configure, state read back as is, nothing to delete.
    const fallback = {
      configure: async () => undefined,
      read: async (id: string, props: unknown) => ({ id, props }),
      delete: async () => undefined,
    };
    return { ...fallback, ...impl } as Required<pulumi.dynamic.ResourceProvider>;
  };
  return {
    configure: (req) => load().configure(req),
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props),
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
}
