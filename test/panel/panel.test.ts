/**
 * The panel API driven by a real HTTP client (Node's fetch): sites of a Pulumi project on the real
 * engine with their DNS on a real PowerDNS, the panel's own data in a real PostgreSQL. Every answer
 * is checked against the OpenAPI document, and none (nor the panel's log) holds a token or secret.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import { Client } from "pg";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { useService } from "../harness";
import { EngineEnv, makeEngineEnv, pulumiCommand } from "../harness/engine";
import { repoRoot } from "../harness/repo";
import { clientFor } from "../providers/powerdns/helpers";
import { createPanelServer } from "../../sdk/panel/server";
import { PanelStore } from "../../sdk/panel/store";
import { assertDocumented, assertSchema } from "./openapiCheck";

const SITE = "coop";

function siteConfig(apiUrl: string, hosts: [string, string][], ttl = 300) {
  return {
    name: SITE,
    domain: "panel.test",
    datacenter: "dc-a",
    protect: false,
    secrets: "builtin",
    dns: { endpoint: apiUrl, ttl, nameservers: ["ns1.panel.test."] },
    hosts: hosts.map(([name, address]) => ({ name, address, kind: "existing" })),
    apps: [],
  };
}

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

interface SseEvent {
  event: string;
  data: unknown;
}

describe("the panel API over the Automation API", function () {
  this.timeout(600_000);
  const pg = useService("postgres");
  const pdns = useService("powerdns");
  const netbox = useService("netbox", { timeoutMs: 30 * 60_000 });
  let engine: EngineEnv;
  let workDir: string;
  let store: PanelStore;
  let server: http.Server;
  let base: string;
  let stack: Stack;
  const tokens: Record<"alice" | "bob" | "victor", string> = { alice: "", bob: "", victor: "" };
  const seen: string[] = [];
  const logLines: string[] = [];

  const call = async (
    method: string,
    url: string,
    token: string | undefined,
    body?: string | object,
  ): Promise<Answer> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    seen.push(text);
    let parsed: unknown = text;
    if ((res.headers.get("content-type") ?? "").startsWith("application/json")) parsed = JSON.parse(text);
    return { status: res.status, body: parsed, text };
  };

  const sse = (text: string): SseEvent[] =>
    text
      .split("\n\n")
      .filter((block) => block.trim())
      .map((block) => {
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? "null";
        return { event, data: JSON.parse(data) as unknown };
      });

  const aRecords = async () =>
    ((await clientFor(pdns()).getZone("panel.test."))?.rrsets ?? [])
      .filter((r) => r.type === "A")
      .map((r) => `${r.name} ${r.records.map((x) => x.content).join(",")}`)
      .sort();

  before(async () => {
    const database = `panel_${process.pid}_${Date.now()}`;
    const admin = new Client({ connectionString: pg().connectionString });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    store = await PanelStore.open(pg().connectionString.replace(/\/[^/]*$/, `/${database}`));
    for (const [name, role] of [
      ["alice", "operator"],
      ["bob", "operator"],
      ["victor", "viewer"],
    ] as const)
      tokens[name] = (await store.addUser(name, role)).token;

    engine = makeEngineEnv("panel");
    const scratch = path.join(repoRoot(), ".state", "workspaces");
    fs.mkdirSync(scratch, { recursive: true });
    workDir = fs.mkdtempSync(path.join(scratch, "panel-"));
    const main = path.relative(workDir, path.join(repoRoot(), "bin", "test", "panel", "siteProgram.js"));
    fs.writeFileSync(
      path.join(workDir, "Pulumi.yaml"),
      stringify({ name: "panel-sites", runtime: "nodejs", main }),
    );
    const command = await pulumiCommand(engine);
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: SITE, workDir },
      { envVars: engine.env, pulumiCommand: command },
    );
    await stack.setConfig("sovereign:powerdnsApiKey", { value: pdns().apiKey, secret: true });
    await stack.setConfig("sovereign:site", {
      value: JSON.stringify(siteConfig(pdns().apiUrl, [["web1", "192.0.2.51"]])),
    });
    await stack.up({ color: "never" });
    // A second site, not deployed yet.
    await LocalWorkspace.createOrSelectStack(
      { stackName: "newsite", workDir },
      { envVars: engine.env, pulumiCommand: command },
    );

    server = createPanelServer({
      store,
      workDir,
      envVars: engine.env,
      pulumiCommand: command,
      log: (l) => logLines.push(l),
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server?.close();
    await stack?.destroy({ color: "never" }).catch(() => undefined);
    // The pool waits for leased connections; a failed test may leave one.
    await Promise.race([store?.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    engine?.cleanup();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("lists the sites with their config (secrets hidden) and outputs", async () => {
    const list = await call("GET", "/api/sites", tokens.victor);
    assert.strictEqual(list.status, 200, list.text);
    assertDocumented("GET", "/api/sites", 200, list.body);
    const sites = (
      list.body as {
        sites: { name: string; config: Record<string, unknown>; outputs: Record<string, unknown> }[];
      }
    ).sites;
    assert.deepStrictEqual(
      sites.map((s) => s.name),
      [SITE, "newsite"].sort(),
    );
    const coop = sites.find((s) => s.name === SITE)!;
    assert.strictEqual(coop.config["sovereign:powerdnsApiKey"], "[secret]");
    assert.strictEqual((coop.config["sovereign:site"] as { domain: string }).domain, "panel.test");
    assert.strictEqual(coop.outputs.zone, "panel.test.");
    const one = await call("GET", `/api/sites/${SITE}`, tokens.victor);
    assertDocumented("GET", "/api/sites/{site}", 200, one.body);
  });

  it("refuses bad input with a 4xx JSON error and applies nothing", async () => {
    const before = (await stack.history()).length;
    const site = siteConfig(pdns().apiUrl, [["web1", "192.0.2.51"]]);
    const cases: [string, Answer, number, string][] = [
      ["no token", await call("GET", "/api/sites", undefined), 401, "/api/sites"],
      ["a wrong token", await call("GET", "/api/sites", "svp_not-a-token"), 401, "/api/sites"],
      ["unknown site", await call("GET", "/api/sites/nosuch", tokens.victor), 404, "/api/sites/{site}"],
      [
        "unknown site's inventory",
        await call("GET", "/api/sites/nosuch/inventory", tokens.victor),
        404,
        "/api/sites/{site}/inventory",
      ],
      [
        "a site without an inventory section",
        await call("GET", `/api/sites/${SITE}/inventory`, tokens.victor),
        404,
        "/api/sites/{site}/inventory",
      ],
      [
        "malformed JSON",
        await call("POST", `/api/sites/${SITE}/changes`, tokens.alice, '{"site": {'),
        400,
        "/api/sites/{site}/changes",
      ],
      [
        "no site key",
        await call("POST", `/api/sites/${SITE}/changes`, tokens.alice, { hosts: [] }),
        400,
        "/api/sites/{site}/changes",
      ],
      [
        "unknown site",
        await call("POST", "/api/sites/nosuch/changes", tokens.alice, { site }),
        404,
        "/api/sites/{site}/changes",
      ],
      [
        "oversized body",
        await call("POST", `/api/sites/${SITE}/changes`, tokens.alice, {
          site,
          padding: "x".repeat(100 * 1024),
        }),
        413,
        "/api/sites/{site}/changes",
      ],
    ];
    for (const [what, answer, status, template] of cases) {
      assert.strictEqual(answer.status, status, `${what}: ${answer.text}`);
      assertDocumented(template.endsWith("changes") ? "POST" : "GET", template, status, answer.body);
      assert.ok(!/\n\s+at /.test(answer.text), `${what}: no stack trace`);
    }
    const invalid = await call("POST", `/api/sites/${SITE}/changes`, tokens.alice, {
      site: { ...site, hosts: [{ name: "web1", address: "not-an-address" }], hostz: [] },
    });
    assert.strictEqual(invalid.status, 422, invalid.text);
    assertDocumented("POST", "/api/sites/{site}/changes", 422, invalid.body);
    const keys = (invalid.body as { errors: { key: string; message: string }[] }).errors.map((e) => e.key);
    assert.ok(keys.includes("site.hostz"), keys.join(", "));
    assert.ok(keys.includes("site.hosts[0].address"), keys.join(", "));

    // Valid for the site config's checks, refused when the engine runs the site program: the
    // record's full name is longer than DNS allows, which the DNS component's check finds.
    const domain = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(48), "test"].join(".");
    const refused = await call("POST", `/api/sites/${SITE}/changes`, tokens.alice, {
      site: { ...siteConfig(pdns().apiUrl, [["webserver-number-one", "192.0.2.51"]]), domain },
    });
    assert.strictEqual(refused.status, 422, refused.text);
    assertDocumented("POST", "/api/sites/{site}/changes", 422, refused.body);
    assert.ok(!/\n\s+at /.test(refused.text), "no stack trace");
    assert.ok(!refused.text.includes(repoRoot()), "no path of the panel's machine");
    const engineErrors = refused.body as { code: string; errors: { key: string; message: string }[] };
    assert.strictEqual(engineErrors.code, "preview_failed");
    const nameError = engineErrors.errors.find((e) => /webserver-number-one/.test(e.message));
    assert.ok(nameError, refused.text);
    assert.strictEqual(nameError.key, "site");
    assert.match(nameError.message, /^DnsZone .*record name .* may have at most 253/s);
    // The site was not left locked by the refused preview.
    const busy = await store.lockSite(SITE, "preview", (await store.authenticate(tokens.alice))!);
    await busy.release("succeeded");

    assert.strictEqual((await stack.history()).length, before, "nothing was applied");
    assert.deepStrictEqual(await aRecords(), ["web1.panel.test. 192.0.2.51"]);
  });

  let changeId: string;

  it("proposes a change: the preview's summary and per-resource diff, nothing changed yet", async () => {
    const proposed = await call("POST", `/api/sites/${SITE}/changes`, tokens.victor, {
      site: siteConfig(pdns().apiUrl, [
        ["web1", "192.0.2.51"],
        ["web2", "192.0.2.52"],
      ]),
    });
    assert.strictEqual(proposed.status, 201, proposed.text);
    assertDocumented("POST", "/api/sites/{site}/changes", 201, proposed.body);
    const body = proposed.body as {
      id: string;
      preview: {
        changeSummary: Record<string, number>;
        resources: { urn: string; op: string; detailedDiff: Record<string, string> }[];
      };
    };
    // The zone's record collection is the one resource updated, and its diff names the new host's
    // A record set as added (the engine gets no detailed diff from a dynamic provider; the panel
    // derives it from the step's inputs).
    assert.strictEqual(body.preview.changeSummary.update, 1, JSON.stringify(body.preview));
    assert.strictEqual(body.preview.changeSummary.create, undefined, JSON.stringify(body.preview));
    const records = body.preview.resources.filter((r) => r.urn.endsWith("-zone-records"));
    assert.strictEqual(records.length, 1, JSON.stringify(body.preview.resources));
    assert.strictEqual(records[0].op, "update");
    assert.deepStrictEqual(records[0].detailedDiff, { 'rrsets["web2.panel.test. A"]': "add" });
    changeId = body.id;
    const stored = await call("GET", `/api/sites/${SITE}/changes/${changeId}`, tokens.victor);
    assertDocumented("GET", "/api/sites/{site}/changes/{change}", 200, stored.body);
    assert.deepStrictEqual(await aRecords(), ["web1.panel.test. 192.0.2.51"], "a preview changes nothing");
  });

  it("refuses a viewer's apply (403)", async () => {
    const refused = await call("POST", `/api/sites/${SITE}/changes/${changeId}/apply`, tokens.victor);
    assert.strictEqual(refused.status, 403, refused.text);
    assertDocumented("POST", "/api/sites/{site}/changes/{change}/apply", 403, refused.body);
  });

  it("applies with the engine's events streamed; a concurrent apply gets 409 naming who holds the site", async () => {
    const [a, b] = await Promise.all([
      call("POST", `/api/sites/${SITE}/changes/${changeId}/apply`, tokens.alice),
      call("POST", `/api/sites/${SITE}/changes/${changeId}/apply`, tokens.bob),
    ]);
    const statuses = [a.status, b.status].sort();
    assert.deepStrictEqual(statuses, [200, 409], `${a.text}\n${b.text}`);
    const [ok, busy] = a.status === 200 ? [a, b] : [b, a];
    const winner = a.status === 200 ? "alice" : "bob";
    assertDocumented("POST", "/api/sites/{site}/changes/{change}/apply", 409, busy.body);
    assert.strictEqual((busy.body as { heldBy: { user: string } }).heldBy.user, winner);
    assert.ok(
      (busy.body as { error: string }).error.includes(winner),
      (busy.body as { error: string }).error,
    );

    const events = sse(ok.text);
    for (const e of events.filter((x) => x.event === "engine")) assertSchema("EngineEvent", e.data);
    const resources = events.filter(
      (e) => e.event === "engine" && (e.data as { kind: string }).kind === "resource",
    );
    // The zone's record collection reports its step done, naming the new host's record set.
    assert.ok(
      resources.some((e) => {
        const d = e.data as { urn: string; phase: string; detailedDiff: Record<string, string> };
        return (
          d.urn.endsWith("-zone-records") &&
          d.phase === "done" &&
          d.detailedDiff['rrsets["web2.panel.test. A"]'] === "add"
        );
      }),
      `the new record's progress is streamed: ${JSON.stringify(resources.map((e) => e.data))}`,
    );
    const last = events[events.length - 1];
    assert.strictEqual(last.event, "result", ok.text.slice(-500));
    assertSchema("ApplyResult", last.data);
    assert.strictEqual((last.data as { result: string }).result, "succeeded");
    assert.deepStrictEqual(await aRecords(), ["web1.panel.test. 192.0.2.51", "web2.panel.test. 192.0.2.52"]);

    const again = await call("POST", `/api/sites/${SITE}/changes/${changeId}/apply`, tokens.alice);
    assert.strictEqual(again.status, 409, "an applied change is not applied twice");
  });

  it("reports the engine's own lock as 409, releases its own, and applies once the engine is free", async () => {
    const proposed = await call("POST", `/api/sites/${SITE}/changes`, tokens.alice, {
      site: siteConfig(
        pdns().apiUrl,
        [
          ["web1", "192.0.2.51"],
          ["web2", "192.0.2.52"],
        ],
        600,
      ),
    });
    assert.strictEqual(proposed.status, 201, proposed.text);
    const id = (proposed.body as { id: string }).id;
    // What another `pulumi up` of this stack holds while it runs (the local backend's lock file).
    const lockDir = path.join(engine.backendDir, ".pulumi", "locks", "organization", "panel-sites", SITE);
    fs.mkdirSync(lockDir, { recursive: true });
    fs.writeFileSync(
      path.join(lockDir, "ci-runner.json"),
      JSON.stringify({ pid: 4242, username: "ci", hostname: "runner", timestamp: new Date().toISOString() }),
    );
    const locked = await call("POST", `/api/sites/${SITE}/changes/${id}/apply`, tokens.alice);
    assert.strictEqual(locked.status, 409, locked.text);
    assertDocumented("POST", "/api/sites/{site}/changes/{change}/apply", 409, locked.body);
    assert.strictEqual((locked.body as { code: string }).code, "engine_locked");
    fs.rmSync(lockDir, { recursive: true, force: true });
    const applied = await call("POST", `/api/sites/${SITE}/changes/${id}/apply`, tokens.bob);
    assert.strictEqual(applied.status, 200, applied.text);
    assert.strictEqual(sse(applied.text).pop()?.event, "result", applied.text.slice(-500));
  });

  it("a panel that dies mid-operation frees the site (its lock goes with its database connection)", async () => {
    const [alice] = [await store.authenticate(tokens.alice)];
    const dying = await store.lockSite("newsite", "apply", alice!);
    try {
      const busy = await call("POST", "/api/sites/newsite/changes", tokens.bob, {
        site: { ...siteConfig(pdns().apiUrl, [["web9", "192.0.2.59"]]), name: "newsite" },
      });
      assert.strictEqual(busy.status, 409, busy.text);
      assert.strictEqual((busy.body as { heldBy: { user: string } }).heldBy.user, "alice");
      // The dying process's connection: the server ends it, as it does when the process is killed.
      const admin = new Client({ connectionString: pg().connectionString });
      await admin.connect();
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()",
      );
      await admin.end();
      const lease = await store.lockSite("newsite", "apply", (await store.authenticate(tokens.bob))!);
      await lease.release("succeeded");
    } finally {
      await dying.release("never reached"); // gives the pool back its dead connection
    }
  });

  it("shows the history: the engine's updates and who applied what", async () => {
    const history = await call("GET", `/api/sites/${SITE}/history`, tokens.victor);
    assert.strictEqual(history.status, 200, history.text);
    assertDocumented("GET", "/api/sites/{site}/history", 200, history.body);
    const body = history.body as {
      updates: { kind: string; result: string }[];
      audit: { user: string; action: string; result: string }[];
    };
    assert.strictEqual(body.updates.filter((u) => u.kind === "update" && u.result === "succeeded").length, 3);
    const applies = body.audit.filter((a) => a.action === "apply").map((a) => `${a.user}:${a.result}`);
    assert.ok(applies.includes("bob:succeeded"), applies.join(", "));
    assert.ok(
      applies.some((a) => a.endsWith(":failed")),
      `the refused apply is audited too: ${applies.join(", ")}`,
    );
  });

  it("reads a site's inventory from the real NetBox, as the OpenAPI document describes it", async () => {
    const command = await pulumiCommand(engine);
    const inv = await LocalWorkspace.createOrSelectStack(
      { stackName: "inv", workDir },
      { envVars: engine.env, pulumiCommand: command },
    );
    try {
      await inv.setConfig("sovereign:powerdnsApiKey", { value: pdns().apiKey, secret: true });
      await inv.setConfig("sovereign:netboxToken", { value: netbox().token, secret: true });
      const config = {
        ...siteConfig(pdns().apiUrl, [
          ["db1", "192.0.2.71"],
          ["web1", "192.0.2.72"],
        ]),
        name: "inv",
        domain: "inv.panel.test",
        dns: { endpoint: pdns().apiUrl, ttl: 300, nameservers: ["ns1.inv.panel.test."] },
        inventory: { provider: "netbox", url: netbox().url },
      };
      await inv.setConfig("sovereign:site", { value: JSON.stringify(config) });
      const up = await inv.up({ color: "never" });
      assert.strictEqual(up.summary.result, "succeeded");

      const answer = await call("GET", "/api/sites/inv/inventory", tokens.victor);
      assert.strictEqual(answer.status, 200, answer.text);
      assertDocumented("GET", "/api/sites/{site}/inventory", 200, answer.body);
      const body = answer.body as {
        site: { slug: string; owner?: string };
        vms: { name: string; interfaces: { addresses: string[] }[] }[];
      };
      assert.strictEqual(body.site.slug, "inv");
      assert.ok(body.site.owner?.includes("inv"), `the site records its owner: ${body.site.owner}`);
      assert.deepStrictEqual(
        body.vms.map((vm) => [vm.name, vm.interfaces.flatMap((i) => i.addresses)]),
        [
          ["db1.inv.panel.test", ["192.0.2.71/32"]],
          ["web1.inv.panel.test", ["192.0.2.72/32"]],
        ],
      );
    } finally {
      await inv.destroy({ color: "never" }).catch(() => undefined);
      await inv.workspace.removeStack("inv").catch(() => undefined);
    }
  });

  it("no token or secret in any answer or log line", () => {
    const secrets = [
      ...Object.values(tokens),
      pdns().apiKey,
      netbox().token,
      engine.env.PULUMI_CONFIG_PASSPHRASE,
    ];
    for (const text of [...seen, ...logLines])
      for (const secret of secrets)
        assert.ok(!text.includes(secret), "a secret leaked into an answer or the log");
    assert.ok(logLines.length > 10, "the panel logs its requests");
  });
});
