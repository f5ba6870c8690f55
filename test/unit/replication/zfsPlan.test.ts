import * as assert from "assert";
import fc from "fast-check";
import {
  checkDivergence,
  DivergedTargetError,
  findCommonBase,
  parseZfsGet,
  parseZfsList,
  planRetention,
  planSend,
  receiveArgs,
  sendArgs,
  snapshotNameFor,
  validateDatasetName,
  type DatasetState,
  type ZfsSnapshot,
} from "../../../sdk/replication/zfsPlan";

// Real `zfs get -Hp -r -o name,property,value ...` output from zfs-fuse 0.7.0.
const ZFS_FUSE_GET = [
  "zrxA/data\tguid\t15099887327642186379",
  "zrxA/data\tcreatetxg\t7",
  "zrxA/data\tcreation\t1795655879",
  "zrxA/data\ttype\tfilesystem",
  "zrxA/data\tused\t212992",
  "zrxA/data\treferenced\t122880",
  "zrxA/data@s1\tguid\t3716434530402482369",
  "zrxA/data@s1\tcreatetxg\t12",
  "zrxA/data@s1\tcreation\t1795655879",
  "zrxA/data@s1\ttype\tsnapshot",
  "zrxA/data@s1\tused\t90112",
  "zrxA/data@s1\treferenced\t118784",
  "zrxA/data@s2\tguid\t9918568006457057183",
  "zrxA/data@s2\tcreatetxg\t17",
  "zrxA/data@s2\tcreation\t1795655879",
  "zrxA/data@s2\ttype\tsnapshot",
  "zrxA/data@s2\tused\t0",
  "zrxA/data@s2\treferenced\t122880",
  "zrxA/data/child@s9\tguid\t1",
  "zrxA/data/child@s9\tcreatetxg\t99",
  "",
].join("\n");

// OpenZFS `zfs list -Hp -t all -o name,guid,createtxg,creation,written -r tank/app`.
const OPENZFS_LIST = [
  "tank/app\t111\t5\t1700000000\t4096",
  "tank/app@b\t18446744073709551557\t20\t1700000200\t0",
  "tank/app@a\t222\t10\t1700000100\t0",
].join("\n");

let guidCounter = 1000;
const snap = (
  dataset: string,
  name: string,
  createtxg: number,
  extra: Partial<ZfsSnapshot> = {},
): ZfsSnapshot => ({
  dataset,
  name,
  guid: String(guidCounter++),
  createtxg,
  creation: 1_700_000_000 + createtxg * 60,
  used: 0,
  referenced: 1000,
  ...extra,
});
const state = (dataset: string, snapshots: ZfsSnapshot[], head: DatasetState["head"] = {}): DatasetState => ({
  dataset,
  exists: true,
  snapshots,
  head: { referenced: snapshots[snapshots.length - 1]?.referenced, ...head },
});
/** The same snapshots received on the target: same GUIDs, the target's own txgs, maybe renamed. */
const received = (dataset: string, snaps: readonly ZfsSnapshot[], rename = false): ZfsSnapshot[] =>
  snaps.map((s, i) => ({ ...s, dataset, name: rename ? `renamed-${i}` : s.name, createtxg: 500 + i }));

