/**
 * The built-in secret provider's implementation (loaded by the serialized provider at call time).
 * A secret is generated once, in create; nothing but a change of kind or size replaces it, and read
 * returns the stored values, so `up` and `refresh` never change a site's identity.
 */
import * as crypto from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { checkSecretInputs, generateSecret, SecretInputs } from "./generate";

type Props = Record<string, unknown>;

const inputsOf = (p: Props): SecretInputs => ({
  kind: p.kind as SecretInputs["kind"],
  ...(typeof p.size === "number" ? { size: p.size } : {}),
});

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const failures = checkSecretInputs(news as Partial<SecretInputs>);
  return failures.length > 0 ? { failures } : { inputs: news };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const replaces = (["kind", "size"] as const).filter((k) => olds[k] !== news[k]);
  return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const i = inputsOf(inputs);
  return { id: crypto.randomUUID(), outs: { ...i, ...generateSecret(i) } };
}

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  return { id, props };
}

export async function update(): Promise<pulumi.dynamic.UpdateResult> {
  throw new Error("a generated secret is never updated in place (diff replaces it)");
}

export async function delete_(): Promise<void> {
  // Nothing outside the state holds it.
}

export { delete_ as delete };
