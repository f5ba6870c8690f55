// `npm run gen:netbox`: regenerates providers/netbox/openapi.json (NetBox's own OpenAPI schema,
// trimmed to the paths the providers use and the components they reference) and, from it with
// openapi-typescript, providers/netbox/generated/schema.ts.
//
// The schema comes from a running NetBox: NETBOX_URL + NETBOX_TOKEN, or the one `npm run env --
// up netbox` recorded in .state/env.json. The full document is ~15 MB (322 paths); the trimmed one
// is what is committed.
/* global fetch */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(repo, "providers", "netbox");

/** The API paths the providers call (keep in sync with providers/netbox/client.ts). */
export const USED_PATHS = [
  "/api/status/",
  "/api/dcim/sites/",
  "/api/dcim/sites/{id}/",
  "/api/virtualization/cluster-types/",
  "/api/virtualization/cluster-types/{id}/",
  "/api/virtualization/clusters/",
  "/api/virtualization/clusters/{id}/",
  "/api/virtualization/virtual-machines/",
  "/api/virtualization/virtual-machines/{id}/",
  "/api/virtualization/interfaces/",
  "/api/virtualization/interfaces/{id}/",
  "/api/ipam/prefixes/",
  "/api/ipam/prefixes/{id}/",
  "/api/ipam/prefixes/{id}/available-ips/",
  "/api/ipam/ip-addresses/",
  "/api/ipam/ip-addresses/{id}/",
  "/api/ipam/services/",
  "/api/ipam/services/{id}/",
  "/api/extras/tags/",
  "/api/extras/tags/{id}/",
  "/api/extras/custom-fields/",
  "/api/extras/custom-fields/{id}/",
];
const METHODS = ["get", "post", "patch", "delete"];

function endpoint() {
  if (process.env.NETBOX_URL && process.env.NETBOX_TOKEN)
    return { url: process.env.NETBOX_URL, token: process.env.NETBOX_TOKEN };
  const state = path.join(repo, ".state", "env.json");
  const netbox = fs.existsSync(state)
    ? JSON.parse(fs.readFileSync(state, "utf8")).services?.netbox
    : undefined;
  if (!netbox)
    throw new Error("no NetBox: run `npm run env -- up netbox` or set NETBOX_URL and NETBOX_TOKEN");
  return { url: netbox.endpoints.url, token: netbox.credentials.token };
}

/** The document with only USED_PATHS (and their used methods) and the components they reach. */
export function trim(doc) {
  const paths = {};
  for (const p of USED_PATHS) {
    const item = doc.paths[p];
    if (!item) throw new Error(`NetBox's schema has no path ${p}`);
    paths[p] = Object.fromEntries(
      Object.entries(item).filter(([k]) => METHODS.includes(k) || k === "parameters"),
    );
  }
  const keep = new Set();
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/schemas/")) {
        const name = v.slice("#/components/schemas/".length);
        if (!keep.has(name)) {
          keep.add(name);
          visit(doc.components.schemas[name]);
        }
      } else visit(v);
    }
  };
  visit(paths);
  const schemas = Object.fromEntries([...keep].sort().map((n) => [n, doc.components.schemas[n]]));
  return {
    openapi: doc.openapi,
    info: doc.info,
    paths,
    components: { schemas, securitySchemes: doc.components.securitySchemes },
  };
}

async function main() {
  const { url, token } = endpoint();
  const res = await fetch(`${url}/api/schema/?format=json`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`GET ${url}/api/schema/ answered ${res.status}`);
  const full = await res.json();
  const trimmed = trim(full);
  fs.mkdirSync(path.join(out, "generated"), { recursive: true });
  fs.writeFileSync(path.join(out, "openapi.json"), JSON.stringify(trimmed, null, 1) + "\n");
  execFileSync(
    path.join(repo, "node_modules", ".bin", "openapi-typescript"),
    [path.join(out, "openapi.json"), "-o", path.join(out, "generated", "schema.ts")],
    { stdio: "inherit" },
  );
  console.log(
    `NetBox ${full.info?.version}: ${Object.keys(trimmed.paths).length} of ${Object.keys(full.paths).length} paths, ` +
      `${Object.keys(trimmed.components.schemas).length} of ${Object.keys(full.components.schemas).length} schemas`,
  );
}

main().catch((e) => {
  console.error(`gen:netbox: ${e.message}`);
  process.exit(1);
});
