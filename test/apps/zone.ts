import { DnsZone } from "../../sdk/dns";
import type { PowerDnsService } from "../harness/types";

/** An unprotected zone `<name>.test.` on the test's PowerDNS, with an A record per host. */
export function testZone(service: PowerDnsService, name: string, hosts: Record<string, string>): DnsZone {
  const zone = new DnsZone(name, {
    connection: { apiUrl: service.apiUrl, serverId: service.serverId },
    zone: `${name}.test.`,
    nameservers: [`ns1.${name}.test.`],
    protect: false,
  });
  for (const [host, address] of Object.entries(hosts)) zone.host(host, { ipv4: [address] });
  return zone;
}
