/**
 * A small, safe Nix expression model. Values are plain data (null, booleans, integers, strings,
 * arrays, plain objects) or one of the tagged nodes below; nothing is ever pasted in as raw text,
 * so a string from a user always comes out of the renderer as the same string.
 */

/** Any value the renderer accepts. Plain objects become attribute sets (keys are quoted when needed). */
export type NixValue = null | boolean | number | string | readonly NixValue[] | NixNode | NixAttrs;

/** A Nix attribute set: attribute names to values (rendered in sorted order). */
export interface NixAttrs {
  readonly [name: string]: NixValue;
}

/**
 * A Nix expression node the renderer knows beyond plain JSON values: strings, calls, paths, functions,
 * ...
 */
export type NixNode =
  NixIndentedString | NixPath | NixRef | NixCall | NixComment | NixFunction | NixFloat | NixPlus;

/** The tag that marks a node (plain objects are attribute sets). */
export const NODE: unique symbol = Symbol.for("sovereign.nix.node") as never;

interface Tagged<K extends string> {
  /** The kind of node (a symbol key, so nodes never clash with attribute sets). */
  readonly [NODE]: K;
}

/** A multi-line string rendered as `'' ... ''` when that keeps it exact, else as a quoted string. */
export interface NixIndentedString extends Tagged<"indented"> {
  /** The string's text, rendered as a Nix indented string ('' ... ''). */
  readonly text: string;
}

/** A path literal (`./modules/x.nix`, `/etc/nixos/hardware.nix`). */
export interface NixPath extends Tagged<"path"> {
  /** The path, e.g. "./hardware-configuration.nix". */
  readonly path: string;
}

/** A reference to a variable or attribute path in scope (`pkgs.hello`, `lib.mkForce`, `config`). */
export interface NixRef extends Tagged<"ref"> {
  /** The dotted name's parts, e.g. ["pkgs", "hello"]. */
  readonly segments: readonly string[];
}

/** Function application: `fn arg1 arg2` (each argument parenthesised when needed). */
export interface NixCall extends Tagged<"call"> {
  /** The function called. */
  readonly fn: NixRef;
  /** Its arguments, in order. */
  readonly args: readonly NixValue[];
}

/** A value with `#` comment lines before it (in an attribute set: before its name). */
export interface NixComment extends Tagged<"comment"> {
  /** The comment's text (rendered before the value). */
  readonly text: string;
  /** The commented value. */
  readonly value: NixValue;
}

/** `{ a, b, ... }: body` — the shape of a NixOS module. */
export interface NixFunction extends Tagged<"function"> {
  /** The names of the attribute-set pattern, e.g. ["config", "pkgs"]. */
  readonly params: readonly string[];
  /** Whether the pattern ends with "..." (accepts other attributes). */
  readonly ellipsis: boolean;
  /** The function's body. */
  readonly body: NixValue;
}

/** A float; plain JS numbers must be integers (Nix would turn `1.0` into an int otherwise). */
export interface NixFloat extends Tagged<"float"> {
  /** The number, always rendered with a decimal point. */
  readonly value: number;
}

/** `left + right` (string or path concatenation, e.g. `modulesPath + "/profiles/qemu-guest.nix"`). */
export interface NixPlus extends Tagged<"plus"> {
  /** The left operand. */
  readonly left: NixValue;
  /** The right operand. */
  readonly right: NixValue;
}

/** A Nix expression that cannot be built (an attribute name or value Nix cannot hold). */
export class NixBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NixBuildError";
  }
}

