/** Roles and databases on a PostgreSQL server (see resources.ts). */
export * from "./resources";
export { DEFAULT_PASSWORD_CONFIG } from "./validate";