describe("zfsPlan: parsing", () => {
  it("parses zfs-fuse `zfs get -Hp` output, ignoring child datasets, keeping 64-bit GUIDs exact", () => {
    const parsed = parseZfsGet("zrxA/data", ZFS_FUSE_GET);
    assert.strictEqual(parsed.exists, true);
    assert.deepStrictEqual(
      parsed.snapshots.map((s) => [s.name, s.guid, s.createtxg, s.used]),
      [
        ["s1", "3716434530402482369", 12, 90112],
        ["s2", "9918568006457057183", 17, 0],
      ],
    );
    assert.strictEqual(parsed.head.referenced, 122880);
    assert.strictEqual(parsed.head.written, undefined);
  });

  it("parses OpenZFS `zfs list -Hp` output and orders snapshots by createtxg", () => {
    const parsed = parseZfsList("tank/app", OPENZFS_LIST, [
      "name",
      "guid",
      "createtxg",
      "creation",
      "written",
    ]);
    assert.deepStrictEqual(
      parsed.snapshots.map((s) => s.name),
      ["a", "b"],
    );
    assert.strictEqual(parsed.snapshots[1].guid, "18446744073709551557");
    assert.strictEqual(parsed.head.written, 4096);
  });

  it("rejects rows it cannot read, naming the row", () => {
    assert.throws(
      () => parseZfsList("t/a", "t/a@x\t1", ["name", "guid", "createtxg"]),
      /2 fields, expected 3/,
    );
    assert.throws(() => parseZfsGet("t/a", "t/a@x\tguid\tnope\n"), /no numeric guid/);
  });
});

describe("zfsPlan: common base and send plan", () => {
  it("finds the newest common snapshot by GUID even when names differ", () => {
    const src = [snap("p/a", "one", 1), snap("p/a", "two", 2), snap("p/a", "three", 3)];
    const tgt = received("q/a", src.slice(0, 2), true);
    const base = findCommonBase(state("p/a", src), state("q/a", tgt));
    assert.strictEqual(base?.source.name, "two");
    assert.strictEqual(base?.target.name, "renamed-1");
  });

  it("does not match snapshots that merely share a name", () => {
    const src = [snap("p/a", "daily", 1)];
    const tgt = [snap("q/a", "daily", 1)];
    assert.strictEqual(findCommonBase(state("p/a", src), state("q/a", tgt)), undefined);
    assert.throws(() => planSend(state("p/a", src), state("q/a", tgt)), DivergedTargetError);
  });

  it("plans a full send into a missing target and an incremental (-I) from the base after", () => {
    const src = [snap("p/a", "s1", 1), snap("p/a", "s2", 2), snap("p/a", "s3", 3)];
    const missing: DatasetState = { dataset: "q/a", exists: false, snapshots: [], head: {} };
    const full = planSend(state("p/a", src), missing);
    assert.deepStrictEqual(sendArgs(full.steps[0]), ["zfs", "send", "p/a@s3"]);
    assert.deepStrictEqual(receiveArgs(full.steps[0], "q/a", false), ["zfs", "receive", "q/a"]);

    const inc = planSend(state("p/a", src), state("q/a", received("q/a", src.slice(0, 1))));
    assert.deepStrictEqual(sendArgs(inc.steps[0]), ["zfs", "send", "-I", "p/a@s1", "p/a@s3"]);
    assert.deepStrictEqual(receiveArgs(inc.steps[0], "q/a", true), ["zfs", "receive", "-s", "q/a"]);
  });

  it("is up to date when the target already has the source's newest snapshot", () => {
    const src = [snap("p/a", "s1", 1)];
    const plan = planSend(state("p/a", src), state("q/a", received("q/a", src)));
    assert.strictEqual(plan.upToDate, true);
    assert.deepStrictEqual(plan.steps, []);
  });

  it("refuses a target written to since the base (`written` where the pool has it)", () => {
    const src = [snap("p/a", "s1", 1), snap("p/a", "s2", 2)];
    const tgt = state("q/a", received("q/a", src.slice(0, 1)), { written: 8192 });
    assert.throws(() => planSend(state("p/a", src), tgt), /written to since @s1 \(written=8192 bytes\)/);
    const forced = planSend(state("p/a", src), tgt, { force: true });
    assert.strictEqual(forced.rollback?.to.name, "s1");
  });

  it("refuses a target changed since the base on old pools (base snapshot has unique bytes)", () => {
    const src = [snap("p/a", "s1", 1), snap("p/a", "s2", 2)];
    const tgtSnaps = received("q/a", src.slice(0, 1)).map((s) => ({ ...s, used: 81920 }));
    const result = checkDivergence(state("p/a", src), state("q/a", tgtSnaps));
    assert.strictEqual(result.headModified, true);
    assert.match(result.reasons[0], /changed since @s1 \(80 KiB unique/);
  });

  it("uses the resume token only when resumable receive is supported", () => {
    const src = [snap("p/a", "s1", 1), snap("p/a", "s2", 2)];
    const tgt = state("q/a", received("q/a", src.slice(0, 1)), { resumeToken: "1-abc-def" });
    assert.deepStrictEqual(sendArgs(planSend(state("p/a", src), tgt, { resumable: true }).steps[0]), [
      "zfs",
      "send",
      "-t",
      "1-abc-def",
    ]);
    assert.strictEqual(planSend(state("p/a", src), tgt, { resumable: false }).steps[0].kind, "incremental");
  });

  it("throws when the source has nothing to send", () => {
    assert.throws(() => planSend(state("p/a", []), state("q/a", [])), /has no snapshots/);
  });
});

/** A source history and a target that received some prefix of it, maybe renamed, maybe pruned. */
const historyArb = fc
  .record({
    length: fc.integer({ min: 1, max: 12 }),
    receivedUpTo: fc.integer({ min: 0, max: 12 }),
    rename: fc.boolean(),
    pruneMask: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    extraOnTarget: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ length, receivedUpTo, rename, pruneMask, extraOnTarget }) => {
    const src = Array.from({ length }, (_, i) => snap("p/a", `sov_${i}`, i + 1));
    const upTo = Math.min(receivedUpTo, length);
    // Pruning on the target never removes its newest received snapshot here (that is the base).
    const got = received("q/a", src.slice(0, upTo), rename).filter((_, i) => i === upTo - 1 || !pruneMask[i]);
    const extras = Array.from({ length: upTo > 0 ? extraOnTarget : 0 }, (_, i) =>
      snap("q/a", `local_${i}`, 900 + i),
    );
    const target: DatasetState =
      upTo === 0
        ? { dataset: "q/a", exists: false, snapshots: [], head: {} }
        : state("q/a", [...got, ...extras]);
    return { source: state("p/a", src), target, upTo, extras };
  });

