import * as assert from "assert";
import fc from "fast-check";
import { appDefinition } from "../../../sdk/apps/catalog";
import { parseSiteConfig } from "../../../sdk/config";
import {
  HOOK_POINTS,
  hookDocument,
  hookProblems,
  maskSecrets,
  withHooks,
  type MigrationHook,
} from "../../../sdk/migration/hooks";
import { afterFailure, planMigration, type MigrationItem } from "../../../sdk/migration/plan";
import type { DatacenterSide } from "../../../sdk/migration/sides";

const items: MigrationItem[] = appDefinition("pixelfed").state.map((state) => ({ app: "photos", state }));
const plan = (keepSource = false) =>
  planMigration({ site: "s", source: "dc-a", target: "dc-b", items, ttl: 3600, switchTtl: 60, keepSource });
const hook = (name: string, at: MigrationHook["at"], extra: Partial<MigrationHook> = {}): MigrationHook => ({
  name,
  at,
  run: ["true"],
  ...extra,
});
const side = (name: string): DatacenterSide => ({
  name,
  address: "127.0.0.9",
  ssh: { host: "127.0.0.9", port: 22, user: "root", knownHostsPath: "/k" },
  zfsRoot: `${name.replace("-", "")}/s`,
  postgres: { host: "127.0.0.9", port: 5432, user: "sovereign" },
  garage: { s3Endpoint: "http://g", adminUrl: "http://a", region: "garage" },
});

