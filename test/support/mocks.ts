import * as pulumi from "@pulumi/pulumi";

/** A resource the mocks saw declared (tests assert its inputs). */
export interface CreatedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** The value of an output under `pulumi.runtime.setMocks`. */
export const promiseOf = <T>(output: pulumi.Output<T>): Promise<T> =>
  new Promise((resolve) => output.apply(resolve));

/**
 * `pulumi.runtime.setMocks` for project "project", stack "stack": every declared resource is
 * recorded into `created`; its state is its inputs plus what `outputsOf` adds (ids, secrets).
 */
export function recordingMocks(
  created: CreatedResource[],
  outputsOf: (resource: CreatedResource) => Record<string, unknown> = () => ({}),
): Promise<void> {
  return pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const resource = { type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> };
        created.push(resource);
        return { id: `${args.name}-id`, state: { ...resource.inputs, ...outputsOf(resource) } };
      },
      call: (args) => args.inputs,
    },
    "project",
    "stack",
    false,
  );
}
