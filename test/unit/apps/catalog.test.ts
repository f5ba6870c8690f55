import * as assert from "assert";
import { appDefinition, appIds } from "../../../sdk/apps/catalog";
import { refusal } from "../../../sdk/apps/refused";

describe("app catalog", () => {
  it("covers every app the cooperative offers", () => {
    const expected = ["nextcloud", "forgejo", "hedgedoc", "edumeet", "webmail", "documents", "planning"];
    const fedi = ["matrix", "mastodon", "pixelfed", "peertube", "owncast", "castopod"];
    assert.deepStrictEqual([...appIds].sort(), [...expected, ...fedi].sort());
  });

  it("gives every app a complete SWOT entry, a licence and a unique subdomain", () => {
    const subdomains = new Set<string>();
    for (const id of appIds) {
      const app = appDefinition(id);
      for (const part of ["strengths", "weaknesses", "opportunities", "threats"] as const) {
        assert.ok(app.swot[part].length > 0, `${id} has no ${part}`);
      }
      assert.ok(app.license.length > 0, `${id} has no licence`);
      assert.ok(!subdomains.has(app.defaultSubdomain), `${id} reuses subdomain ${app.defaultSubdomain}`);
      subdomains.add(app.defaultSubdomain);
      assert.strictEqual(refusal(id), undefined, `${id} is both offered and refused`);
    }
  });
});
