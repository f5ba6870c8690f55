import * as assert from "assert";
import * as fc from "fast-check";
import {
  appIds,
  chooseApp,
  editDistance,
  nearestAppId,
  placementProblems,
  severeThreatWarnings,
  type PlacementApp,
} from "../../../sdk/apps";

function problemsOf(run: (sink: { add(field: string, message: string): void }) => void): string[] {
  const out: string[] = [];
  run({ add: (field, message) => out.push(`${field}: ${message}`) });
  return out;
}

describe("app policy", () => {
  it("refuses an open-core app naming it, the reason with its source, and the alternative", () => {
    const choice = chooseApp("gitlab");
    assert.ok(!choice.ok);
    assert.match(
      choice.message,
      /^"gitlab" \(GitLab\) is refused: open core: .*\[https:\/\/about\.gitlab\.com\/stewardship\/\]; use app "forgejo" instead$/,
    );
    const dovecot = chooseApp("Dovecot");
    assert.ok(!dovecot.ok && /Postfix \+ Cyrus IMAP \+ Cyrus SASL/.test(dovecot.message));
  });

  it("suggests the nearest catalog id for an unknown one", () => {
    for (const [typo, meant] of [
      ["matrx", "matrix"],
      ["nextclod", "nextcloud"],
      ["peertub", "peertube"],
      ["keyclaok", "keycloak"],
      ["forgejoo", "forgejo"],
    ]) {
      const choice = chooseApp(typo);
      assert.ok(!choice.ok);
      assert.match(choice.message, new RegExp(`did you mean "${meant}"\\?`));
    }
  });

  it("property: every id is its own nearest id, and one deleted letter still finds it", () => {
    fc.assert(
      fc.property(fc.constantFrom(...appIds), fc.nat(), (id, n) => {
        assert.strictEqual(nearestAppId(id), id);
        const at = n % id.length;
        const typo = id.slice(0, at) + id.slice(at + 1);
        assert.strictEqual(nearestAppId(typo), id, `"${typo}"`);
      }),
    );
  });

  it("property: edit distance is a metric on small strings", () => {
    const word = fc.string({ maxLength: 8 });
    fc.assert(
      fc.property(word, word, word, (a, b, c) => {
        assert.strictEqual(editDistance(a, a), 0);
        assert.strictEqual(editDistance(a, b), editDistance(b, a));
        assert.ok(editDistance(a, c) <= editDistance(a, b) + editDistance(b, c));
      }),
    );
  });

  it("warns about severe threats of the apps a site runs, naming the instance and the source", () => {
    const warnings = severeThreatWarnings([
      { name: "video", app: "peertube" },
      { name: "git", app: "forgejo" },
    ]);
    assert.strictEqual(warnings.length, 1);
    assert.match(
      warnings[0],
      /^app "video" \(PeerTube\): severe threat: storage .*\[https:\/\/github\.com\/Chocobozzz\/PeerTube\/issues\/5783\]$/,
    );
  });

  describe("placement", () => {
    const hosts = [{ name: "small", memoryMiB: 512 }, { name: "big", memoryMiB: 16384 }, { name: "unknown" }];
    const place = (apps: PlacementApp[], external: ("smtp" | "postgresql")[] = []): string[] =>
      problemsOf((sink) => placementProblems(hosts, apps, external, sink));

    it("refuses an app on a host with less memory than its minimum; unknown memory is not checked", () => {
      const problems = place([
        { name: "matrix", app: "matrix", host: "small", domain: "coop.example" },
        { name: "db", app: "postgresql", host: "unknown" },
        { name: "mail", app: "mail", host: "big" },
      ]);
      assert.deepStrictEqual(problems, [
        'site.apps[0].host: "small" has 512 MiB of memory but Matrix (Synapse) needs at least 2000 MiB; place it on a larger host or raise the host\'s memoryMiB',
      ]);
    });

    it("requires a domain for a federating app", () => {
      const problems = place([{ name: "social", app: "mastodon", host: "big" }], ["postgresql", "smtp"]);
      assert.ok(
        problems.some((p) => /^site\.apps\[0\]\.domain: Mastodon federates \(activitypub\)/.test(p)),
        problems.join("\n"),
      );
    });

    it("names each dependency the site lacks and how to provide it", () => {
      const problems = place([{ name: "cloud", app: "nextcloud", host: "big" }]);
      assert.deepStrictEqual(
        problems.map((p) =>
          p.replace(/^site\.apps\[0\]\.app: Nextcloud needs (\w+) but the site has none; .*$/, "$1"),
        ),
        ["postgresql", "smtp", "objectStorage"],
      );
      assert.ok(problems[2].includes('add app "garage"'));
    });

    it("counts core services the site runs and external services as provided", () => {
      const problems = place(
        [
          { name: "cloud", app: "nextcloud", host: "big" },
          { name: "db", app: "postgresql", host: "big" },
          { name: "s3", app: "garage", host: "big" },
        ],
        ["smtp"],
      );
      assert.deepStrictEqual(problems, []);
    });
  });
});
