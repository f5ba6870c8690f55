import { hostSpecOf } from "../config/hostPlacement";
import type { SiteConfig } from "../config/siteConfig";
import { nixosModelOf } from "../hosts/hostSpec";
import { renderNixosConfiguration, RenderedConfiguration } from "../nix/nixos";

/** Each host's rendered NixOS configuration (its apps' options included), by host name. Pure. */
export function renderSiteHosts(site: SiteConfig): Record<string, RenderedConfiguration> {
  return Object.fromEntries(
    site.hosts.map((h) => [
      h.name,
      renderNixosConfiguration(nixosModelOf(hostSpecOf(h, site.domain, site.apps))),
    ]),
  );
}
