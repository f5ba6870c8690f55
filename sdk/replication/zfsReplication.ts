/**
 * ZfsReplication: a dataset on one host replicated to a dataset on another. It renders the
 * scheduled job into the source host's configuration (outputs, for the host component to include)
 * and runs the job once now: by default through a small dynamic resource (replicationRun.ts) that
 * calls the runner in Pulumi's Node.js provider host, or, with `runner: "command"`, through a
 * `command.local.Command` whose command line is our own CLI (cli.ts) with the job on stdin. Either
 * way the job (keys included) is a secret input. The replication logic stays in plain TypeScript
 * (zfsRunner.ts) that tests drive directly; the resource only decides when it runs (its triggers)
 * and records the report in the state.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { DEFAULT_RETENTION, validateJobSpec, type JobAction, type JobSpec } from "./jobSpec";
import { ReplicationRun } from "./replicationRun";
import { renderSchedule, type RenderedSchedule } from "./schedule";
import { sshConnectionProblems, trustOnFirstUseWarning } from "./sshTarget";
import type { RetentionPolicy } from "./zfsPlan";

/** One host of a {@link ZfsReplication}: how Pulumi and the timer reach it over SSH, and its dataset. */
export interface ZfsHostArgs {
  /** Address the machine running Pulumi reaches the host at. */
  readonly host: pulumi.Input<string>;
  /** The SSH port; default 22. */
  readonly port?: pulumi.Input<number>;
  /** Default `root` (zfs send/receive need it unless permissions are delegated with `zfs allow`). */
  readonly user?: pulumi.Input<string>;
  /** OpenSSH private key text; stored as a secret. */
  readonly privateKey: pulumi.Input<string>;
  /**
   * The host's SSH key, pinned: one public key line (`ssh-ed25519 AAAA...`). Required unless
   * `knownHostsPath` is given or `trustOnFirstUse` is set.
   */
  readonly hostKey?: pulumi.Input<string>;
  /** A known_hosts file (on the machine running Pulumi, and on the source host for the timer). */
  readonly knownHostsPath?: string;
  /** Accept the first key the host shows (unsafe; preview warns). Only without hostKey/knownHostsPath. */
  readonly trustOnFirstUse?: boolean;
  /** The ZFS dataset on the host. */
  readonly dataset: string;
}

/** Inputs of a {@link ZfsReplication}. */
export interface ZfsReplicationArgs {
  /** The host and dataset the data comes from. */
  readonly source: ZfsHostArgs;
  /** The host and dataset it goes to. */
  readonly target: ZfsHostArgs & {
    /** Where the source host keeps its key for the target (for the scheduled job). */
    readonly keyPathOnSource?: string;
  };
  /** Snapshot retention on both sides. Default 24 hourly, 7 daily, 4 weekly, 6 monthly. */
  readonly retention?: RetentionPolicy;
  /** systemd OnCalendar of the scheduled job. Default `hourly`. */
  readonly onCalendar?: string;
  /** Prefix of the snapshots the job takes and prunes; default derived from the target. */
  readonly snapshotPrefix?: string;
  /**
   * Overwrite a diverged target, in ONE run: a token (any new string, e.g. "overwrite-dr-2026-11-26").
   * The target host records it after that run; later runs with the same token are not forced, so a
   * target that diverges again is refused again. Default: never forced; the run fails and names
   * what would be lost.
   */
  readonly force?: string;
  /** Run a replication now, during `pulumi up` (default true). */
  readonly runNow?: boolean;
  /** Change it to run again (e.g. each migration phase); the run is also redone when the datasets change. */
  readonly runId?: pulumi.Input<string>;
  /** Makes the run the migration's final sync: stop the app on the source, last increment, verify. */
  readonly finalSync?: {
    /** argv run on the source host to stop the app before the final copy. */
    readonly stopApp: readonly string[];
    /** Starts the app again on the source if anything after stopApp fails (the cut-over is called off). */
    readonly startApp: readonly string[];
    /** Make the target writable after the final copy; default false. */
    readonly promoteTarget?: boolean;
    /** Incremental passes while the app still runs, before stopping it; default 1. */
    readonly warmPasses?: number;
  };
  /**
   * How the immediate run executes: `dynamic` (default) runs the runner inside Pulumi's Node.js
   * dynamic-provider host, which every engine has; `command` runs the CLI through
   * `command.local.Command` (needs the @pulumi/command provider plugin).
   */
  readonly runner?: "dynamic" | "command";
  /** Node binary for the run (default `node`), and the CLI (default: cli.js beside this file). */
  readonly nodeBinary?: string;
  /** Path of the compiled replication runner (cli.js); default the package's own. */
  readonly cliPath?: string;
  /** Command that runs the CLI on the hosts (rendered into the timer). */
  readonly hostCommand?: string;
}

