/**
 * The app catalog: every app and core service the cooperative runs, one file each under entries/.
 * Ids are what a site config's `app:` names.
 */
import type { AppDefinition } from "./types";
import { castopod } from "./entries/castopod";
import { documents } from "./entries/documents";
import { edumeet } from "./entries/edumeet";
import { forgejo } from "./entries/forgejo";
import { garage } from "./entries/garage";
import { hedgedoc } from "./entries/hedgedoc";
import { keycloak } from "./entries/keycloak";
import { mail } from "./entries/mail";
import { mastodon } from "./entries/mastodon";
import { matrix } from "./entries/matrix";
import { nextcloud } from "./entries/nextcloud";
import { owncast } from "./entries/owncast";
import { peertube } from "./entries/peertube";
import { pixelfed } from "./entries/pixelfed";
import { planning } from "./entries/planning";
import { postgresql } from "./entries/postgresql";
import { webmail } from "./entries/webmail";

const catalog = {
  nextcloud,
  forgejo,
  hedgedoc,
  edumeet,
  webmail,
  documents,
  planning,
  matrix,
  mastodon,
  pixelfed,
  peertube,
  owncast,
  castopod,
  keycloak,
  mail,
  postgresql,
  garage,
} as const satisfies Record<string, AppDefinition>;

/** The id of an app in the catalog, e.g. "forgejo" or "synapse". */
export type AppId = keyof typeof catalog;

/** Every app id in the catalog, in catalog order. */
export const appIds = Object.keys(catalog) as AppId[];

/** The catalog entry of an app. @param id the app's id (see {@link appIds}). */
export function appDefinition(id: AppId): AppDefinition {
  return catalog[id];
}

/** Whether `value` is an app id of the catalog (a type guard). */
export function isAppId(value: string): value is AppId {
  return Object.prototype.hasOwnProperty.call(catalog, value);
}
