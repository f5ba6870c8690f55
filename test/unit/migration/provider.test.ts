import * as assert from "assert";
import { appDefinition } from "../../../sdk/apps/catalog";
import {
  check,
  diff,
  type MigrationInputs,
  type MigrationOutputs,
} from "../../../providers/migration/migrationProvider";
import type { DatacenterSide } from "../../../sdk/migration/sides";

const dc = (name: string, third: number): DatacenterSide => ({
  name,
  address: `127.0.${third}.1`,
  ssh: { host: `127.0.${third}.1`, port: 22, user: "root", knownHostsPath: "/tmp/known_hosts" },
  zfsRoot: `pool${third}/site`,
  postgres: { host: `127.0.${third}.1`, port: 5432, user: "sovereign" },
  garage: {
    s3Endpoint: `http://127.0.${third}.1:3900`,
    adminUrl: `http://127.0.${third}.1:3903`,
    region: "garage",
  },
});

const inputs = (datacenter: string, extra: Partial<MigrationInputs> = {}): MigrationInputs => ({
  site: "local",
  datacenter,
  datacenters: { "dc-a": dc("dc-a", 10), "dc-b": dc("dc-b", 20) },
  items: appDefinition("pixelfed").state.map((state) => ({ app: "pixelfed", state })),
  keepSource: false,
  app: { start: ["true"], stop: ["true"] },
  dns: {
    apiUrl: "http://127.0.0.1:8081",
    serverId: "localhost",
    zone: "coop.example.",
    names: [],
    ttl: 300,
    switchTtl: 60,
    ttlWaitCapSeconds: 300,
  },
  ...extra,
});

describe("Migration provider: check and diff (what preview shows)", () => {
  it("puts the ordered plan from the previous datacenter into the inputs", async () => {
    const first = await check({}, inputs("dc-a"));
    assert.deepStrictEqual(first.inputs.plan, [], "a new site at dc-a has nothing to move");
    const moved = await check(first.inputs, inputs("dc-b"));
    assert.strictEqual(moved.inputs.planFrom, "dc-a");
    assert.match((moved.inputs.plan as string[])[0], /^1\. provision-target: provision local at dc-b/);
    assert.match((moved.inputs.plan as string[]).at(-1)!, /\[destructive\] retire-source: retire dc-a/);
    // A resumed run (same target) keeps showing the same plan.
    const again = await check(moved.inputs, inputs("dc-b"));
    assert.deepStrictEqual(again.inputs.plan, moved.inputs.plan);
  });

  it("refuses an undescribed datacenter, naming the ones described", async () => {
    const result = await check(
      {},
      inputs("dc-x", { items: appDefinition("edumeet").state.map((state) => ({ app: "meet", state })) }),
    );
    const reasons = (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
    assert.ok(
      reasons.some((r) =>
        /^datacenter: "dc-x" is not one of the described datacenters \(dc-a, dc-b\)/.test(r),
      ),
      reasons.join("\n"),
    );
  });

  it("diff: a failed migration or a new datacenter is a change; a finished one is not", async () => {
    const outs = (servingAt: string, status?: "done" | "failed"): MigrationOutputs => ({
      ...inputs("dc-b"),
      servingAt,
      servingAddress: "x",
      ...(status ? { migration: { from: "dc-a", to: "dc-b", status, completed: [], timings: [] } } : {}),
    });
    assert.strictEqual((await diff("id", outs("dc-b", "done"), inputs("dc-b"))).changes, false);
    assert.strictEqual((await diff("id", outs("dc-a", "failed"), inputs("dc-b"))).changes, true);
    assert.strictEqual((await diff("id", outs("dc-b", "done"), inputs("dc-a"))).changes, true);
  });
});
