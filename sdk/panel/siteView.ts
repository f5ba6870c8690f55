/**
 * What the panel shows of a site's config and outputs, and how it words a config that fails
 * validation. Secret values never leave the panel: they are replaced by SECRET_PLACEHOLDER.
 */
import type { ConfigMap, OutputMap } from "@pulumi/pulumi/automation";
import { parseSiteConfig } from "../config/siteConfig";
import { SiteConfigError } from "../config/problems";

/** What a secret value is shown as. */
export const SECRET_PLACEHOLDER = "[secret]";

/** Stack config as `{ key: value }`, secrets replaced; object values (sovereign:site) parsed. */
export function configView(config: ConfigMap): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, v]) => {
      if (v.secret) return [key, SECRET_PLACEHOLDER];
      try {
        return [key, /^[[{]/.test(v.value) ? (JSON.parse(v.value) as unknown) : v.value];
      } catch {
        return [key, v.value];
      }
    }),
  );
}

/** Stack outputs as `{ name: value }`, secret outputs replaced. */
export function outputsView(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs).map(([key, o]) => [key, o.secret ? SECRET_PLACEHOLDER : (o.value as unknown)]),
  );
}

/** One validation error: the config key (e.g. "site.hosts[0].address") and what to fix. */
export interface ValidationError {
  /**
   * Where the problem is: a site config key such as "site.hosts[0].address"; for a refusal by the
   * engine, `<resource name>.<property>` (or the resource name, or "site" for the site program).
   */
  readonly key: string;
  /** What is wrong and how to fix it, in the validator's or the engine's own words. */
  readonly message: string;
  /** The URN of the resource the engine refused, when the refusal names one. */
  readonly resource?: string;
}

/** The site config's validation errors (sdk/config: the zod schema, then the checks beyond it). */
export function siteConfigErrors(site: unknown): ValidationError[] {
  try {
    parseSiteConfig(site);
    return [];
  } catch (e) {
    if (!(e instanceof SiteConfigError)) throw e;
    return e.problems.map((p) => {
      const at = p.indexOf(": ");
      return at < 0 ? { key: "site", message: p } : { key: p.slice(0, at), message: p.slice(at + 2) };
    });
  }
}
