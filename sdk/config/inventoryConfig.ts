/**
 * The `inventory` section of a site's config: the NetBox the site registers its hosts and apps in.
 *
 *   inventory:
 *     provider: netbox
 *     url: local                # or NetBox's URL; local = `npm run env -- up netbox`
 *     tokenConfig: sovereign:netboxToken   # the stack config key holding the token (default)
 *     prefix: 10.0.0.0/24       # hosts whose address is "netbox" get its next free address
 */
import * as net from "net";
import type { ConfigProblems } from "./problems";

export interface InventoryConfig {
  readonly provider: "netbox";
  /** `local`: the harness's NetBox on loopback (its URL from .state/env.json). */
  readonly endpoint: "local" | { readonly url: string };
  /** The stack config key with the NetBox token; default "sovereign:netboxToken". */
  readonly tokenConfig?: string;
  /** IPv4 CIDR the "netbox" host addresses come from, e.g. "127.0.0.0/24". */
  readonly prefix?: string;
}

/** What a host writes as its address to take the next free one of `inventory.prefix`. */
export const ADDRESS_FROM_INVENTORY = "netbox";

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** The typed section (its shape is checked by schema.ts first), or undefined when absent. */
export function parseInventory(p: ConfigProblems, raw: unknown): InventoryConfig | undefined {
  if (!isObject(raw)) return undefined;
  const url = raw.url ?? "local";
  let endpoint: InventoryConfig["endpoint"] = "local";
  if (url !== "local") {
    let ok = false;
    try {
      ok = typeof url === "string" && /^https?:$/.test(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok)
      p.add(
        "site.inventory.url",
        `must be "local" or NetBox's http(s) URL such as "https://netbox.coop.example"`,
      );
    else endpoint = { url: url as string };
  }
  const prefix = raw.prefix;
  if (typeof prefix === "string") {
    const [addr, len] = prefix.split("/");
    if (!net.isIPv4(addr ?? "") || !/^\d+$/.test(len ?? "") || Number(len) > 32)
      p.add("site.inventory.prefix", `${JSON.stringify(prefix)} is not an IPv4 prefix such as "10.0.0.0/24"`);
  }
  const tokenConfig = raw.tokenConfig;
  if (typeof tokenConfig === "string" && !/^[A-Za-z][\w.-]*:[A-Za-z][\w.-]*$/.test(tokenConfig))
    p.add("site.inventory.tokenConfig", `must name a stack config key such as "sovereign:netboxToken"`);
  return {
    provider: "netbox",
    endpoint,
    ...(typeof tokenConfig === "string" ? { tokenConfig } : {}),
    ...(typeof prefix === "string" ? { prefix } : {}),
  };
}
