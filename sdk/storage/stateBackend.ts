/**
 * Pulumi state on the cooperative's own Garage: a state bucket and key made with GarageBucket (in
 * a small stack of its own, kept in a local file backend), and the `pulumi login s3://…` URL for
 * Pulumi's self-managed S3 backend. No Pulumi Cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, type LocalWorkspaceOptions } from "@pulumi/pulumi/automation";
import { GarageBucket, type GarageConnection } from "./garageBucket";

export interface StateBucketTarget {
  adminUrl: string;
  adminToken: string;
  s3Endpoint: string;
  region: string;
  /** Default "pulumi-state". */
  bucket?: string;
}

export interface StateBackend {
  /** For `pulumi login` (or PULUMI_BACKEND_URL). */
  loginUrl: string;
  bucket: string;
  /** Export as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY where pulumi runs. */
  accessKeyId: string;
  secretAccessKey: string;
}

/** s3://BUCKET?endpoint=HOST:PORT&s3ForcePathStyle=true&region=R (gocloud's S3 URL form). */
export function stateLoginUrl(bucket: string, s3Endpoint: string, region: string): string {
  const url = new URL(s3Endpoint);
  const query = new URLSearchParams({ endpoint: url.host, s3ForcePathStyle: "true", region });
  if (url.protocol === "http:") query.set("disableSSL", "true");
  return `s3://${bucket}?${query.toString()}`;
}

/** Creates (or finds again) the state bucket and its key; returns the login URL and the key. */
export async function bootstrapStateBackend(
  target: StateBucketTarget,
  workspace: LocalWorkspaceOptions & { stackName?: string } = {},
): Promise<StateBackend> {
  const bucket = target.bucket ?? "pulumi-state";
  const program = async () => {
    const garage: GarageConnection = {
      adminUrl: target.adminUrl,
      adminToken: pulumi.secret(target.adminToken),
      s3Endpoint: target.s3Endpoint,
      region: target.region,
    };
    const state = new GarageBucket("state", { garage, name: bucket, permissions: ["read", "write", "owner"] });
    return { bucketName: state.bucketName, accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey };
  };
  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName: "sovereign-state", stackName: workspace.stackName ?? "garage", program },
    { ...workspace, projectSettings: { name: "sovereign-state", runtime: "nodejs" } },
  );
  const up = await stack.up({ color: "never" });
  return {
    loginUrl: stateLoginUrl(bucket, target.s3Endpoint, target.region),
    bucket,
    accessKeyId: up.outputs.accessKeyId.value as string,
    secretAccessKey: up.outputs.secretAccessKey.value as string,
  };
}
