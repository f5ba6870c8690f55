/**
 * Provider of LocalRandomSecret (loaded by package specifier): a password drawn once from Node's
 * crypto, kept in the state (encrypted) until its length or keepers change.
 */
import * as crypto from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { drawPassword } from "./generate";

export { configure } from "../shared/credentials";

interface Props {
  length: number;
  keepers: Record<string, string>;
}

export async function check(_olds: unknown, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const length = news.length;
  const failures =
    Number.isInteger(length) && length >= 8 && length <= 4096
      ? []
      : [
          {
            property: "length",
            reason: `length ${JSON.stringify(length)} must be a whole number from 8 to 4096`,
          },
        ];
  return { inputs: news, failures };
}

export async function diff(_id: string, a: Props, b: Props): Promise<pulumi.dynamic.DiffResult> {
  const replaces = [
    ...(a.length !== b.length ? ["length"] : []),
    ...(JSON.stringify(a.keepers ?? {}) !== JSON.stringify(b.keepers ?? {}) ? ["keepers"] : []),
  ];
  return { changes: replaces.length > 0, replaces };
}

export async function create(props: Props): Promise<pulumi.dynamic.CreateResult> {
  return { id: crypto.randomUUID(), outs: { ...props, result: drawPassword(props.length) } };
}

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  return { id, props };
}

export async function update(): Promise<pulumi.dynamic.UpdateResult> {
  throw new Error("a random secret is never updated in place (diff replaces it)");
}

async function remove(): Promise<void> {
  // Nothing outside the state holds it.
}
export { remove as delete };
