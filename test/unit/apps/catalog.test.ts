import * as assert from "assert";
import * as fc from "fast-check";
import {
  appDefinition,
  appIds,
  entryProblems,
  refusal,
  refusedCatalog,
  SWOT_QUADRANTS,
  type AppDefinition,
} from "../../../sdk/apps";

describe("app catalog", () => {
  it("covers every app of the seed plus the core services", () => {
    const apps = ["nextcloud", "forgejo", "hedgedoc", "edumeet", "webmail", "documents", "planning"];
    const fedi = ["matrix", "mastodon", "pixelfed", "peertube", "owncast", "castopod"];
    const core = ["keycloak", "mail", "postgresql", "garage"];
    assert.deepStrictEqual([...appIds].sort(), [...apps, ...fedi, ...core].sort());
    assert.strictEqual(appDefinition("webmail").category, "core");
    for (const id of fedi) assert.ok(appDefinition(id as never).federation.length > 0, `${id} federates`);
  });

  it("walks every entry: no missing field, at least two sourced SWOT points per quadrant", () => {
    const problems = appIds.flatMap((id) => entryProblems(appDefinition(id)));
    assert.deepStrictEqual(problems, []);
  });

  it("the walk catches an unsourced SWOT point, a thin quadrant and missing state", () => {
    const base = appDefinition("matrix");
    const broken: AppDefinition = {
      ...base,
      swot: {
        ...base.swot,
        strengths: [{ text: "fast", source: "" }, base.swot.strengths[1]],
        opportunities: [base.swot.opportunities[0]],
      },
      state: [],
    };
    const problems = entryProblems(broken);
    assert.ok(
      problems.some((p) => /swot\.strengths\[0\] \("fast"\) has no source/.test(p)),
      problems.join("\n"),
    );
    assert.ok(problems.some((p) => /swot\.opportunities needs at least 2 points/.test(p)));
    assert.ok(problems.some((p) => /state is empty/.test(p)));
  });

  it("names the system user that owns an OIDC app's delivered secrets, and the walk refuses a missing or bad one", () => {
    assert.deepStrictEqual(appDefinition("forgejo").systemUser, {
      user: "forgejo",
      group: "forgejo",
      source: "NixOS/nixpkgs nixos/modules/services/misc/forgejo.nix",
    });
    const { systemUser: _dropped, ...withoutUser } = appDefinition("forgejo");
    assert.ok(
      entryProblems(withoutUser).some((p) =>
        /^forgejo: systemUser is required for an app with a confidential OIDC client/.test(p),
      ),
    );
    const badUser: AppDefinition = {
      ...appDefinition("hedgedoc"),
      systemUser: { user: "Hedge Doc", group: "hedgedoc", source: "" },
    };
    const problems = entryProblems(badUser);
    assert.ok(problems.some((p) => /systemUser\.user "Hedge Doc" is not a system account name/.test(p)));
    assert.ok(problems.some((p) => /systemUser\.source is required/.test(p)));
  });

  it("gives every app a unique default subdomain and never offers a refused app", () => {
    const subdomains = appIds.map((id) => appDefinition(id).defaultSubdomain);
    assert.strictEqual(new Set(subdomains).size, subdomains.length);
    for (const id of appIds) assert.strictEqual(refusal(id), undefined, `${id} is both offered and refused`);
  });

  it("refuses GitLab, Dovecot and Zimbra with a sourced reason and catalog alternatives", () => {
    const expected: Record<string, string[]> = {
      gitlab: ["forgejo"],
      dovecot: ["mail"],
      zimbra: ["mail", "webmail", "nextcloud"],
    };
    for (const [id, alternative] of Object.entries(expected)) {
      const r = refusal(id.toUpperCase());
      assert.ok(r, id);
      assert.match(r.reason, /^open core/);
      assert.match(r.source, /^https:\/\//);
      assert.deepStrictEqual(r.alternative, alternative);
    }
    for (const r of refusedCatalog()) {
      for (const alt of r.alternative) assert.ok((appIds as string[]).includes(alt), `${r.id} -> ${alt}`);
    }
  });

  it("declares, for each piece of state, a replication strategy and what to stop for the final copy", () => {
    fc.assert(
      fc.property(fc.constantFrom(...appIds), (id) => {
        for (const s of appDefinition(id).state) {
          if (s.kind === "bucket") assert.strictEqual(s.strategy, "s3-copy");
          if (s.kind === "database") assert.strictEqual(s.strategy, "db-streaming-replication");
          assert.ok(s.stopForFinalCopy.length > 0);
        }
      }),
    );
  });

  it("quadrants are the four SWOT ones", () => {
    assert.deepStrictEqual([...SWOT_QUADRANTS], ["strengths", "weaknesses", "opportunities", "threats"]);
  });
});
