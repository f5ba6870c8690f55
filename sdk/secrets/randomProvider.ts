/** Provider of LocalRandomSecret: draws from Node's crypto without modulo bias. */
import { randomInt } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { SECRET_ALPHABET } from "./random";

export function drawSecret(length: number, alphabet = SECRET_ALPHABET): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

interface Props {
  length: number;
  keepers: Record<string, string>;
}

export const provider: pulumi.dynamic.ResourceProvider = {
  check: async (_olds, news) => {
    const length = (news as Props).length;
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
  },
  diff: async (_id, olds, news) => {
    const a = olds as Props;
    const b = news as Props;
    const replaces = [
      ...(a.length !== b.length ? ["length"] : []),
      ...(JSON.stringify(a.keepers ?? {}) !== JSON.stringify(b.keepers ?? {}) ? ["keepers"] : []),
    ];
    return { changes: replaces.length > 0, replaces };
  },
  create: async (inputs) => {
    const props = inputs as Props;
    return { id: drawSecret(12).toLowerCase(), outs: { ...props, result: drawSecret(props.length) } };
  },
};
