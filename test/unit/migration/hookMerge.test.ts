import * as assert from "assert";
import fc from "fast-check";
import { appDefinition, appIds } from "../../../sdk/apps/catalog";
import { parseSiteConfig } from "../../../sdk/config";
import { hookProblems, HOOK_POINTS, withHooks, type MigrationHook } from "../../../sdk/migration/hooks";
import { mergeHooks, type AppHooks, type AppMigrationHook } from "../../../sdk/migration/hookMerge";
import { planMigration } from "../../../sdk/migration/plan";
import { migrationHooks } from "../../../sdk/site/siteMigration";

const hook = (name: string, at: MigrationHook["at"], extra: Partial<MigrationHook> = {}): MigrationHook => ({
  name,
  at,
  run: ["true"],
  ...extra,
});
const app = (
  instance: string,
  catalog: AppMigrationHook[],
  declared: AppMigrationHook[],
  i = 0,
): AppHooks => ({
  instance,
  catalog,
  catalogField: `catalog.${instance}.migrationHooks`,
  declared,
  declaredField: `site.apps[${i}].hooks`,
});

describe("mergeHooks: apps' hooks join the site's in a defined order", () => {
  it("at each point: each app's catalog hooks, then its declared ones, then the site's, then the program's", () => {
    const merged = mergeHooks({
      apps: [
        app("chat", [hook("flush", "before-backup")], [hook("notify", "before-backup")]),
        app("photos", [], [hook("flush", "before-backup")], 1),
      ],
      site: [hook("backup", "before-backup"), hook("check", "after-restore")],
      program: [hook("tell", "before-backup")],
    });
    assert.deepStrictEqual(merged.problems, []);
    assert.deepStrictEqual(
      merged.hooks.map((h) => `${h.at}:${h.name}:${h.app ?? "-"}`),
      [
        "before-backup:chat-flush:chat",
        "before-backup:chat-notify:chat",
        "before-backup:photos-flush:photos",
        "before-backup:backup:-",
        "after-restore:check:-",
        "before-backup:tell:-",
      ],
    );
    const items = appDefinition("pixelfed").state.map((state) => ({ app: "photos", state }));
    const plan = withHooks(
      planMigration({
        site: "s",
        source: "dc-a",
        target: "dc-b",
        items,
        ttl: 60,
        switchTtl: 5,
        keepSource: false,
      }),
      merged.hooks,
    );
    const hooks = plan.steps.filter((s) => s.kind === "hook").map((s) => s.id);
    assert.deepStrictEqual(hooks, [
      "hook:before-backup:chat-flush",
      "hook:before-backup:chat-notify",
      "hook:before-backup:photos-flush",
      "hook:before-backup:backup",
      "hook:before-backup:tell",
      "hook:after-restore:check",
    ]);
    assert.match(
      plan.steps.find((s) => s.id === "hook:before-backup:photos-flush")!.description,
      /\(photos\)/,
    );
  });

  it("two hooks making one step are refused at the later one's field, naming the first", () => {
    const merged = mergeHooks({
      apps: [app("chat", [hook("flush", "before-backup")], [], 2)],
      site: [hook("chat-flush", "before-backup")],
    });
    assert.deepStrictEqual(merged.problems, [
      {
        field: "site.migration.hooks[0].name",
        message:
          "makes the step hook:before-backup:chat-flush, as catalog.chat.migrationHooks[0] does; rename one of them",
      },
    ]);
  });

  it("a malformed app hook is refused naming its field; an app hook may not name another app", () => {
    const merged = mergeHooks({
      apps: [
        app(
          "chat",
          [],
          [{ name: "Bad", at: "later" as never, run: [] }, hook("x", "after-start", { app: "other" })],
          3,
        ),
      ],
      site: [],
    });
    const fields = merged.problems.map((p) => p.field);
    assert.deepStrictEqual(fields, [
      "site.apps[3].hooks[0].name",
      "site.apps[3].hooks[0].at",
      "site.apps[3].hooks[0].run",
      "site.apps[3].hooks[1].app",
    ]);
  });

  it("every hook is kept, once, whatever the sources (property)", () => {
    const hookArb = fc.record({
      name: fc.constantFrom("a", "b", "c"),
      at: fc.constantFrom(...HOOK_POINTS),
      run: fc.constant(["true"]),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(hookArb, { maxLength: 3 }), { maxLength: 3 }),
        fc.array(hookArb, { maxLength: 3 }),
        (apps, site) => {
          const merged = mergeHooks({ apps: apps.map((h, i) => app(`app${i}`, h, [], i)), site });
          return merged.hooks.length === apps.flat().length + site.length;
        },
      ),
    );
  });

  it("the catalog's hooks are well-formed", () => {
    for (const id of appIds)
      assert.deepStrictEqual(
        hookProblems(`catalog.${id}.migrationHooks`, appDefinition(id).migrationHooks),
        [],
      );
  });
});

describe("a site config's app declaration carries hooks", () => {
  const config = (apps: unknown[], hooks: unknown[] = []) => ({
    name: "s",
    domain: "s.example",
    datacenter: "dc-a",
    dns: { endpoint: "local" },
    hosts: [{ name: "web1", kind: "existing", address: "127.0.10.1" }],
    apps,
    externalServices: ["postgresql", "redis", "smtp", "objectStorage", "oidc"],
    migration: { hooks },
  });

  const pixelfed = (hooks: unknown[]) => ({ app: "pixelfed", host: "web1", domain: "s.example", hooks });

  it("merges them into the Migration's hooks, after the catalog's and before the site's", () => {
    const site = parseSiteConfig(
      config(
        [
          {
            app: "pixelfed",
            host: "web1",
            domain: "s.example",
            name: "photos",
            hooks: [{ name: "flush", at: "before-backup", run: ["sync"] }],
          },
        ],
        [{ name: "tell", at: "before-backup", run: ["true"] }],
      ),
    );
    assert.deepStrictEqual(
      migrationHooks(site).map((h) => `${h.name}:${h.app ?? "-"}`),
      ["photos-flush:photos", "tell:-"],
    );
  });

  it("refuses, naming the field, a malformed app hook or one that makes a site hook's step", () => {
    const refused = (apps: unknown[], hooks: unknown[] = []) =>
      assert.throws(() => parseSiteConfig(config(apps, hooks)));
    assert.throws(
      () => parseSiteConfig(config([pixelfed([{ name: "x", at: "sometime", run: ["true"] }])])),
      /site\.apps\[0\]\.hooks\[0\]\.at/,
    );
    assert.throws(
      () =>
        parseSiteConfig(
          config(
            [pixelfed([{ name: "flush", at: "before-stop", run: ["true"] }])],
            [{ name: "pixelfed-flush", at: "before-stop", run: ["true"] }],
          ),
        ),
      /site\.migration\.hooks\[0\]\.name: makes the step hook:before-stop:pixelfed-flush, as site\.apps\[0\]\.hooks\[0\] does/,
    );
    assert.throws(
      () => parseSiteConfig(config([pixelfed([{ name: "x", at: "after-start", run: ["true"], app: "y" }])])),
      /site\.apps\[0\]\.hooks\[0\]/,
    );
    refused([pixelfed([{ name: "x", at: "after-start", run: [] }])]);
  });
});
