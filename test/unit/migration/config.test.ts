import * as assert from "assert";
import { parseSiteConfig, SiteConfigError } from "../../../sdk/config";

const site = (extra: Record<string, unknown> = {}) => ({
  name: "local",
  domain: "coop.example",
  datacenter: "dc-a",
  dns: { endpoint: "local" },
  hosts: [{ name: "web1", kind: "existing", address: "192.0.2.10" }],
  ...extra,
});

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseSiteConfig(raw);
  } catch (e) {
    assert.ok(e instanceof SiteConfigError, String(e));
    return e.problems;
  }
  return assert.fail("expected the config to be rejected");
}

describe("site config: datacenter, standby and migration", () => {
  it("defaults to retiring the source and a 60 s switch TTL", () => {
    assert.deepStrictEqual(parseSiteConfig(site()).migration, { keepSource: false, switchTtl: 60 });
    assert.strictEqual(parseSiteConfig(site()).standby, undefined);
  });

  it("reads standby and migration settings", () => {
    const parsed = parseSiteConfig(site({ standby: "dc-b", migration: { keepSource: true, switchTtl: 30 } }));
    assert.strictEqual(parsed.standby, "dc-b");
    assert.deepStrictEqual(parsed.migration, { keepSource: true, switchTtl: 30 });
  });

  it("refuses a standby equal to the datacenter and a bad switch TTL, naming the fields", () => {
    const problems = problemsOf(site({ standby: "dc-a", migration: { switchTtl: 1, keepSorce: true } }));
    assert.ok(
      problems.some((p) => /^site\.standby: is the same datacenter/.test(p)),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) => /^site\.migration\.switchTtl: must be at least 5/.test(p)),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) => /keepSorce.*keepSource/.test(p)),
      problems.join("\n"),
    );
  });
});
