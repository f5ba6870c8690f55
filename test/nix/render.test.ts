/**
 * Nix rendering checked by real Nix: every rendered expression goes through
 * `nix-instantiate --parse`, and pure data through `--eval --strict --json`, which must give back
 * the value that was rendered.
 */
import * as assert from "assert";
import fc from "fast-check";
import * as path from "path";
import * as nix from "../../sdk/nix";
import { nixEvalJson, nixParse, nixWorkDir } from "../harness/nix";

/** Strings that have broken Nix generators: quotes, `${`, `''`, backslashes, newlines, Unicode. */
export const HARD_STRINGS: readonly string[] = [
  "",
  " ",
  '"',
  '""',
  "\\",
  "\\\\",
  '\\"',
  "${",
  "${x}",
  "$${x}",
  "\\${x}",
  "$",
  "$$",
  "a$",
  "${}",
  "}",
  "''",
  "'''",
  "'${x}",
  "''${x}",
  "'''${x}",
  "''\\n",
  "it's",
  "end'",
  "end''",
  "\n",
  "\n\n",
  "line1\nline2",
  "line1\nline2\n",
  "\r\n",
  "\t",
  "  indented\n    more\n",
  "  all lines indented\n  here\n",
  "trailing spaces   \nx",
  "spaces only line\n   \nafter",
  "\x01\x1f\x7f",
  "ünïcödé ✓ 日本語 🦀",
  "\u200b\u2028\u2029",
  "/* not a comment */",
  "# not a comment",
  "let x = 1; in x",
  "{ a = 1; }",
  'with builtins; abort "x"',
  "\\n is not a newline",
  "$\\{x}",
  "'''\n''${\n'''${x}''\n",
  "multi\n'quoted'\n${interp}\n\\back\\slash\n",
  "server {\n  listen 80;\n  root '/srv/www';\n}\n",
  "#!/bin/sh\necho \"${HOME}\" '$x' ''\n",
  "key = ''value''\nother='\n",
  "tab\tinside\nline'",
];

function roundTrip(value: nix.NixValue): unknown {
  return nixEvalJson(nix.render(value));
}

describe("nix rendering: the escaping table (real nix-instantiate)", function () {
  this.timeout(120_000);

  it(`has at least 30 hard strings (${HARD_STRINGS.length})`, () => {
    assert.ok(HARD_STRINGS.length >= 30);
  });

  it("every hard string, quoted, evaluates to itself", () => {
    assert.deepStrictEqual(roundTrip([...HARD_STRINGS]), HARD_STRINGS);
  });

  it("every hard string as a multi-line string evaluates to itself (indented form where it fits)", () => {
    const values = HARD_STRINGS.map((s) => nix.indented(s));
    assert.deepStrictEqual(roundTrip(values), HARD_STRINGS);
    const usedIndented = HARD_STRINGS.filter((s) => nix.fitsIndentedString(s));
    assert.ok(usedIndented.length >= 8, `only ${usedIndented.length} strings used the '' form`);
    for (const s of usedIndented) assert.ok(nix.render(nix.indented(s)).startsWith("''"), JSON.stringify(s));
  });

  it("every hard string as an attribute name evaluates to itself", () => {
    const attrs = Object.fromEntries(HARD_STRINGS.map((s, i) => [s, i]));
    assert.deepStrictEqual(roundTrip(attrs), attrs);
  });

  it("every hard string in a comment leaves the value intact", () => {
    const values = HARD_STRINGS.map((s, i) => nix.comment(s, { [`v${i}`]: nix.comment(s, i) }));
    assert.deepStrictEqual(
      roundTrip(values),
      HARD_STRINGS.map((_, i) => ({ [`v${i}`]: i })),
    );
  });

  it("every hard string as a path segment resolves to that path", () => {
    const segments = HARD_STRINGS.filter((s) => s !== "" && !s.includes("/") && s !== "." && s !== "..");
    const paths = segments.map((s) => nix.call("builtins.toString", nix.path(`/srv/${s}`)));
    assert.deepStrictEqual(
      roundTrip(paths),
      segments.map((s) => `/srv/${s}`),
    );
    const relative = nix.call("builtins.toString", nix.path("./a b/c"));
    const file = nixEvalJson(nix.render(relative));
    assert.strictEqual(file, path.join(nixWorkDir(), "a b/c"));
  });

  it("refuses what no Nix string can hold, naming it", () => {
    assert.throws(() => nix.render("a\0b"), /NUL byte/);
    assert.throws(() => nix.render("\uD800"), /lone surrogate/);
    assert.throws(() => nix.render(1.5), /nix\.float/);
    assert.throws(() => nix.render(2 ** 60), /not a whole number Nix can hold/);
    assert.throws(() => nix.float(5e-324), /subnormal/);
    assert.throws(() => nix.float(NaN), /not a finite number/);
    assert.throws(() => nix.ref("pkgs", "my package"), /"my package" is not a Nix identifier/);
    assert.throws(() => nix.path("relative/x"), /must start with/);
  });
});

