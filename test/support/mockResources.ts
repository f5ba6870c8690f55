import type * as pulumi from "@pulumi/pulumi";
import { unpackRRSets } from "../../providers/powerdns/collectionPacking";

/** A resource registered under pulumi.runtime.setMocks, as a test records it. */
export interface MockedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** The value of an output once known (under mocks every output resolves). */
export const promiseOf = <T>(output: pulumi.Output<T>): Promise<T> =>
  new Promise((resolve) => output.apply(resolve));

/**
 * The DNS record sets among created resources, keyed "<name> <type>": one resource each
 * (`PowerDnsRecordSet`) or listed in a record collection (`PowerDnsRecordCollection`, DnsZone's default).
 */
export function publishedRecords(
  created: readonly { inputs: Record<string, unknown> }[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of created) {
    if (c.inputs.type !== undefined && Array.isArray(c.inputs.records))
      out[`${String(c.inputs.name)} ${String(c.inputs.type)}`] = c.inputs.records;
    // A record collection's list, as the program packs it for the engine.
    const rrsets = c.inputs.rrsets === undefined ? undefined : unpackRRSets(c.inputs.rrsets);
    if (rrsets)
      for (const r of rrsets as { name: string; type: string; records: unknown }[])
        out[`${r.name} ${r.type}`] = r.records;
  }
  return out;
}
