import * as assert from "assert";
import { planMailboxes } from "../../../sdk/mail/mailboxes";
import { cyrusQuotasKiB, openDkimTables, postfixVirtualAliases } from "../../../sdk/mail/serverTables";

describe("mail server tables", () => {
  const { plan } = planMailboxes("example.org", {
    mailboxes: [{ address: "Alice", quota: "1M" }, { address: "bob" }],
    aliases: [{ address: "postmaster", to: ["alice", "ext@example.net"] }],
    catchAll: "bob",
  });
  it("maps mailboxes to themselves before the catch-all, so it does not swallow them", () => {
    assert.strictEqual(
      postfixVirtualAliases("example.org", plan),
      [
        "alice@example.org alice@example.org",
        "bob@example.org bob@example.org",
        "postmaster@example.org alice@example.org,ext@example.net",
        "@example.org bob@example.org",
        "",
      ].join("\n"),
    );
    const noCatchAll = planMailboxes("example.org", { mailboxes: [{ address: "a" }] }).plan;
    assert.strictEqual(postfixVirtualAliases("example.org", noCatchAll), "\n");
  });
  it("gives Cyrus quotas in KiB and OpenDKIM one key for the domain", () => {
    assert.deepStrictEqual(cyrusQuotasKiB(plan), { "alice@example.org": 1024 });
    assert.deepStrictEqual(openDkimTables("example.org", "s1", "/keys/s1.private"), {
      keyTable: "s1._domainkey.example.org example.org:s1:/keys/s1.private\n",
      signingTable: "*@example.org s1._domainkey.example.org\n",
    });
  });
});
