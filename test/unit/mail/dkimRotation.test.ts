import * as assert from "assert";
import fc from "fast-check";
import { dkimState, planDkimRotation, DkimArgs } from "../../../sdk/mail/dkimRotation";
import { dkimKeyProblem } from "../../../sdk/dns/mail";
import { generateKeyPairSync } from "crypto";

const now = new Date("2026-11-26T12:00:00Z");
const fields = (a: DkimArgs): string[] => dkimState(a, now).problems.map((p) => p.field);

describe("DKIM selectors and rotation", () => {
  it("publishes selectors until their retire time or explicit retire", () => {
    const s = dkimState(
      {
        selectors: [
          { selector: "s2025", retired: true },
          { selector: "s2026a", retireAt: "2026-11-26T11:59:59Z" },
          { selector: "s2026b", retireAt: "2026-12-31T00:00:00Z" },
          { selector: "s2026c" },
        ],
        signWith: "s2026c",
      },
      now,
    );
    assert.deepStrictEqual(s.problems, []);
    assert.deepStrictEqual(s.state, { published: ["s2026b", "s2026c"], signing: "s2026c" });
  });

  it("refuses bad selectors, weak keys and signing with a selector that is going away", () => {
    assert.deepStrictEqual(fields({ selectors: [{ selector: "s_1" }], signWith: "s_1" }), [
      "dkim.selectors[0].selector",
    ]);
    assert.deepStrictEqual(fields({ selectors: [{ selector: "a".repeat(64) }], signWith: "a".repeat(64) }), [
      "dkim.selectors[0].selector",
    ]);
    assert.deepStrictEqual(fields({ bits: 1024, selectors: [{ selector: "s1" }], signWith: "s1" }), [
      "dkim.bits",
    ]);
    assert.deepStrictEqual(fields({ selectors: [{ selector: "s1" }], signWith: "s2" }), ["dkim.signWith"]);
    assert.deepStrictEqual(fields({ selectors: [{ selector: "s1", retired: true }], signWith: "s1" }), [
      "dkim.signWith",
    ]);
    assert.deepStrictEqual(
      fields({ selectors: [{ selector: "s1", retireAt: "soon" }, { selector: "s2" }], signWith: "s2" }),
      ["dkim.selectors[0].retireAt"],
    );
  });

  it("refuses RSA public keys shorter than 2048 bits", () => {
    const key = (bits: number): string =>
      generateKeyPairSync("rsa", { modulusLength: bits })
        .publicKey.export({ type: "spki", format: "der" })
        .toString("base64");
    assert.match(
      dkimKeyProblem(key(1024), "rsa")!,
      /RSA key of 1024 bits is too short; generate one of at least 2048 bits/,
    );
    assert.strictEqual(dkimKeyProblem(key(2048), "rsa"), undefined);
    assert.match(dkimKeyProblem("QUJD", "rsa")!, /does not parse/);
  });

  it("never leaves the signing selector, or the one signing just before, unpublished", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 2, maxLength: 5 }), fc.boolean(), (names, withTime) => {
        const [next, ...current] = names;
        let cfg: DkimArgs = { selectors: current.map((selector) => ({ selector })), signWith: current[0] };
        const phases = planDkimRotation(cfg, next, withTime ? "2026-12-31T00:00:00Z" : undefined);
        assert.deepStrictEqual(
          phases.map((p) => p.phase),
          ["publish-new", "switch-signing", "retire-old"],
        );
        for (const { phase, dkim } of phases) {
          const before = dkimState(cfg, now).state;
          const after = dkimState(dkim, now);
          assert.deepStrictEqual(after.problems, [], phase);
          assert.ok(after.state.published.includes(after.state.signing), `${phase}: signer published`);
          // The selector that signs now was published in the step before (its record had time to spread).
          assert.ok(
            before.published.includes(after.state.signing) || phase === "publish-new",
            `${phase}: published first`,
          );
          if (phase !== "retire-old")
            assert.ok(after.state.published.includes(before.signing), `${phase}: old kept`);
          cfg = dkim;
        }
        assert.ok(!dkimState(cfg, now).state.published.includes(current[0]));
      }),
    );
  });
});