/**
 * Replication of a ZFS dataset from one host to another: the scheduled job (systemd timer, NixOS
 * module) and, when asked, a run now (full send, then incremental). A diverged target is refused
 * unless a new `force` token is given.
 *
 * @example
 * ```ts
 * new ZfsReplication("cloud-data", {
 *   source: { host: "192.0.2.10", privateKey: sshKey, dataset: "tank/nextcloud" },
 *   target: { host: "198.51.100.10", privateKey: sshKey, dataset: "backup/nextcloud" },
 *   onCalendar: "hourly",
 *   runNow: true,
 * });
 * ```
 */
export class ZfsReplication extends pulumi.ComponentResource {
  /** The scheduled job rendered for the source host's configuration. */
  readonly nixosModule: pulumi.Output<string>;
  /** The systemd service unit that runs the job on the source host. */
  readonly systemdService: pulumi.Output<string>;
  /** The systemd timer unit that schedules it. */
  readonly systemdTimer: pulumi.Output<string>;
  /** The job's JSON spec as the timer's run reads it (a secret: it holds the SSH key). */
  readonly jobConfig: pulumi.Output<string>;
  /** JSON report of the immediate run (empty when `runNow` is false). */
  readonly report: pulumi.Output<string>;
  /** GUID of the snapshot both sides share after the immediate run. */
  readonly replicatedGuid: pulumi.Output<string | undefined>;
  /** The resource that runs the job at `pulumi up`, when it runs there. */
  readonly run?: command.local.Command | ReplicationRun;