describe("nix rendering: values, wrappers and modules (real nix-instantiate)", function () {
  this.timeout(120_000);

  it("scalars, negative numbers and floats evaluate to themselves", () => {
    const value = {
      t: true,
      f: false,
      n: null,
      zero: 0,
      neg: -42,
      big: Number.MAX_SAFE_INTEGER,
      small: Number.MIN_SAFE_INTEGER,
      list: [-1, 0, 1, [-2, [-3]], {}],
      floats: [nix.float(0.5), nix.float(-1.25), nix.float(3), nix.float(1024)],
    };
    assert.deepStrictEqual(roundTrip(value), {
      ...value,
      floats: [0.5, -1.25, 3, 1024],
    });
  });

  it("nested option paths build nested attribute sets", () => {
    const attrs = nix.attrsFromPaths([
      ["services.nginx.enable", true],
      ['services.nginx.virtualHosts."cloud.coop.example".root', "/srv"],
      ["networking.hostName", "web1"],
    ]);
    assert.deepStrictEqual(roundTrip(attrs), {
      services: { nginx: { enable: true, virtualHosts: { "cloud.coop.example": { root: "/srv" } } } },
      networking: { hostName: "web1" },
    });
    assert.throws(
      () =>
        nix.attrsFromPaths([
          ["a.b", 1],
          ["a.b", 2],
        ]),
      /option "a.b" is set twice/,
    );
    assert.throws(
      () =>
        nix.attrsFromPaths([
          ["a.b", 1],
          ["a.b.c", 2],
        ]),
      /"a.b.c" is inside "a.b", which is already set/,
    );
  });

  it("mkForce/mkDefault/mkOverride, imports and a module function parse", () => {
    const module = nix.nixosModule({
      imports: [nix.path("./hardware-configuration.nix"), nix.path("./site modules/extra.nix")],
      networking: { hostName: nix.mkForce("web1"), firewall: { allowedTCPPorts: nix.mkDefault([22, 443]) } },
      boot: { isContainer: nix.mkOverride(10, true) },
      environment: {
        systemPackages: [nix.ref("pkgs.git"), nix.call("pkgs.callPackage", nix.path("./x.nix"), {})],
      },
      users: nix.comment("*/ tricky comment ${x} ''", { mutableUsers: false }),
    });
    const parsed = nixParse(nix.render(module));
    assert.ok(parsed.ok, parsed.stderr);
  });

  it("a module applied to a stub lib evaluates the wrappers' arguments unchanged", () => {
    const module = nix.nixosModule({ a: nix.mkForce(HARD_STRINGS[10]), b: nix.mkOverride(50, [-1]) }, [
      "lib",
    ]);
    const source = `(${nix.render(module)}) { lib = { mkForce = v: { force = v; }; mkOverride = p: v: { inherit p v; }; }; }`;
    assert.deepStrictEqual(nixEvalJson(source), { a: { force: HARD_STRINGS[10] }, b: { p: 50, v: [-1] } });
  });
});

// ---- property tests: arbitrary values, checked by real Nix in batches ----

const UNICODE = fc.string({ unit: "grapheme-composite", maxLength: 12 });
const HARD_PIECES = ["'", "''", "$", "{", "}", "${", "\\", '"', "\n", "\t", " ", "a", "\r", "#", "/*"];
const HARD = fc.array(fc.constantFrom(...HARD_PIECES), { maxLength: 14 }).map((p) => p.join(""));
const TEXT = fc.oneof(HARD, UNICODE, fc.constantFrom(...HARD_STRINGS));

