import * as assert from "assert";
import fc from "fast-check";
import { planMailboxes, MailboxesArgs } from "../../../sdk/mail/mailboxes";
import { parseAddress, parseQuota, MIB } from "../../../sdk/mail/addresses";

const D = "example.org";
const problems = (a: MailboxesArgs): string[] =>
  planMailboxes(D, a).problems.map((p) => `${p.field}: ${p.message}`);

describe("mailboxes, aliases and catch-all", () => {
  it("resolves aliases through each other to mailboxes and outside addresses", () => {
    const r = planMailboxes(D, {
      mailboxes: [
        { address: "alice", quota: "2G" },
        { address: "Bob@Example.ORG", quota: 5 * MIB },
        { address: "carol" },
      ],
      aliases: [
        { address: "postmaster", to: ["alice"] },
        { address: "abuse", to: ["postmaster", "bob", "ext@example.net"] },
      ],
      catchAll: "abuse",
    });
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(r.plan.mailboxes, [
      { address: "alice@example.org", quotaBytes: 2 * 1024 * MIB },
      { address: "Bob@example.org", quotaBytes: 5 * MIB },
      { address: "carol@example.org" },
    ]);
    assert.deepStrictEqual(r.plan.delivery, {
      "postmaster@example.org": ["alice@example.org"],
      "abuse@example.org": ["alice@example.org", "bob@example.org", "ext@example.net"],
      "@example.org": ["alice@example.org", "bob@example.org", "ext@example.net"],
    });
  });

  it("refuses every bad input with its field and the fix", () => {
    assert.deepStrictEqual(problems({ mailboxes: [{ address: "al ice" }] }), [
      `mailboxes[0].address: "al ice": "al ice" is not a plain local part: use letters, digits and ._+- (no spaces, quotes or leading/trailing/double dots)`,
    ]);
    assert.match(
      problems({ mailboxes: [{ address: "a@exa_mple..org" }] })[0],
      /^mailboxes\[0\]\.address: .*empty label/,
    );
    assert.match(
      problems({ mailboxes: [{ address: "a@example.net" }] })[0],
      /not in example\.org; write "a" or "a@example\.org"/,
    );
    assert.deepStrictEqual(problems({ mailboxes: [{ address: "a", quota: "512K" }] }), [
      `mailboxes[0].quota: 512K is below 1 MiB; give at least "1M" (or leave quota out for none)`,
    ]);
    assert.match(
      problems({ mailboxes: [{ address: "a", quota: "lots" }] })[0],
      /mailboxes\[0\]\.quota: "lots" is not a size/,
    );
    assert.deepStrictEqual(
      problems({ mailboxes: [{ address: "a" }], aliases: [{ address: "b", to: ["nobody"] }] }),
      [
        "aliases[0].to[0]: nobody@example.org is neither a mailbox nor an alias of example.org; add it to mailboxes or correct the name",
      ],
    );
    assert.match(
      problems({ mailboxes: [{ address: "a" }], catchAll: "ghost" })[0],
      /^catchAll: ghost@example\.org is neither/,
    );
    assert.deepStrictEqual(
      problems({
        mailboxes: [{ address: "a" }],
        aliases: [
          { address: "x", to: ["y"] },
          { address: "y", to: ["z", "a"] },
          { address: "z", to: ["x"] },
        ],
      }),
      [
        "aliases[2].to: alias loop x@example.org -> y@example.org -> z@example.org -> x@example.org: mail would circle forever; point one of them at a mailbox",
      ],
    );
    assert.match(
      problems({ mailboxes: [{ address: "a" }], aliases: [{ address: "a", to: ["a"] }] })[0],
      /already a mailbox/,
    );
    assert.match(
      problems({ aliases: [{ address: "s", to: ["s"] }] })[0],
      /alias loop s@example\.org -> s@example\.org/,
    );
  });

  it("finds a loop in any alias cycle, and none in an acyclic alias graph", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 7 }), (n, back) => {
        // A chain a0 -> a1 -> ... -> a(n-1) -> box; closing it back to a(back) makes a cycle.
        const aliases = Array.from({ length: n }, (_, i) => ({
          address: `a${i}`,
          to: [i + 1 < n ? `a${i + 1}` : "box"],
        }));
        const acyclic = planMailboxes(D, { mailboxes: [{ address: "box" }], aliases });
        assert.deepStrictEqual(acyclic.problems, []);
        for (let i = 0; i < n; i++)
          assert.deepStrictEqual(acyclic.plan.delivery[`a${i}@example.org`], ["box@example.org"]);
        const b = back % n;
        const cyclic = aliases.map((a, i) => (i === n - 1 ? { ...a, to: [`a${b}`] } : a));
        const loops = planMailboxes(D, { mailboxes: [{ address: "box" }], aliases: cyclic }).problems;
        assert.strictEqual(loops.length, 1, JSON.stringify(loops));
        assert.match(loops[0].message, /^alias loop /);
      }),
    );
  });

  it("parses addresses and quotas", () => {
    assert.deepStrictEqual(parseAddress("x@Bücher.Example."), {
      ok: true,
      value: { local: "x", domain: "xn--bcher-kva.example" },
    });
    assert.strictEqual(parseAddress(".x@example.org").ok, false);
    assert.strictEqual(parseAddress(`${"a".repeat(65)}@example.org`).ok, false);
    assert.deepStrictEqual(parseQuota("1M"), { ok: true, bytes: MIB });
    assert.deepStrictEqual(parseQuota("1.5GiB"), { ok: true, bytes: 1536 * MIB });
    assert.strictEqual(parseQuota(MIB - 1).ok, false);
  });
});
