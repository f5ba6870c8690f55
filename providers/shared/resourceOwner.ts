/**
 * The owner id a resource writes into its markers, computed in the program (the dynamic provider's
 * `create` sees only inputs, so resources pass it as the `owner` input).
 */
import * as pulumi from "@pulumi/pulumi";
import { OwnerId, ownerId } from "./ownership";

/**
 * `<project>/<stack>/<name>` of a resource declared in this program. A rename through `aliases`
 * changes it, which is an update (the provider rewrites the marker), never a replacement.
 */
export function resourceOwner(resourceName: string): OwnerId {
  return ownerId(pulumi.getProject(), pulumi.getStack(), resourceName);
}
