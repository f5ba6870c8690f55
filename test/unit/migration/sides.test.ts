import * as assert from "assert";
import * as fc from "fast-check";
import { databaseName } from "../../../sdk/migration/sides";

describe("migration: where a site's data lives at a datacenter", () => {
  it("names a database by site, app and name, so two sites on one shared cluster never meet", () => {
    assert.strictEqual(databaseName("ams1", "matrix", "synapse"), "ams1_matrix_synapse");
    assert.strictEqual(databaseName("Coop-2", "pixel-fed", "main"), "coop_2_pixel_fed_main");
    assert.notStrictEqual(
      databaseName("a", "pixelfed", "pixelfed"),
      databaseName("b", "pixelfed", "pixelfed"),
    );
  });

  it("stays a valid PostgreSQL name of at most 63 bytes, and distinct inputs stay distinct (property)", () => {
    const part = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,40}$/);
    fc.assert(
      fc.property(part, part, part, part, (site1, site2, app, name) => {
        const [n1, n2] = [databaseName(site1, app, name), databaseName(site2, app, name)];
        for (const n of [n1, n2]) assert.match(n, /^[a-z0-9_]{1,63}$/);
        const raw = (site: string) => `${site}_${app}_${name}`.replace(/-/g, "_");
        if (raw(site1) !== raw(site2)) assert.notStrictEqual(n1, n2);
      }),
    );
  });
});
