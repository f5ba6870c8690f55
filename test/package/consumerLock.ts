/**
 * A lockfile for a consumer project that installs the packed SDK with `npm ci --offline`: every
 * package it needs comes from the npm cache that this checkout's own `npm ci` filled, by the
 * versions and integrity hashes of this checkout's package-lock.json. No registry request is made
 * (npm would need the registry's package documents to resolve plain `name@range` specs offline).
 */

/** One entry of package-lock.json's "packages" map. */
export interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  license?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

export interface Lockfile {
  name: string;
  version: string;
  lockfileVersion: number;
  requires: boolean;
  packages: Record<string, LockEntry>;
}

/** Where Node finds `name` from the package installed at `from` ("" = the project root). */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const at = dir.lastIndexOf("/node_modules/");
    dir = at < 0 ? "" : dir.slice(0, at);
  }
}

/** The registry's tarball address of a lock entry (the key npm's cache files it under). */
export function tarballUrl(registry: string, at: string, entry: LockEntry): string {
  const name = at.slice(at.lastIndexOf("node_modules/") + "node_modules/".length);
  const base = name.slice(name.lastIndexOf("/") + 1);
  return `${registry.replace(/\/$/, "")}/${name}/-/${base}-${entry.version ?? ""}.tgz`;
}

/**
 * The consumer's lockfile: `project`'s dependencies (`sovereign` from the tarball, the others at
 * the versions the SDK's lock holds) and everything they need, with the SDK's lock entries.
 */
export function consumerLock(
  sdkLock: Lockfile,
  sdkPackage: { version: string; license?: string; dependencies: Record<string, string> },
  project: { name: string; tarball: string; extra: readonly string[]; registry: string },
): Lockfile {
  const source = sdkLock.packages;
  const packages: Record<string, LockEntry> = {};
  const rootDependencies: Record<string, string> = { sovereign: `file:${project.tarball}` };
  const queue: string[] = [];
  const need = (from: string, name: string, optional: boolean): void => {
    const at = locate(source, from, name);
    if (!at) {
      if (optional) return;
      throw new Error(
        `the SDK's package-lock.json has no "${name}" (needed from "${from || "the project"}")`,
      );
    }
    if (packages[at]) return;
    const { dev: _dev, devOptional: _devOptional, ...entry } = source[at];
    void _dev;
    void _devOptional;
    // Without "resolved" npm asks the registry for the package document, even offline.
    packages[at] = { ...entry, resolved: entry.resolved ?? tarballUrl(project.registry, at, entry) };
    queue.push(at);
  };
  for (const name of Object.keys(sdkPackage.dependencies)) need("", name, false);
  for (const name of project.extra) {
    need("", name, false);
    rootDependencies[name] = source[`node_modules/${name}`].version ?? "*";
  }
  while (queue.length > 0) {
    const at = queue.shift() as string;
    const entry = source[at];
    for (const name of Object.keys(entry.dependencies ?? {})) need(at, name, false);
    for (const name of Object.keys(entry.optionalDependencies ?? {})) need(at, name, true);
    for (const [name] of Object.entries(entry.peerDependencies ?? {}))
      need(at, name, entry.peerDependenciesMeta?.[name]?.optional === true);
  }
  packages["node_modules/sovereign"] = {
    version: sdkPackage.version,
    resolved: `file:${project.tarball}`,
    ...(sdkPackage.license ? { license: sdkPackage.license } : {}),
    dependencies: sdkPackage.dependencies,
  };
  packages[""] = { name: project.name, version: "1.0.0", dependencies: rootDependencies };
  return { name: project.name, version: "1.0.0", lockfileVersion: 3, requires: true, packages };
}
