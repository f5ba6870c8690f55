/**
 * A dynamic resource whose create runs one replication job (the same runJob the CLI runs), for
 * engines without the @pulumi/command plugin. It captures nothing: the job (a secret, keys included)
 * and the path of the runner module arrive as inputs; the module is loaded inside the method.
 * Deleting the resource deletes nothing: replicated data and snapshots stay where they are.
 */
import * as pulumi from "@pulumi/pulumi";
import type { JobSpec } from "./jobSpec";

/** Inputs of a {@link ReplicationRun}: the job to run and the module that runs it. */
export interface ReplicationRunInputs {
  /** JobSpec as JSON; pass it as a secret (it holds the SSH keys). */
  readonly spec: pulumi.Input<string>;
  /** Absolute path of the compiled cli.js that exports runJob. */
  readonly runnerModule: pulumi.Input<string>;
  /** A change to any of these runs the job again (replacement); other changes just update the state. */
  readonly triggers: pulumi.Input<string>;
}

interface RunState {
  spec: string;
  runnerModule: string;
  triggers: string;
  report?: string;
}

const replicationRunProvider: pulumi.dynamic.ResourceProvider<RunState, RunState> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (typeof news.runnerModule !== "string" || !news.runnerModule.startsWith("/")) {
      failures.push({
        property: "runnerModule",
        reason: "must be the absolute path of bin/sdk/replication/cli.js",
      });
    }
    if (typeof news.spec === "string") {
      let spec: JobSpec | undefined;
      try {
        spec = JSON.parse(news.spec) as JobSpec;
      } catch (error) {
        failures.push({ property: "spec", reason: `not JSON: ${(error as Error).message}` });
      }
      if (spec && failures.length === 0) {
        // Hosts, users and host keys that were outputs at construction are known here (preview).
        // The validator comes from the runner module: the provider itself captures nothing.
        const { validateJobSpec } = (await import(news.runnerModule)) as typeof import("./cli");
        const problems = validateJobSpec(spec);
        if (problems.length > 0) failures.push({ property: "spec", reason: problems.join("; ") });
      }
    }
    return { inputs: news, failures };
  },
  async diff(_id, olds, news) {
    // Where the runner lives (a moved checkout) is no reason to replicate again.
    const rerun = olds.triggers !== news.triggers;
    return {
      changes: rerun || olds.spec !== news.spec,
      replaces: rerun ? ["triggers"] : [],
      deleteBeforeReplace: false,
    };
  },
  async create(inputs) {
    const { runJob } = (await import(inputs.runnerModule)) as typeof import("./cli");
    const lines: string[] = [];
    const result = await runJob(JSON.parse(inputs.spec), (line) => lines.push(line));
    const report = JSON.stringify(result);
    return { id: `zfs-run-${Date.now().toString(36)}`, outs: { ...inputs, report } };
  },
  async update(_id, olds, news) {
    // Only non-trigger inputs (a rotated key, the runner's path) changed: remember them, run nothing.
    return { outs: { ...news, report: olds.report } };
  },
  async read(id, props) {
    return { id, props };
  },
  async delete() {
    // Nothing to undo.
  },
};

/** One run of a ZFS replication job now, through the built-in provider; its report is the `report` output. */
export class ReplicationRun extends pulumi.dynamic.Resource {
  /** The run's report as JSON (what was sent, how many bytes, what was pruned). */
  declare public readonly report: pulumi.Output<string>;

  constructor(name: string, args: ReplicationRunInputs, opts?: pulumi.CustomResourceOptions) {
    super(
      replicationRunProvider,
      name,
      { ...args, report: undefined },
      { ...opts, additionalSecretOutputs: ["spec"] },
      "sovereign-replication",
      "ReplicationRun",
    );
  }
}
