// `npm run gen:keycloak [FULL_DOCUMENT.json]`: regenerates the Keycloak admin API types.
// With a full OpenAPI document (Keycloak generates one from its services module, e.g.
// target/apidocs-rest/swagger/apidocs/openapi.json), it first trims it to the paths the provider
// uses (and the schemas they reference) into providers/keycloak/openapi/keycloak-admin.json; then
// openapi-typescript writes providers/keycloak/generated/schema.d.ts from the trimmed document.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const trimmed = join(root, "providers/keycloak/openapi/keycloak-admin.json");
const output = join(root, "providers/keycloak/generated/schema.d.ts");

/** Path -> methods the provider calls. */
const USED = {
  "/admin/realms": ["get", "post"],
  "/admin/realms/{realm}": ["get", "put", "delete"],
  "/admin/realms/{realm}/clients": ["get", "post"],
  "/admin/realms/{realm}/clients/{id}": ["get", "put", "delete"],
  "/admin/realms/{realm}/clients/{id}/client-secret": ["get", "post"],
  "/admin/realms/{realm}/groups": ["get", "post"],
  "/admin/realms/{realm}/groups/{id}": ["get", "put", "delete"],
  "/admin/realms/{realm}/groups/{id}/role-mappings/realm": ["get", "post", "delete"],
  "/admin/realms/{realm}/users": ["get", "post"],
  "/admin/realms/{realm}/users/{id}": ["get", "put", "delete"],
  "/admin/realms/{realm}/users/profile": ["get", "put"],
  "/admin/realms/{realm}/users/{id}/reset-password": ["put"],
  "/admin/realms/{realm}/users/{id}/groups": ["get"],
  "/admin/realms/{realm}/users/{id}/groups/{groupId}": ["put", "delete"],
  "/admin/realms/{realm}/users/{id}/role-mappings/realm": ["get", "post", "delete"],
  "/admin/realms/{realm}/roles": ["get", "post"],
  "/admin/realms/{realm}/roles/{role-name}": ["get"],
};

function trim(full) {
  const paths = {};
  for (const [path, methods] of Object.entries(USED)) {
    const item = full.paths[path];
    if (!item) throw new Error(`the document has no path ${path}`);
    paths[path] = Object.fromEntries(
      Object.entries(item).filter(([key]) => key === "parameters" || methods.includes(key)),
    );
  }
  const schemas = {};
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const ref = node.$ref;
    if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
      const name = ref.slice("#/components/schemas/".length);
      if (!schemas[name]) {
        schemas[name] = full.components.schemas[name];
        visit(schemas[name]);
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(paths);
  const sorted = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((k) => [k, schemas[k]]),
  );
  return { openapi: full.openapi, info: full.info, paths, components: { schemas: sorted } };
}

const source = process.argv[2];
if (source) {
  writeFileSync(trimmed, JSON.stringify(trim(JSON.parse(readFileSync(source, "utf8"))), null, 2) + "\n");
  console.log(`trimmed ${source} -> ${trimmed}`);
}
execFileSync(join(root, "node_modules/.bin/openapi-typescript"), [trimmed, "-o", output], {
  stdio: "inherit",
});
execFileSync(join(root, "node_modules/.bin/prettier"), ["--write", output, trimmed], { stdio: "inherit" });
