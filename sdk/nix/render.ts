/**
 * Renders a NixValue as Nix source text, formatted one attribute or list element per line. The
 * output of `render` always parses (`nix-instantiate --parse`), and pure data evaluates back to the
 * same JSON (`nix-instantiate --eval --strict --json`); test/unit/nix checks both with real Nix.
 */
import { isIdentifier, isNode, NixAttrs, NixBuildError, NixNode, NixPath, NixValue, NODE } from "./expr";
import { checkNixText, fitsIndentedString, indentedString, quoteString } from "./strings";

const STEP = "  ";

/** An attribute name: bare when it is an identifier, else a quoted string. */
export function attrName(name: string): string {
  checkNixText(name, "attribute name");
  return isIdentifier(name) ? name : quoteString(name);
}

function renderInteger(value: number): string {
  if (!Number.isSafeInteger(value)) {
    throw new NixBuildError(
      `${value} is not a whole number Nix can hold exactly; use nix.float(${value}) for a float or a string for big numbers`,
    );
  }
  return Object.is(value, -0) ? "0" : String(value);
}

/** Nix float literals need a dot before any exponent: 3 → 3.0, 1e+21 → 1.0e+21. */
function renderFloat(value: number): string {
  const text = String(Math.abs(value));
  const [mantissa, exponent] = text.split("e");
  const withDot = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  const literal = exponent === undefined ? withDot : `${withDot}e${exponent}`;
  return value < 0 || Object.is(value, -0) ? `-${literal}` : literal;
}

const PLAIN_PATH = /^(\.\.?)?(\/[A-Za-z0-9._+-]+)+$/;

function renderPath(node: NixPath): string {
  if (PLAIN_PATH.test(node.path)) return node.path;
  checkNixText(node.path, "path");
  // Not writable as a literal (spaces, quotes, a trailing slash...): base path + string.
  const m = /^(\.\.\/|\.\/|\/)(.*)$/s.exec(node.path) as RegExpExecArray;
  const base = m[1] === "/" ? "/." : m[1] === "./" ? "./." : "./..";
  return m[2] === "" ? base : `(${base} + ${quoteString(`/${m[2]}`)})`;
}

function commentLines(text: string, indent: string): string {
  checkNixText(text, "comment");
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => `${indent}#${line.trimEnd() === "" ? "" : ` ${line.trimEnd()}`}\n`)
    .join("");
}

/** Whether a rendered value must be parenthesised as a list element or function argument. */
function needsParens(value: NixValue): boolean {
  if (typeof value === "number") return value < 0 || Object.is(value, -0);
  if (!isNode(value)) return false;
  switch (value[NODE]) {
    case "call":
    case "function":
    case "plus":
      return true;
    case "float":
      return value.value < 0 || Object.is(value.value, -0);
    case "comment":
      return needsParens(value.value);
    default:
      return false;
  }
}

function renderOperand(value: NixValue, indent: string): string {
  const text = renderAt(value, indent);
  return needsParens(value) ? `(${text})` : text;
}

function renderNode(node: NixNode, indent: string): string {
  switch (node[NODE]) {
    case "indented":
      return fitsIndentedString(node.text) ? indentedString(node.text, indent) : quoteString(node.text);
    case "path":
      return renderPath(node);
    case "ref":
      return node.segments.join(".");
    case "call":
      return [renderNode(node.fn, indent), ...node.args.map((a) => renderOperand(a, indent))].join(" ");
    case "comment":
      return `\n${commentLines(node.text, indent)}${indent}${renderAt(node.value, indent)}`;
    case "function": {
      const all = [...node.params, ...(node.ellipsis ? ["..."] : [])];
      const head = all.length === 0 ? "{ }" : `{ ${all.join(", ")} }`;
      return `${head}:\n${indent}${renderAt(node.body, indent)}`;
    }
    case "float":
      return renderFloat(node.value);
    case "plus":
      return `${renderOperand(node.left, indent)} + ${renderOperand(node.right, indent)}`;
  }
}

function renderAttrs(attrs: NixAttrs, indent: string): string {
  const names = Object.keys(attrs);
  if (names.length === 0) return "{ }";
  const inner = indent + STEP;
  const lines = names.map((name) => {
    let value = attrs[name];
    let before = "";
    while (isNode(value) && value[NODE] === "comment") {
      before += commentLines(value.text, inner);
      value = value.value;
    }
    return `${before}${inner}${attrName(name)} = ${renderAt(value, inner)};\n`;
  });
  return `{\n${lines.join("")}${indent}}`;
}

function renderList(items: readonly NixValue[], indent: string): string {
  if (items.length === 0) return "[ ]";
  const inner = indent + STEP;
  return `[\n${items.map((item) => `${inner}${renderOperand(item, inner)}\n`).join("")}${indent}]`;
}

function renderAt(value: NixValue, indent: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return renderInteger(value);
    case "string":
      return quoteString(value);
    case "object":
      if (Array.isArray(value)) return renderList(value, indent);
      if (isNode(value)) return renderNode(value, indent);
      return renderAttrs(value as NixAttrs, indent);
    default:
      throw new NixBuildError(`a ${typeof value} cannot be rendered as Nix`);
  }
}

/** The Nix source of `value`, ending with a newline. */
export function render(value: NixValue): string {
  // A top-level comment needs no blank line before it.
  return `${renderAt(value, "").replace(/^\n/, "")}\n`;
}
