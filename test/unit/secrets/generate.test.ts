import * as assert from "assert";
import * as crypto from "crypto";
import * as fc from "fast-check";
import {
  checkSecretInputs,
  ed25519PublicFromSeed,
  generateSecret,
  type Ed25519Outputs,
  type RandomOutputs,
  type RsaOutputs,
} from "../../../providers/secrets/generate";

describe("built-in secret generation (Node crypto)", () => {
  it("random: 32 bytes as 64 hex characters, different each time", () => {
    const a = generateSecret({ kind: "random" }) as RandomOutputs;
    const b = generateSecret({ kind: "random" }) as RandomOutputs;
    assert.match(a.value, /^[0-9a-f]{64}$/);
    assert.notStrictEqual(a.value, b.value);
  });

  it("ed25519: a Synapse key id, a seed that signs and a public key that verifies", () => {
    const k = generateSecret({ kind: "ed25519" }) as Ed25519Outputs;
    assert.match(k.keyId, /^a_[A-Za-z0-9]{4}$/);
    assert.match(k.seed, /^[A-Za-z0-9+/]{43}$/, "32 bytes, unpadded base64");
    assert.match(k.publicKey, /^[A-Za-z0-9+/]{43}$/);
    assert.strictEqual(ed25519PublicFromSeed(k.seed), k.publicKey);
    const der = Buffer.concat([
      Buffer.from("302e020100300506032b657004220420", "hex"),
      Buffer.from(k.seed, "base64"),
    ]);
    const priv = crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    const sig = crypto.sign(null, Buffer.from("hello"), priv);
    const pub = crypto.createPublicKey({
      key: Buffer.concat([
        Buffer.from("302a300506032b6570032100", "hex"),
        Buffer.from(k.publicKey, "base64"),
      ]),
      format: "der",
      type: "spki",
    });
    assert.ok(crypto.verify(null, Buffer.from("hello"), pub, sig));
  });

  it("rsa: PKCS#8 private and SPKI public PEM of the asked size", () => {
    const k = generateSecret({ kind: "rsa", size: 2048 }) as RsaOutputs;
    assert.match(k.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.match(k.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
    assert.strictEqual(crypto.createPublicKey(k.publicKeyPem).asymmetricKeyDetails?.modulusLength, 2048);
  });

  it("check names the field and the fix", () => {
    assert.deepStrictEqual(checkSecretInputs({ kind: "dsa" as never }), [
      { property: "kind", reason: '"dsa" is not one of random, ed25519, rsa' },
    ]);
    assert.deepStrictEqual(checkSecretInputs({ kind: "rsa", size: 1024 }), [
      { property: "size", reason: "1024 bits: use 2048, 3072 or 4096" },
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 256 }), (size) => {
        assert.deepStrictEqual(checkSecretInputs({ kind: "random", size }), []);
      }),
    );
  });
});
