import * as assert from "assert";
import fc from "fast-check";
import * as nix from "../../../sdk/nix";

describe("nix expressions: pure rules", () => {
  it("option paths split and quote back to the same names", () => {
    const name = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes("\0"));
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 5 }), (names) => {
        const dotted = names
          .map((n) => (/^[^."\\]+$/.test(n) ? n : `"${n.replace(/["\\]/g, "\\$&")}"`))
          .join(".");
        assert.deepStrictEqual(nix.splitOptionPath(dotted), names);
      }),
    );
  });

  it("refuses malformed option paths naming them", () => {
    for (const bad of ["", "a.", ".a", "a..b", 'a."b']) {
      assert.throws(() => nix.splitOptionPath(bad), /option path .* is malformed/, bad);
    }
  });

  it("rendering is deterministic and never leaves an unescaped ${ in a string", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!s.includes("\0") && !/[\uD800-\uDFFF]/.test(s));
        const out = nix.quoteString(s);
        assert.strictEqual(out, nix.quoteString(s));
        assert.ok(!/(^|[^\\])(\\\\)*\$\{/.test(out.slice(1, -1)), out);
      }),
    );
  });

  it("the indented form is used only for multi-line text that survives it", () => {
    assert.strictEqual(nix.fitsIndentedString("one line"), false);
    assert.strictEqual(nix.fitsIndentedString("  all\n  indented\n"), false);
    assert.strictEqual(nix.fitsIndentedString("a\n   \nb"), false);
    assert.strictEqual(nix.fitsIndentedString("a\r\nb"), false);
    assert.strictEqual(nix.fitsIndentedString("a\n  b\n"), true);
  });
});