const IDENT = /^[a-zA-Z_][a-zA-Z0-9_'-]*$/;
const KEYWORDS = new Set(["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"]);

/** Whether a name can be written bare (as an attribute name or variable). */
export function isIdentifier(name: string): boolean {
  return IDENT.test(name) && !KEYWORDS.has(name);
}

/** Whether `value` is a Nix node (rather than a plain JSON value). */
export function isNode(value: unknown): value is NixNode {
  return typeof value === "object" && value !== null && NODE in value;
}

/** A multi-line string: rendered as a Nix indented string ('' ... '') when `text` fits one, otherwise as a quoted string. */
export function indented(text: string): NixIndentedString {
  return { [NODE]: "indented", text };
}

/** A path literal. Relative paths start with `./` or `../`; absolute ones with `/`. */
export function path(p: string): NixPath {
  if (!/^(\.\.?\/|\/)/.test(p)) {
    throw new NixBuildError(`path "${p}" must start with "./", "../" or "/" (for a name, use a string)`);
  }
  if (p.includes("\0")) throw new NixBuildError(`path "${p.replace(/\0/g, "\\0")}" contains a NUL byte`);
  return { [NODE]: "path", path: p };
}

/** `ref("pkgs", "hello")` or `ref("pkgs.hello")`. Every segment must be an identifier. */
export function ref(...segments: string[]): NixRef {
  const parts = segments.flatMap((s) => s.split("."));
  for (const part of parts) {
    if (!isIdentifier(part)) {
      throw new NixBuildError(
        `"${segments.join(".")}" is not a variable path: "${part}" is not a Nix identifier (letters, digits, _ ' -)`,
      );
    }
  }
  if (parts.length === 0) throw new NixBuildError("a reference needs at least one name");
  return { [NODE]: "ref", segments: parts };
}

/**
 * A function call, e.g. call("lib.mkForce", true) renders `lib.mkForce true`. A string `fn` is split at
 * dots; throws a NixBuildError when a part is not a Nix identifier.
 */
export function call(fn: NixRef | string, ...args: NixValue[]): NixCall {
  return { [NODE]: "call", fn: typeof fn === "string" ? ref(fn) : fn, args };
}

/** `lib.mkForce value`: wins over every other definition of the option. */
export const mkForce = (value: NixValue): NixCall => call("lib.mkForce", value);
/** `lib.mkDefault value`: a default the site's own modules may override. */
export const mkDefault = (value: NixValue): NixCall => call("lib.mkDefault", value);
/** `lib.mkOverride priority value`. */
export function mkOverride(priority: number, value: NixValue): NixCall {
  if (!Number.isInteger(priority) || priority < 0) {
    throw new NixBuildError(`mkOverride priority ${priority} must be a whole number >= 0`);
  }
  return call("lib.mkOverride", priority, value);
}

/** `value` with a comment before it in the rendered Nix. */
export function comment(text: string, value: NixValue): NixComment {
  return { [NODE]: "comment", text, value };
}

/** A function with an attribute-set pattern, e.g. fn(["pkgs"], body) renders `{ pkgs, ... }: body`. */
export function fn(params: readonly string[], body: NixValue, ellipsis = true): NixFunction {
  for (const p of params) {
    if (!isIdentifier(p)) throw new NixBuildError(`function parameter "${p}" is not a Nix identifier`);
  }
  return { [NODE]: "function", params, ellipsis, body };
}

/** A NixOS module: `{ config, lib, pkgs, ... }: body`. */
export const nixosModule = (body: NixValue, params: readonly string[] = ["config", "lib", "pkgs"]) =>
  fn(params, body, true);

/**
 * A float, written with full precision. (Nix 2.8 itself prints floats with 6 significant digits in
 * `--eval --json` and `toString`; the value it computes with is the exact one written here.)
 */
export function float(value: number): NixFloat {
  if (!Number.isFinite(value))
    throw new NixBuildError(`${value} is not a finite number; Nix has no NaN/Infinity`);
  if (value !== 0 && Math.abs(value) < 2.2250738585072014e-308) {
    throw new NixBuildError(
      `${value} is too close to zero for Nix's float parser (subnormal); use 0 or a string`,
    );
  }
  return { [NODE]: "float", value };
}

/** `left + right` (Nix's `+`: string or path concatenation, number addition). */
export function plus(left: NixValue, right: NixValue): NixPlus {
  return { [NODE]: "plus", left, right };
}

type Mutable = { [name: string]: NixValue };

function isPlainAttrs(value: NixValue | undefined): value is NixAttrs {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isNode(value);
}

/**
 * Builds nested attribute sets from option paths: `{ "services.nginx.enable": true }` becomes
 * `{ services = { nginx = { enable = true; }; }; }`. Two paths that set the same option, or set
 * both a value and something inside it, are refused with both paths named.
 */
export function attrsFromPaths(entries: Iterable<readonly [string, NixValue]>): NixAttrs {
  const root: Mutable = {};
  const setBy = new Map<string, string>();
  for (const [dotted, value] of entries) {
    const parts = splitOptionPath(dotted);
    let cursor = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const prefix = parts.slice(0, i + 1).join(".");
      const existing = cursor[parts[i]];
      if (existing === undefined) cursor[parts[i]] = {};
      else if (!isPlainAttrs(existing) || setBy.has(prefix)) {
        throw new NixBuildError(`option "${dotted}" is inside "${prefix}", which is already set to a value`);
      }
      cursor = cursor[parts[i]] as Mutable;
    }
    const last = parts[parts.length - 1];
    if (cursor[last] !== undefined) {
      throw new NixBuildError(`option "${dotted}" is set twice; merge the two values into one`);
    }
    cursor[last] = value;
    setBy.set(dotted, dotted);
  }
  return root;
}

/** "services.nginx.virtualHosts.\"a.b\".root" → ["services", "nginx", "virtualHosts", "a.b", "root"]. */
export function splitOptionPath(dotted: string): string[] {
  const parts: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^."]+)/gy;
  let pos = 0;
  while (pos < dotted.length) {
    re.lastIndex = pos;
    const m = re.exec(dotted);
    if (!m) break;
    parts.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]);
    pos = re.lastIndex;
    if (pos === dotted.length) break;
    if (dotted[pos] !== ".") break;
    pos++;
    if (pos === dotted.length) {
      pos = -1;
      break;
    }
  }
  if (pos !== dotted.length || parts.length === 0) {
    throw new NixBuildError(
      `option path "${dotted}" is malformed; write names separated by "." and quote names with dots ("a.b")`,
    );
  }
  return parts;
}
