/** Hosts: NixOSHost (placements, rendered configuration, deployers) and PlainHost. */
export * from "./placement";
export * from "./ssh";
export * from "./hostSpec";
export { proxmoxLxcArgs, proxmoxVmArgs, ownerTag, type GuestOwner } from "./proxmox";
export * from "./deployers";
export { NixOSHost, type NixOSHostArgs } from "./nixosHost";
export {
  PlainHost,
  type PlainHostArgs,
  type PlainFile,
  type PlainProcess,
  type PlainService,
} from "./plainHost";