const DATA: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    TEXT,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(TEXT, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** Nix attribute sets are sorted by name; JSON comparison must not depend on key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

describe("nix rendering: property tests (fast-check, real nix-instantiate)", function () {
  this.timeout(300_000);

  it("any JSON-like value evaluates back to itself", () => {
    fc.assert(
      fc.property(fc.array(DATA, { minLength: 1, maxLength: 40 }), (values) => {
        const evaluated = roundTrip(values as nix.NixValue[]);
        assert.deepStrictEqual(canonical(evaluated), canonical(values));
      }),
      { numRuns: 25 },
    );
  });

  it("any text rendered as a multi-line string evaluates back to itself", () => {
    const lines = fc.array(
      fc.tuple(
        fc.constantFrom("", "x", "'", "$", "a b"),
        HARD.map((s) => s.replace(/[\r\n]/g, "")),
      ),
      { minLength: 1, maxLength: 6 },
    );
    const multiline = fc
      .tuple(lines, fc.boolean())
      .map(([ls, nl]) => ls.map(([a, b]) => a + b).join("\n") + (nl ? "\n" : ""));
    fc.assert(
      fc.property(fc.array(fc.oneof(multiline, HARD), { minLength: 1, maxLength: 40 }), (texts) => {
        assert.deepStrictEqual(roundTrip(texts.map((t) => nix.indented(t))), texts);
      }),
      { numRuns: 25 },
    );
  });

  it("any expression with calls, references, comments, paths and functions parses", () => {
    const name = fc.stringMatching(/^[a-z][a-zA-Z0-9_-]{0,8}$/).filter((s) => nix.isIdentifier(s));
    const seg = fc
      .stringMatching(/^[^/\0]{1,10}$/)
      .filter((s) => s !== "." && s !== ".." && !/[\uD800-\uDFFF]/.test(s));
    const expr: fc.Arbitrary<nix.NixValue> = fc.letrec<{ e: nix.NixValue }>((tie) => ({
      e: fc.oneof(
        { depthSize: "small" },
        DATA as fc.Arbitrary<nix.NixValue>,
        fc.array(name, { minLength: 1, maxLength: 3 }).map((s) => nix.ref(...s)),
        fc
          .tuple(fc.array(name, { minLength: 1, maxLength: 2 }), fc.array(tie("e"), { maxLength: 3 }))
          .map(([f, a]) => nix.call(nix.ref(...f), ...a)),
        fc.tuple(TEXT, tie("e")).map(([t, e]) => nix.comment(t, e)),
        fc
          .tuple(fc.constantFrom("/", "./", "../"), fc.array(seg, { maxLength: 3 }))
          .map(([b, s]) => nix.path(b + s.join("/"))),
        fc.tuple(fc.array(name, { maxLength: 3 }), tie("e")).map(([p, b]) => nix.fn([...new Set(p)], b)),
        tie("e").map((e) => nix.mkForce(e)),
        fc.tuple(tie("e"), tie("e")).map(([l, r]) => nix.plus(l, r)),
        fc
          .tuple(
            fc.integer({ min: -5, max: 5 }),
            fc
              .double({ noNaN: true, noDefaultInfinity: true })
              .filter((d) => d === 0 || Math.abs(d) >= 2.2250738585072014e-308),
          )
          .map(([i, d]) => [i, nix.float(d)]),
        fc.dictionary(TEXT, tie("e"), { maxKeys: 3 }),
        fc.array(tie("e"), { maxLength: 3 }),
      ),
    })).e;
    fc.assert(
      fc.property(fc.array(expr, { minLength: 1, maxLength: 30 }), (exprs) => {
        // Nix's parser reports unbound variables; `with builtins;` makes the generated names dynamic.
        const source = `with builtins;\n${nix.render(exprs)}`;
        const parsed = nixParse(source);
        assert.ok(parsed.ok, `${parsed.stderr}\n--- source ---\n${source}`);
      }),
      { numRuns: 25 },
    );
  });
});
