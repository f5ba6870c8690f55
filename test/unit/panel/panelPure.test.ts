import * as assert from "assert";
import { configView, outputsView, siteConfigErrors, SECRET_PLACEHOLDER } from "../../../sdk/panel/siteView";
import { errorResponse, PanelError } from "../../../sdk/panel/errors";
import { hashToken } from "../../../sdk/panel/store";
import { engineRejections, inputDiff } from "../../../sdk/panel/engineEvents";
import * as fc from "fast-check";
import type { EngineEvent } from "@pulumi/pulumi/automation";

describe("panel: what it shows and how it words errors", () => {
  it("hides secret config values and secret outputs, parses object config", () => {
    const config = configView({
      "sovereign:powerdnsApiKey": { value: "k3y-plain", secret: true },
      "sovereign:site": { value: '{"name":"coop"}', secret: false },
      "aws:region": { value: "eu-west-1", secret: false },
    });
    assert.deepStrictEqual(config, {
      "sovereign:powerdnsApiKey": SECRET_PLACEHOLDER,
      "sovereign:site": { name: "coop" },
      "aws:region": "eu-west-1",
    });
    assert.deepStrictEqual(outputsView({ a: { value: 1, secret: false }, b: { value: "s", secret: true } }), {
      a: 1,
      b: SECRET_PLACEHOLDER,
    });
  });

  it("gives each validation problem its key", () => {
    const errors = siteConfigErrors({
      name: "coop",
      domain: "coop.test",
      datacenter: "a",
      dns: { endpoint: "local" },
      hostz: [],
    });
    assert.ok(
      errors.some((e) => e.key === "site.hostz" && /not a known key/.test(e.message)),
      JSON.stringify(errors),
    );
    assert.deepStrictEqual(
      siteConfigErrors({
        name: "coop",
        domain: "coop.test",
        datacenter: "a",
        dns: { endpoint: "local" },
        hosts: [{ name: "web1", address: "192.0.2.1" }],
      }),
      [],
    );
  });

  it("answers unexpected errors without their message; stores tokens only as hashes", () => {
    const hidden = errorResponse(new Error("at /srv/panel/x.js:1 password=hunter2"), "inc-1");
    assert.strictEqual(hidden.status, 500);
    assert.ok(!JSON.stringify(hidden.body).includes("hunter2"));
    assert.deepStrictEqual(
      errorResponse(new PanelError(409, "site_busy", "busy", { heldBy: null }), "x").body,
      {
        heldBy: null,
        code: "site_busy",
        error: "busy",
      },
    );
    assert.match(hashToken("svp_abc"), /^[0-9a-f]{64}$/);
    assert.notStrictEqual(hashToken("svp_abc"), hashToken("svp_abd"));
  });

  it("words the engine's refusal of a preview with keys, without stack or program path", () => {
    const urn =
      "urn:pulumi:coop::panel-sites::sovereign:dns:DnsZone$sovereign:powerdns:RecordSet::coop-web1-A";
    const diagnostic = (message: string, severity: string, at?: string): EngineEvent =>
      ({
        sequence: 1,
        timestamp: 0,
        diagnosticEvent: { message, severity, color: "never", ...(at ? { urn: at } : {}) },
      }) as EngineEvent;
    const errors = engineRejections([
      diagnostic("a warning only", "warning"),
      diagnostic(
        "sovereign:powerdns:RecordSet resource 'coop-web1-A': property ttl value {5} has a problem: ttl 5 must be a whole number of seconds",
        "error",
        urn,
      ),
      diagnostic(
        "sovereign:powerdns:RecordSet resource 'coop-web1-A': property records has a problem: bad",
        "error",
        urn,
      ),
      diagnostic(
        "Running program '/srv/panel/bin/site.js' failed with an unhandled exception:\nError: DnsZone x: record name too long\n    at Site (/srv/panel/bin/site.js:1:2)\n    at main (/srv/panel/bin/index.js:3:4)",
        "error",
      ),
      diagnostic("preview failed", "error"),
    ]);
    assert.deepStrictEqual(errors, [
      { key: "coop-web1-A.ttl", message: "ttl 5 must be a whole number of seconds", resource: urn },
      { key: "coop-web1-A.records", message: "bad", resource: urn },
      { key: "site", message: "DnsZone x: record name too long" },
    ]);
  });

  it("derives a per-entry diff from a step's inputs, naming entries but never their values", () => {
    const olds = { zone: "a.test.", rrsets: { "www.a.test. A": { ttl: 60 }, "old.a.test. A": { ttl: 60 } } };
    const news = {
      zone: "a.test.",
      rrsets: { "www.a.test. A": { ttl: 30 }, "new.a.test. A": { ttl: 60 } },
      x: 1,
    };
    assert.deepStrictEqual(inputDiff(olds, news), {
      diffs: ["rrsets", "x"],
      detailedDiff: {
        'rrsets["www.a.test. A"]': "update",
        'rrsets["old.a.test. A"]': "delete",
        'rrsets["new.a.test. A"]': "add",
        x: "add",
      },
    });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.string()),
        fc.dictionary(fc.string(), fc.string()),
        (o, n) => {
          const d = inputDiff({ m: o }, { m: n });
          const changed = [...new Set([...Object.keys(o), ...Object.keys(n)])].filter((k) => o[k] !== n[k]);
          assert.strictEqual(Object.keys(d.detailedDiff).length, changed.length);
          assert.deepStrictEqual(d.diffs, changed.length ? ["m"] : []);
        },
      ),
    );
  });
});
