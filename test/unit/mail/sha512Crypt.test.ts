import * as assert from "assert";
import { execFileSync } from "child_process";
import fc from "fast-check";
import { sha512Crypt } from "../../../sdk/mail/sha512Crypt";

/** The reference: OpenSSL's own SHA-512-crypt (what crypt(3) on the mail host computes too). */
const openssl = (password: string, salt: string): string =>
  execFileSync("openssl", ["passwd", "-6", "-salt", salt, "-stdin"], {
    input: password,
    encoding: "utf8",
  }).trim();

describe("sha512Crypt", () => {
  it("gives OpenSSL's hash for any password and salt (including long and non-ASCII passwords)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 80 }).filter((p) => !/[\r\n]/.test(p)),
        fc.stringMatching(/^[./0-9A-Za-z]{1,16}$/),
        (password, salt) => assert.strictEqual(sha512Crypt(password, salt), openssl(password, salt)),
      ),
      { numRuns: 25 },
    );
  });

  it("differs for another salt, so equal passwords do not give equal hashes", () => {
    assert.notStrictEqual(sha512Crypt("same", "saltA"), sha512Crypt("same", "saltB"));
  });

  it("refuses a salt crypt(3) would misread", () => {
    assert.throws(() => sha512Crypt("x", "has$dollar"), /salt must be 1-16 characters/);
    assert.throws(() => sha512Crypt("x", "a".repeat(17)), /salt must be 1-16 characters/);
  });
});
