import * as assert from "assert";
import {
  configKeyProblem,
  configure,
  MissingCredentialError,
  requireCredential,
  setStackConfigForTests,
} from "../../../providers/shared/credentials";

describe("shared credentials (stack config through configure)", () => {
  afterEach(() => setStackConfigForTests(undefined));

  it("returns what configure received, by full key", async () => {
    await configure({ config: { get: (k) => ({ "sovereign:powerdnsApiKey": "k1" })[k] } });
    assert.strictEqual(requireCredential("sovereign:powerdnsApiKey", "the PowerDNS API key"), "k1");
  });

  it("a missing key says the exact command that sets it", () => {
    setStackConfigForTests({});
    assert.throws(
      () => requireCredential("sovereign:powerdnsApiKey", "the PowerDNS API key"),
      (e: Error) =>
        e instanceof MissingCredentialError &&
        e.message.includes(
          'the PowerDNS API key is not set: the stack config has no "sovereign:powerdnsApiKey"',
        ) &&
        e.message.includes("pulumi config set --secret sovereign:powerdnsApiKey <value>"),
    );
  });

  it("checks config key names", () => {
    assert.strictEqual(configKeyProblem("apiKeyConfig", "sovereign:dc2PowerdnsKey"), undefined);
    assert.match(
      configKeyProblem("apiKeyConfig", "powerdnsApiKey") ?? "",
      /must name a stack config key such as/,
    );
  });
});
