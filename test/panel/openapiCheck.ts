/**
 * Checks the panel's answers against its OpenAPI 3.1 document (sdk/panel/openapi.json) with Ajv
 * (JSON Schema 2020-12, which OpenAPI 3.1 schemas are).
 */
import * as assert from "assert";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import openapi from "../../sdk/panel/openapi.json";

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(openapi, "openapi");

type Json = Record<string, unknown>;
const pointer = (...parts: string[]) =>
  parts.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

function resolve(node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== "string") return node;
  return ref
    .slice(2)
    .split("/")
    .reduce<Json>(
      (at, key) => at[key.replace(/~1/g, "/").replace(/~0/g, "~")] as Json,
      openapi as unknown as Json,
    );
}

/** Asserts that `body` is what the document says `method path` answers with `status`. */
export function assertDocumented(method: string, pathTemplate: string, status: number, body: unknown): void {
  const operation = (openapi.paths as Record<string, Json>)[pathTemplate]?.[method.toLowerCase()] as
    Json | undefined;
  assert.ok(operation, `the document describes ${method} ${pathTemplate}`);
  const responses = operation.responses as Record<string, Json>;
  assert.ok(responses[String(status)], `the document lists status ${status} for ${method} ${pathTemplate}`);
  const response = resolve(responses[String(status)]);
  const content = response.content as Record<string, Json>;
  const ref = (responses[String(status)].$ref as string | undefined)?.slice(2).split("/") ?? [
    "paths",
    pathTemplate,
    method.toLowerCase(),
    "responses",
    String(status),
  ];
  const schemaPath = `openapi#/${pointer(...ref, "content", "application/json", "schema")}`;
  assert.ok(content["application/json"], `${method} ${pathTemplate} ${status} is JSON`);
  const validate = ajv.getSchema(schemaPath) ?? ajv.compile({ $ref: schemaPath });
  assert.ok(
    validate(body),
    `${method} ${pathTemplate} ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
  );
}

/** Asserts that an SSE event's data matches the component schema `name`. */
export function assertSchema(name: string, data: unknown): void {
  const validate =
    ajv.getSchema(`openapi#/components/schemas/${name}`) ??
    ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
  assert.ok(validate(data), `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(data)}`);
}
