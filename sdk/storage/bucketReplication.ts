import * as pulumi from "@pulumi/pulumi";
import { warnIfPlain } from "./plainSecret";
import {
  checkReplication,
  renderReplicationJob,
  ReplicationSpec,
  ReplicationSpecError,
  replicationEnvironment,
} from "./replicationJob";

/** One side of a bucket replication: an S3 endpoint, bucket and key. */
export interface ReplicationSide {
  /** http(s) URL of the S3 endpoint (a Garage, or a third party's S3, e.g. one declared with @pulumi/aws). */
  endpoint: pulumi.Input<string>;
  /** The S3 region. */
  region: pulumi.Input<string>;
  /** The bucket. */
  bucket: pulumi.Input<string>;
  /** The access key id. */
  accessKeyId: pulumi.Input<string>;
  /** Should be a secret; a plain string works but draws a warning. */
  secretAccessKey: pulumi.Input<string>;
}

/** Inputs of a {@link BucketReplication}. */
export interface BucketReplicationArgs {
  /** Where objects are copied from. */
  source: ReplicationSide;
  /** Where they are copied to. */
  target: ReplicationSide;
  /** The host whose timer runs the job (where the rendered units go). */
  host: string;
  /** systemd OnCalendar; default every 15 minutes. */
  schedule?: string;
  /** Objects copied at once (rclone --transfers); default 16. */
  transfers?: number;
}

/**
 * Replicates a bucket to any S3 endpoint. The continuous part is rendered as a systemd service and
 * timer running `rclone sync` on `host` (outputs `service`, `timer`, and the secret `environment`
 * file they read); migrations run the one-shot, verified sync (`syncBuckets`, s3Sync.ts) over the
 * same two sides. Bad specs (no scheme, replicating a bucket onto itself…) fail at preview.
 *
 * @example
 * ```ts
 * new BucketReplication("media-offsite", {
 *   source: { endpoint: media.endpoint, region: media.region, bucket: media.bucketName, accessKeyId: media.accessKeyId, secretAccessKey: media.secretAccessKey },
 *   target: { endpoint: "https://s3.other-dc.example", region: "eu", bucket: "coop-media-copy", accessKeyId: keyId, secretAccessKey: secretKey },
 *   host: "web1",
 *   schedule: "daily",
 * });
 * ```
 */
export class BucketReplication extends pulumi.ComponentResource {
  /** The systemd unit's name, "sovereign-replicate-<name>". */
  readonly unitName: pulumi.Output<string>;
  /** The systemd service unit's text. */
  readonly service: pulumi.Output<string>;
  /** The systemd timer unit's text. */
  readonly timer: pulumi.Output<string>;
  /** The environment file's text (holds the keys: a secret output). */
  readonly environmentFile: pulumi.Output<string>;
  /** The environment file's content: remotes and credentials (secret). */
  readonly environment: pulumi.Output<string>;
  /** The host whose timer runs the job. */
  readonly host: string;

  constructor(name: string, args: BucketReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:storage:BucketReplication", name, {}, opts);
    warnIfPlain(args.source.secretAccessKey, `BucketReplication ${name}: source.secretAccessKey`, this);
    warnIfPlain(args.target.secretAccessKey, `BucketReplication ${name}: target.secretAccessKey`, this);
    const side = (s: ReplicationSide) =>
      pulumi
        .all([s.endpoint, s.region, s.bucket])
        .apply(([endpoint, region, bucket]) => ({ endpoint, region, bucket }));
    const spec = pulumi
      .all([side(args.source), side(args.target)])
      .apply(([source, target]): ReplicationSpec => {
        const s: ReplicationSpec = {
          name,
          source,
          target,
          schedule: args.schedule,
          transfers: args.transfers,
        };
        const problems = checkReplication(s);
        if (problems.length) throw new ReplicationSpecError(problems, `BucketReplication ${name}`);
        return s;
      });
    const rendered = spec.apply((s) => renderReplicationJob(s));
    this.host = args.host;
    this.unitName = rendered.unitName;
    this.service = rendered.service;
    this.timer = rendered.timer;
    this.environmentFile = rendered.environmentFile;
    this.environment = pulumi.secret(
      pulumi
        .all([
          spec,
          args.source.accessKeyId,
          args.source.secretAccessKey,
          args.target.accessKeyId,
          args.target.secretAccessKey,
        ])
        .apply(
          ([s, sa, ss, ta, ts]) =>
            Object.entries(
              replicationEnvironment(s, {
                source: { accessKeyId: sa, secretAccessKey: ss },
                target: { accessKeyId: ta, secretAccessKey: ts },
              }),
            )
              .map(([k, v]) => `${k}=${v}`)
              .join("\n") + "\n",
        ),
    );
    this.registerOutputs({
      unitName: this.unitName,
      service: this.service,
      timer: this.timer,
      environmentFile: this.environmentFile,
      environment: this.environment,
      host: this.host,
    });
  }
}
