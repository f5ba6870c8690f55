import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { providerAt, providerSpecifier } from "../../../providers/shared/moduleLocation";

/** What the dynamic-provider host stores per resource and runs: the serialized provider object. */
async function serialized(p: pulumi.dynamic.ResourceProvider): Promise<string> {
  return (await pulumi.runtime.serializeFunction(() => p, { allowSecrets: false })).text;
}

describe("providerAt: the provider object serialized into every resource's state", () => {
  it("stays under 2 KiB per resource, even for the longest specifier in the tree", async () => {
    const longest = providerSpecifier("keycloak/roleMappingProvider-with-a-longer-name");
    const text = await serialized(providerAt(longest));
    assert.ok(Buffer.byteLength(text) < 2048, `${Buffer.byteLength(text)} bytes:\n${text}`);
    assert.ok(!text.includes(os.homedir()) && !text.includes(process.cwd()), "no machine path in the state");
  });

  it("hands each call of the dynamic-provider host to the method of the same name, also after deserialization", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-at-"));
    const impl = path.join(dir, "impl.js");
    fs.writeFileSync(
      impl,
      ["configure", "check", "diff", "create", "read", "update", "delete"]
        .map((m) => `exports.${m} = async (...a) => ({ method: "${m}", args: a.length });`)
        .join("\n"),
    );
    try {
      // The host's own Config class: what `configure` receives.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Config } = require("@pulumi/pulumi/cmd/dynamic-provider/config") as {
        Config: new (raw: Record<string, string>, project: string) => pulumi.dynamic.Config;
      };
      const original = providerAt(impl);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const requireFromString = require("require-from-string") as (code: string) => { handler(): unknown };
      const revived = requireFromString(
        await serialized(original),
      ).handler() as Required<pulumi.dynamic.ResourceProvider>;
      for (const p of [original as Required<pulumi.dynamic.ResourceProvider>, revived]) {
        const calls = [
          await p.configure({ config: new Config({}, "proj") }),
          await p.create({ config: { nested: "an input named config is still an input" } }),
          await p.check({}, { a: 1 }),
          await p.read("id-1", { a: 1 }),
          await p.diff("id-1", { a: 1 }, { a: 2 }),
          await p.delete("id-1", { a: 1 }),
          await p.update("id-1", { a: 1 }, { a: 2 }),
        ] as unknown as { method: string; args: number }[];
        assert.deepStrictEqual(
          calls.map((c) => `${c.method}/${c.args}`),
          ["configure/1", "create/1", "check/2", "read/2", "diff/3", "delete/2", "update/3"],
        );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
