/**
 * The panel API (see server.ts and openapi.json): an HTTP service over the Automation API, its own
 * data in PostgreSQL. Start it with `node bin/sdk/panel/cli.js serve` or `createPanelServer`.
 */
export { createPanelServer, type PanelOptions } from "./server";
export {
  PanelStore,
  hashToken,
  type Role,
  type PanelUser,
  type StoredChange,
  type AuditEntry,
  type SiteLease,
} from "./store";
export { MIGRATIONS, migrate, type Migration } from "./migrations";
export {
  Sites,
  SITE_CONFIG_KEY,
  type SitesOptions,
  type SiteSummary,
  type PreviewResult,
  type HistoryEntry,
} from "./sites";
export {
  engineRejections,
  panelEvent,
  plannedChanges,
  type PanelEvent,
  type ResourceChange,
} from "./engineEvents";
export {
  configView,
  outputsView,
  siteConfigErrors,
  SECRET_PLACEHOLDER,
  type ValidationError,
} from "./siteView";
export { PanelError, errorResponse, type ErrorBody } from "./errors";
export { readJsonBody, sendJson, DEFAULT_BODY_LIMIT } from "./httpBody";
