import * as assert from "assert";
import fc from "fast-check";
import { generateKeyPairSync } from "crypto";
import { dkimRecord, dmarcRecord, mxRecords, spfRecord } from "../../../sdk/dns/mail";
import { publishConflict } from "../../../sdk/dns/dnsZone";
import { planTtlSwitch, recordAt, runTtlSwitch, TtlSwitchStep } from "../../../sdk/dns/ttlSwitch";

describe("dns sdk: lower TTL before a switch", () => {
  const input = {
    what: "app.example.org. CNAME",
    current: { ttl: 3600, records: ["old.example.org."] },
    target: ["new.example.org."],
  };

  it("lowers, waits the old TTL, switches, waits the low TTL, restores", () => {
    assert.deepStrictEqual(
      planTtlSwitch(input).map((s) =>
        s.kind === "apply" ? `${s.phase} ttl=${s.state.ttl} ${s.state.records}` : `wait ${s.seconds}`,
      ),
      [
        "lower-ttl ttl=60 old.example.org.",
        "wait 3600",
        "switch ttl=60 new.example.org.",
        "wait 60",
        "restore-ttl ttl=3600 new.example.org.",
      ],
    );
  });

  it("skips what is not needed", () => {
    assert.deepStrictEqual(planTtlSwitch({ ...input, target: input.current.records }), []);
    const short = planTtlSwitch({ ...input, current: { ttl: 30, records: ["old.example.org."] } });
    assert.deepStrictEqual(
      short.map((s) => s.kind),
      ["apply"],
      "already short: switch at once",
    );
    assert.throws(() => planTtlSwitch({ ...input, lowTtl: 0 }), /lowTtl 0 must be a whole number of seconds/);
    assert.throws(
      () => planTtlSwitch({ ...input, target: [] }),
      /target records of app.example.org. CNAME are empty/,
    );
  });

  it("never switches while caches may hold the old answer longer than the low TTL (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86400 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.option(fc.integer({ min: 1, max: 86400 }), { nil: undefined }),
        (ttl, low, restore) => {
          const steps = planTtlSwitch({
            ...input,
            current: { ttl, records: ["old."] },
            target: ["new."],
            lowTtl: low,
            restoreTtl: restore,
          });
          const at = (phase: string) => steps.findIndex((s) => s.kind === "apply" && s.phase === phase);
          const sw = at("switch");
          assert.ok(sw >= 0, "the plan switches");
          const switchStep = steps[sw] as Extract<TtlSwitchStep, { kind: "apply" }>;
          assert.ok(switchStep.state.ttl <= low, "the new answer goes out with the low TTL");
          if (ttl > low) {
            const lower = at("lower-ttl");
            assert.ok(lower >= 0 && lower < sw, "the TTL is lowered before the switch");
            const waited = steps
              .slice(lower + 1, sw)
              .reduce((sum, s) => sum + (s.kind === "wait" ? s.seconds : 0), 0);
            assert.ok(
              waited >= ttl,
              `waited ${waited}s after lowering; caches may hold the old answer ${ttl}s`,
            );
          }
          const applies = steps.filter(
            (s): s is Extract<TtlSwitchStep, { kind: "apply" }> => s.kind === "apply",
          );
          assert.deepStrictEqual(applies[applies.length - 1].state, {
            ttl: restore ?? ttl,
            records: ["new."],
          });
          assert.deepStrictEqual(
            recordAt(
              {
                ...input,
                current: { ttl, records: ["old."] },
                target: ["new."],
                lowTtl: low,
                restoreTtl: restore,
              },
              "done",
            ),
            applies[applies.length - 1].state,
          );
        },
      ),
    );
  });

  it("says what the record holds in each phase, and runs the plan with injected effects", async () => {
    assert.deepStrictEqual(recordAt(input, "not-started"), input.current);
    assert.deepStrictEqual(recordAt(input, "lower-ttl"), { ttl: 60, records: ["old.example.org."] });
    assert.deepStrictEqual(recordAt(input, "switch"), { ttl: 60, records: ["new.example.org."] });
    assert.deepStrictEqual(recordAt(input, "restore-ttl"), { ttl: 3600, records: ["new.example.org."] });
    const done: string[] = [];
    await runTtlSwitch(planTtlSwitch(input), {
      apply: async (phase, state) => void done.push(`${phase}:${state.ttl}`),
      wait: async (s) => void done.push(`wait:${s}`),
    });
    assert.deepStrictEqual(done, ["lower-ttl:60", "wait:3600", "switch:60", "wait:60", "restore-ttl:3600"]);
  });
});

const dkimPem = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({
  type: "spki",
  format: "pem",
}) as string;
const dkimBody = dkimPem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");

describe("dns sdk: mail records", () => {
  it("builds SPF, DKIM, DMARC and MX contents", () => {
    assert.strictEqual(
      spfRecord({ ip4: ["192.0.2.0/24"], include: ["_spf.example.net."] }),
      "v=spf1 mx ip4:192.0.2.0/24 include:_spf.example.net -all",
    );
    assert.deepStrictEqual(dkimRecord({ selector: "s1", publicKey: dkimPem }), {
      name: "s1._domainkey",
      content: `v=DKIM1; k=rsa; p=${dkimBody}`,
    });
    assert.strictEqual(
      dmarcRecord({ policy: "quarantine", rua: ["dmarc@example.org"], pct: 50 }),
      "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.org; pct=50",
    );
    assert.deepStrictEqual(
      mxRecords([{ priority: 10, host: "mail" }], (h) => `${h}.example.org.`),
      ["10 mail.example.org."],
    );
  });
  it("refuses what would publish a broken policy", () => {
    assert.throws(() => spfRecord({ ip4: ["192.0.2"] }), /SPF ip4 "192.0.2" must be an IPv4 address/);
    assert.throws(
      () => spfRecord({ include: Array.from({ length: 10 }, (_, i) => `i${i}.example.net`) }),
      /at most 10 DNS lookups/,
    );
    assert.throws(() => dkimRecord({ selector: "s 1", publicKey: dkimBody }), /DKIM selector "s 1"/);
    assert.throws(() => dkimRecord({ selector: "s1", publicKey: "not base64!" }), /not base64/);
    assert.throws(() => dmarcRecord({ policy: "reject", pct: 101 }), /pct 101/);
    assert.throws(() => dmarcRecord({ policy: "reject", rua: ["nobody"] }), /must be an email address/);
    assert.throws(() => mxRecords([], (h) => h), /at least one MX host/);
  });
});

describe("dns sdk: one record set per name and type, CNAMEs alone", () => {
  it("finds duplicates and CNAME conflicts", () => {
    const published = new Map([["www.example.org. A", "host web1"]]);
    assert.match(publishConflict(published, "www.example.org.", "A")!, /already published \(by host web1\)/);
    assert.match(
      publishConflict(published, "www.example.org.", "CNAME")!,
      /a CNAME must be alone at its name/,
    );
    assert.strictEqual(publishConflict(published, "www.example.org.", "AAAA"), undefined);
    assert.strictEqual(publishConflict(published, "app.example.org.", "CNAME"), undefined);
  });
});
