/**
 * `readSiteInventory`: what NetBox holds for one site, typed, for tools that start from the
 * inventory (the panel API, migration checks): the site, its clusters, its virtual machines with
 * their interfaces and addresses, and the services (apps) on them with their tags.
 */
import { NetboxClient, type NetboxEndpoint, type Schemas } from "./client";
import { OWNER_FIELD } from "./session";

export interface InventoryInterface {
  id: number;
  name: string;
  /** "10.0.0.5/24" */
  addresses: string[];
}

export interface InventoryVm {
  id: number;
  name: string;
  status: string;
  cluster: string | undefined;
  interfaces: InventoryInterface[];
}

export interface InventoryService {
  id: number;
  name: string;
  /** The VM it runs on. */
  vm: string | undefined;
  protocol: string;
  ports: number[];
  tags: string[];
}

export interface SiteInventory {
  site: {
    id: number;
    name: string;
    slug: string;
    status: string;
    description: string;
    owner: string | undefined;
  };
  clusters: { id: number; name: string; type: string }[];
  vms: InventoryVm[];
  services: InventoryService[];
}

const ids = (list: { id: number }[]): number[] => list.map((o) => o.id);

/** Reads a site's inventory by its slug; undefined when NetBox has no such site. */
export async function readSiteInventory(
  endpoint: NetboxEndpoint,
  siteSlug: string,
): Promise<SiteInventory | undefined> {
  const client = new NetboxClient(endpoint);
  const [site] = (await client.list("site", { slug: siteSlug })).filter((s) => s.slug === siteSlug);
  if (!site) return undefined;
  const clusters = await client.list("cluster", { site_id: site.id });
  const vms = await client.list("virtualMachine", { site_id: site.id });
  const [interfaces, addresses, services] =
    vms.length === 0
      ? [[], [], []]
      : await Promise.all([
          client.list("vmInterface", { virtual_machine_id: ids(vms) }),
          client.list("ipAddress", { virtual_machine_id: ids(vms) }),
          client.list("service", { virtual_machine_id: ids(vms) }),
        ]);
  const addressesOf = (iface: Schemas["VMInterface"]): string[] =>
    addresses
      .filter(
        (a) => a.assigned_object_type === "virtualization.vminterface" && a.assigned_object_id === iface.id,
      )
      .map((a) => a.address)
      .sort();
  const vmName = new Map(vms.map((vm) => [vm.id, vm.name]));
  return {
    site: {
      id: site.id,
      name: site.name,
      slug: site.slug,
      status: String(site.status?.value ?? ""),
      description: site.description ?? "",
      owner:
        typeof site.custom_fields?.[OWNER_FIELD] === "string"
          ? (site.custom_fields[OWNER_FIELD] as string)
          : undefined,
    },
    clusters: clusters.map((c) => ({ id: c.id, name: c.name, type: c.type.slug })),
    vms: vms
      .map((vm) => ({
        id: vm.id,
        name: vm.name,
        status: String(vm.status?.value ?? ""),
        cluster: vm.cluster?.name ?? undefined,
        interfaces: interfaces
          .filter((i) => i.virtual_machine.id === vm.id)
          .map((i) => ({ id: i.id, name: i.name, addresses: addressesOf(i) })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    services: services
      .map((s) => ({
        id: s.id,
        name: s.name,
        vm: s.parent_object_id != null ? vmName.get(s.parent_object_id) : undefined,
        protocol: String(s.protocol?.value ?? ""),
        ports: [...(s.ports ?? [])].sort((a, b) => a - b),
        tags: (s.tags ?? []).map((t) => t.slug).sort(),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