describe("zfsPlan: properties", () => {
  it("the send plan always ends at the source's newest snapshot", () => {
    fc.assert(
      fc.property(historyArb, ({ source, target }) => {
        const plan = planSend(source, target, { force: true });
        const newest = source.snapshots[source.snapshots.length - 1];
        assert.strictEqual(plan.finalSnapshot?.guid, newest.guid);
        const last = plan.steps[plan.steps.length - 1];
        if (last) assert.strictEqual((last.kind === "full" ? last.snapshot : last.to).guid, newest.guid);
        else assert.strictEqual(plan.base?.source.guid, newest.guid);
      }),
    );
  });

  it("increments always start at a snapshot the target has (by GUID)", () => {
    fc.assert(
      fc.property(historyArb, ({ source, target }) => {
        const plan = planSend(source, target, { force: true });
        const targetGuids = new Set(target.snapshots.map((s) => s.guid));
        for (const step of plan.steps)
          if (step.kind === "incremental") assert.ok(targetGuids.has(step.from.guid));
      }),
    );
  });

  it("refuses exactly when the target has snapshots the source lacks, and names all of them", () => {
    fc.assert(
      fc.property(historyArb, ({ source, target, extras }) => {
        if (extras.length === 0) {
          planSend(source, target);
          return;
        }
        assert.throws(
          () => planSend(source, target),
          (e: unknown) => {
            assert.ok(e instanceof DivergedTargetError);
            assert.deepStrictEqual(
              [...e.divergence.snapshotsLost].sort(),
              extras.map((s) => `q/a@${s.name}`).sort(),
            );
            return true;
          },
        );
        assert.deepStrictEqual(
          [...(planSend(source, target, { force: true }).rollback?.destroys ?? [])].sort(),
          extras.map((s) => `q/a@${s.name}`).sort(),
        );
      }),
    );
  });

  const policyArb = fc.record({
    hourly: fc.integer({ min: 0, max: 5 }),
    daily: fc.integer({ min: 0, max: 5 }),
    weekly: fc.integer({ min: 0, max: 3 }),
    monthly: fc.integer({ min: 0, max: 3 }),
  });
  const snapsArb = fc
    .array(fc.record({ gap: fc.integer({ min: 1, max: 40 * 86400 }), foreign: fc.boolean() }), {
      maxLength: 25,
    })
    .map((items) => {
      let t = 1_700_000_000;
      return items.map(({ gap, foreign }, i) => {
        t += gap;
        return snap("p/a", foreign ? `manual_${i}` : `sov_${i}`, i + 1, { creation: t });
      });
    });

  it("retention never prunes the newest common snapshot, the newest snapshot, or foreign snapshots", () => {
    fc.assert(
      fc.property(snapsArb, policyArb, fc.nat(), (snaps, policy, pick) => {
        const common = snaps.length > 0 ? snaps[pick % snaps.length] : undefined;
        const plan = planRetention(snaps, policy, "sov_", new Set(common ? [common.guid] : []));
        const pruned = new Set(plan.prune.map((s) => s.guid));
        if (common) assert.ok(!pruned.has(common.guid), "pruned the common base");
        if (snaps.length > 0) assert.ok(!pruned.has(snaps[snaps.length - 1].guid), "pruned the newest");
        for (const s of plan.prune) assert.ok(s.name.startsWith("sov_"), `pruned foreign ${s.name}`);
        const ours = snaps.filter((s) => s.name.startsWith("sov_"));
        assert.strictEqual(plan.keep.length + plan.prune.length, ours.length);
        for (const k of plan.keep) assert.ok(!pruned.has(k.snapshot.guid));
      }),
    );
  });

  it("retention keeps at most one per period and class, beyond the protected and the newest", () => {
    fc.assert(
      fc.property(snapsArb, policyArb, (snaps, policy) => {
        const plan = planRetention(snaps, policy, "sov_");
        const budget = policy.hourly + policy.daily + policy.weekly + policy.monthly + 1;
        assert.ok(plan.keep.length <= budget, `kept ${plan.keep.length} > ${budget}`);
      }),
    );
  });
});

