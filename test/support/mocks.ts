import type * as pulumi from "@pulumi/pulumi";

/** A resource the mocks saw declared (tests assert its inputs). */
export interface CreatedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** The value of an output under `pulumi.runtime.setMocks`. */
export const promiseOf = <T>(output: pulumi.Output<T>): Promise<T> =>
  new Promise((resolve) => output.apply(resolve));