  constructor(name: string, args: ZfsReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:replication:ZfsReplication", name, {}, opts);
    const action: JobAction = args.finalSync ? "final-sync" : "replicate";
    const retention = args.retention ?? DEFAULT_RETENTION;

    // Validate everything known at construction, before any resource, with every problem listed.
    const problems: string[] = [];
    for (const side of ["source", "target"] as const) {
      const host = args[side];
      // Values known only later (outputs) are checked by the run's provider at preview.
      const known = <T>(value: pulumi.Input<T> | undefined): T | undefined =>
        pulumi.Output.isInstance(value) || value instanceof Promise ? undefined : (value as T | undefined);
      const hostName = known(host.host);
      problems.push(
        ...sshConnectionProblems(side, {
          host: hostName ?? "unknown-yet",
          user: known(host.user),
          hostKey: host.hostKey === undefined ? undefined : (known(host.hostKey) ?? "ssh-ed25519 AAAA"),
          knownHostsPath: host.knownHostsPath,
          trustOnFirstUse: host.trustOnFirstUse,
        }),
      );
      if (host.trustOnFirstUse && host.hostKey === undefined && host.knownHostsPath === undefined)
        pulumi.log.warn(trustOnFirstUseWarning(`ZfsReplication ${name} ${side}`, hostName ?? side), this);
    }
    if (args.force !== undefined && typeof args.force !== "string")
      problems.push(
        `force must be a token string that forces one run only, e.g. force: "overwrite-dr-2026-11-26" (got ${JSON.stringify(args.force)})`,
      );
    problems.push(
      ...validateJobSpec({
        action,
        source: { dataset: args.source.dataset },
        target: { dataset: args.target.dataset },
        snapshotPrefix: args.snapshotPrefix,
        forceToken: typeof args.force === "string" ? args.force : undefined,
        retention,
        stopApp: args.finalSync?.stopApp,
        startApp: args.finalSync?.startApp,
        warmPasses: args.finalSync?.warmPasses,
      }),
    );
    if (problems.length > 0)
      throw new Error(`invalid ZfsReplication ${name}; please fix:\n  - ${problems.join("\n  - ")}`);

    const rendered: pulumi.Output<RenderedSchedule> = pulumi
      .all([args.target.host, args.target.port, args.target.user, args.target.hostKey])
      .apply(([host, port, user, hostKey]) =>
        renderSchedule({
          name: unitSafe(name),
          sourceDataset: args.source.dataset,
          target: {
            dataset: args.target.dataset,
            host,
            port,
            user,
            hostKey,
            knownHostsPath: args.target.knownHostsPath,
            trustOnFirstUse: args.target.trustOnFirstUse,
            privateKeyPath: args.target.keyPathOnSource ?? `/run/secrets/sovereign-zfs-${unitSafe(name)}`,
          },
          onCalendar: args.onCalendar,
          retention,
          snapshotPrefix: args.snapshotPrefix,
          command: args.hostCommand,
        }),
      );
    this.nixosModule = rendered.nixosModule;
    this.systemdService = rendered.systemdService;
    this.systemdTimer = rendered.systemdTimer;
    this.jobConfig = rendered.jobConfig;

    if (args.runNow ?? true) {
      const endpoint = (host: ZfsHostArgs) =>
        pulumi
          .all([host.host, host.port, host.user, host.privateKey, host.hostKey])
          .apply(([h, port, user, key, hostKey]) => ({
            dataset: host.dataset,
            ssh: {
              host: h,
              port,
              user,
              privateKey: key,
              hostKey,
              knownHostsPath: host.knownHostsPath,
              trustOnFirstUse: host.trustOnFirstUse,
            },
          }));
      const spec: pulumi.Output<string> = pulumi.secret(
        pulumi.all([endpoint(args.source), endpoint(args.target)]).apply(([source, target]) => {
          const job: JobSpec = {
            action,
            source,
            target,
            snapshotPrefix: args.snapshotPrefix,
            forceToken: args.force,
            retention,
            stopApp: args.finalSync?.stopApp,
            startApp: args.finalSync?.startApp,
            promoteTarget: args.finalSync?.promoteTarget,
            warmPasses: args.finalSync?.warmPasses,
          };
          return JSON.stringify(job);
        }),
      );
      const cli = args.cliPath ?? path.join(__dirname, "cli.js");
      const triggers = [
        action,
        args.source.dataset,
        args.target.dataset,
        args.source.host,
        args.target.host,
        args.runId ?? "",
        args.force ?? "",
      ];
      if ((args.runner ?? "dynamic") === "dynamic") {
        const run = new ReplicationRun(
          `${name}-run`,
          {
            spec,
            runnerModule: path.resolve(cli),
            triggers: pulumi.all(triggers).apply((t) => JSON.stringify(t)),
          },
          { parent: this },
        );
        this.run = run;
        this.report = run.report;
      } else {
        const commandRun = new command.local.Command(
          `${name}-run`,
          {
            create: `${shellWord(args.nodeBinary ?? "node")} ${shellWord(cli)}`,
            stdin: spec,
            // Nothing to undo on delete: replicated data and snapshots stay where they are.
            triggers,
            logging: "stderr",
          },
          { parent: this },
        );
        this.run = commandRun;
        this.report = commandRun.stdout;
      }
    } else {
      this.report = pulumi.output("");
    }
    this.replicatedGuid = this.report.apply((text) => {
      if (!text) return undefined;
      try {
        const parsed = JSON.parse(text) as {
          report?: { finalGuid?: string; final?: { finalGuid?: string } };
        };
        return parsed.report?.finalGuid ?? parsed.report?.final?.finalGuid;
      } catch {
        return undefined;
      }
    });

    this.registerOutputs({
      nixosModule: this.nixosModule,
      systemdService: this.systemdService,
      systemdTimer: this.systemdTimer,
      jobConfig: this.jobConfig,
      report: this.report,
      replicatedGuid: this.replicatedGuid,
    });
  }
}

function unitSafe(name: string): string {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
  return safe || "job";
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
