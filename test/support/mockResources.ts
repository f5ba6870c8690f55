import type * as pulumi from "@pulumi/pulumi";

/** A resource registered under pulumi.runtime.setMocks, as a test records it. */
export interface MockedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** The value of an output once known (under mocks every output resolves). */
export const promiseOf = <T>(output: pulumi.Output<T>): Promise<T> =>
  new Promise((resolve) => output.apply(resolve));