describe("migration hooks (pure)", () => {
  it("places each point where its documentation says, on the right side", () => {
    const steps = withHooks(
      plan(),
      HOOK_POINTS.map((at) => hook(`h-${at}`, at)),
    ).steps;
    const ids = steps.map((s) => s.id);
    const at = (id: string) => ids.indexOf(id);
    assert.strictEqual(at("hook:before-stop:h-before-stop"), at("stop-writes") - 1);
    assert.strictEqual(at("hook:before-backup:h-before-backup"), at("stop-writes") + 1);
    assert.ok(at("hook:before-backup:h-before-backup") < ids.findIndex((id) => id.startsWith("final-sync")));
    assert.strictEqual(at("hook:after-restore:h-after-restore"), at("switch-dns") - 1);
    assert.ok(
      at("hook:after-restore:h-after-restore") >
        ids.length - 1 - [...ids].reverse().findIndex((id) => id.startsWith("verify")),
    );
    assert.strictEqual(at("hook:after-switch:h-after-switch"), at("switch-dns") + 1);
    assert.strictEqual(at("hook:after-start:h-after-start"), at("start-target") + 1);
    const window = steps.filter((s) => s.inWriteWindow).map((s) => s.id);
    assert.ok(window.includes("hook:before-backup:h-before-backup"));
    assert.ok(window.includes("hook:after-restore:h-after-restore"));
    assert.ok(!window.includes("hook:before-stop:h-before-stop"));
    assert.ok(steps.find((s) => s.id === "hook:before-stop:h-before-stop")!.description.includes("at dc-a"));
    assert.ok(steps.find((s) => s.id === "hook:after-start:h-after-start")!.description.includes("at dc-b"));
  });

  it("property: hooks only add steps, keep the plan's order, and a hook failing before the switch restarts a stopped source", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ name: fc.constantFrom("a", "b", "c"), at: fc.constantFrom(...HOOK_POINTS) }),
          {
            selector: (h) => `${h.at}:${h.name}`,
            maxLength: 6,
          },
        ),
        fc.boolean(),
        (raw, keep) => {
          const base = plan(keep);
          const hooks = raw.map((h) => hook(h.name, h.at));
          const hooked = withHooks(base, hooks);
          assert.deepStrictEqual(
            hooked.steps.filter((s) => s.kind !== "hook"),
            base.steps,
          );
          assert.strictEqual(hooked.steps.length, base.steps.length + hooks.length);
          const ids = hooked.steps.map((s) => s.id);
          for (const h of hooked.steps.filter((s) => s.kind === "hook")) {
            const i = ids.indexOf(h.id);
            const outcome = afterFailure(hooked, { completed: ids.slice(0, i) }, h.id);
            const beforeSwitch = i < ids.indexOf("switch-dns");
            assert.strictEqual(outcome.restartSource, beforeSwitch && i > ids.indexOf("stop-writes"));
            if (!beforeSwitch) assert.deepStrictEqual(outcome.progress.completed, ids.slice(0, i));
          }
        },
      ),
    );
  });

  it("no steps, no hooks: a migration to the same datacenter stays empty", () => {
    const same = planMigration({
      site: "s",
      source: "dc-a",
      target: "dc-a",
      items,
      ttl: 60,
      switchTtl: 5,
      keepSource: false,
    });
    assert.deepStrictEqual(withHooks(same, [hook("x", "after-start")]).steps, []);
  });

  it("the document holds the items of the hook's app, both sides without credentials, and only named secrets", () => {
    const doc = hookDocument({
      site: "s",
      hook: hook("flush", "before-backup", { app: "photos", secrets: ["sovereign:tok"] }),
      plan: { source: "dc-a", target: "dc-b" },
      source: side("dc-a"),
      target: side("dc-b"),
      items: [...items, { app: "other", state: items[0].state }],
      dns: { zone: "s.example.", names: ["web1.s.example."] },
      secrets: { "sovereign:tok": "t0ken-value" },
    });
    assert.deepStrictEqual(doc.migration, { from: "dc-a", to: "dc-b", runsAt: "dc-a" });
    assert.deepStrictEqual(new Set(doc.items.map((i) => i.app)), new Set(["photos"]));
    const db = doc.items.find((i) => i.kind === "database")!;
    assert.deepStrictEqual([db.source, db.target], ["s_photos_pixelfed", "s_photos_pixelfed"]);
    assert.ok(doc.items.find((i) => i.kind === "directory")!.target.startsWith("dcb/s/"));
    assert.deepStrictEqual(doc.secrets, { "sovereign:tok": "t0ken-value" });
    assert.strictEqual(maskSecrets("got t0ken-value twice t0ken-value", doc.secrets), "got *** twice ***");
  });

  it("problems name the field and the fix", () => {
    const problems = hookProblems(
      "hooks",
      [
        { name: "Bad", at: "during", run: [] },
        { name: "ok", at: "after-start", run: ["x"], app: "nope", on: "elsewhere", secrets: ["plain"] },
        { name: "ok", at: "after-start", run: ["x"] },
      ],
      ["photos"],
    );
    for (const expected of [
      /hooks\[0\]\.name must be lowercase/,
      /hooks\[0\]\.at "during" must be one of before-backup/,
      /hooks\[0\]\.run must be a non-empty argv list/,
      /hooks\[1\]\.app "nope" is not one of the site's apps \(photos\)/,
      /hooks\[1\]\.on must be "source" or "target"/,
      /hooks\[1\]\.secrets must list stack config keys/,
      /hooks\[2\]\.name "ok" is used twice at after-start/,
    ])
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${String(expected)} in ${problems.join("; ")}`,
      );
    assert.deepStrictEqual(
      hookProblems("hooks", [hook("fine", "after-switch", { app: "photos" })], ["photos"]),
      [],
    );
  });

  it("the site config validates migration.hooks with clear errors", () => {
    const site = (hooks: unknown) => ({
      name: "s",
      domain: "s.example",
      datacenter: "dc-a",
      dns: { endpoint: "local" },
      hosts: [{ name: "web1", kind: "existing", address: "127.0.10.1" }],
      apps: [{ app: "edumeet", host: "web1" }],
      externalServices: ["oidc"],
      migration: { hooks },
    });
    const ok = parseSiteConfig(site([{ name: "flush", at: "before-backup", run: ["sync"], app: "edumeet" }]));
    assert.deepStrictEqual(ok.migration?.hooks, [
      { name: "flush", at: "before-backup", run: ["sync"], app: "edumeet" },
    ]);
    assert.throws(
      () => parseSiteConfig(site([{ name: "flush", at: "later", run: ["sync"] }])),
      /site\.migration\.hooks\[0\]\.at.*must be one of before-backup/s,
    );
    assert.throws(
      () => parseSiteConfig(site([{ name: "flush", at: "after-start", run: ["sync"], app: "chat" }])),
      /site\.migration\.hooks\[0\]\.app.*not one of the site's apps \(edumeet\)/s,
    );
    assert.throws(
      () => parseSiteConfig(site([{ name: "flush", at: "after-start", run: [] }])),
      /site\.migration\.hooks\[0\]\.run.*must not be empty/s,
    );
  });
});