describe("zfsPlan: retention examples", () => {
  it("keeps the newest snapshot of each of the last N days", () => {
    const day = 86400;
    const snaps = Array.from({ length: 10 }, (_, i) =>
      [0, 3600].map((offset, j) =>
        snap("p/a", `sov_${i}_${j}`, i * 2 + j + 1, { creation: 1_700_006_400 + i * day + offset }),
      ),
    ).flat();
    const plan = planRetention(snaps, { hourly: 0, daily: 3, weekly: 0, monthly: 0 }, "sov_");
    assert.deepStrictEqual(
      plan.keep.map((k) => k.snapshot.name),
      ["sov_7_1", "sov_8_1", "sov_9_1"],
    );
  });

  it("explains an invalid policy", () => {
    assert.throws(
      () => planRetention([], { hourly: -1, daily: 1.5, weekly: 0, monthly: 0 }, "sov_"),
      /hourly.*\n.*daily/s,
    );
  });

  it("names snapshots sortably in UTC and validates dataset names", () => {
    assert.strictEqual(snapshotNameFor("sov_", new Date("2026-11-26T01:02:03.456Z")), "sov_20261126T010203Z");
    assert.strictEqual(validateDatasetName("tank/apps/nextcloud"), undefined);
    assert.match(validateDatasetName("tank/a@b") ?? "", /not a valid ZFS dataset/);
  });
});
