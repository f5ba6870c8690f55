import { hostSpecOf } from "../config/hostPlacement";
import { hostSecretSpecOf, planOidcSecretDeliveries } from "../config/identityConfig";
import type { HostConfig, SiteConfig } from "../config/siteConfig";
import { nixosModelOf, type HostSpec } from "../hosts/hostSpec";
import { renderNixosConfiguration, RenderedConfiguration } from "../nix/nixos";
import { agenixDeclarations } from "../secrets/hostSecretPlan";

/**
 * A host of the site as a HostSpec, with the `age.secrets` declarations of every secret the site
 * delivers to it when it runs NixOS (the OIDC client secrets of its apps): the encrypted file's path
 * on the host, where agenix decrypts it, owner, group and mode; never the secret. Pure.
 */
export function siteHostSpecOf(site: SiteConfig, host: HostConfig): HostSpec {
  const spec = hostSpecOf(host, site.domain, site.apps);
  const delivered = site.identity
    ? planOidcSecretDeliveries(site.hosts, site.apps)
        .filter((d) => d.host === host.name && d.target.os === "nixos")
        .map(hostSecretSpecOf)
    : [];
  return delivered.length > 0 ? { ...spec, ageSecrets: agenixDeclarations(delivered).age.secrets } : spec;
}

/** Each host's rendered NixOS configuration (its apps' options and secrets included), by host name. Pure. */
export function renderSiteHosts(site: SiteConfig): Record<string, RenderedConfiguration> {
  return Object.fromEntries(
    site.hosts.map((h) => [h.name, renderNixosConfiguration(nixosModelOf(siteHostSpecOf(site, h)))]),
  );
}
