import * as assert from "assert";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { NetboxServiceWithParts } from "../../harness";
import { createTestStack, type TestStack } from "../../harness/workspace";
import { NetboxClient, OWNER_FIELD } from "../../../providers/netbox";
import type { IpAddress } from "../../../providers/netbox";

export const TOKEN_KEY = "sovereign:netboxToken";
export const quiet = { color: "never" as const };

export function clientFor(netbox: NetboxServiceWithParts): NetboxClient {
  return new NetboxClient({ url: netbox.url, token: netbox.token });
}

/** A test stack whose config holds the NetBox token as a secret (what `configure` hands the providers). */
export async function netboxStack(
  name: string,
  netbox: () => NetboxServiceWithParts,
  program: PulumiFn,
  token?: string,
): Promise<TestStack> {
  const t = await createTestStack(name, program);
  await t.stack.setConfig(TOKEN_KEY, { value: token ?? netbox().token, secret: true });
  return t;
}

/** The addresses NetBox holds inside a prefix (read from NetBox, not from any state). */
export async function addressesIn(client: NetboxClient, prefix: string): Promise<IpAddress[]> {
  return client.listPath<IpAddress>("/api/ipam/ip-addresses/", { parent: prefix });
}

export function ownerOf(obj: { custom_fields?: { [key: string]: unknown } }): unknown {
  return obj.custom_fields?.[OWNER_FIELD];
}

/** Runs `work`, expecting it to fail with a message matching every pattern. */
export async function expectFailure(work: () => Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
  let message = "";
  try {
    await work();
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
  }
  assert.ok(message, "the operation should have failed");
  for (const pattern of patterns) assert.match(message, pattern);
  return message;
}
