/**
 * The rules every dynamic provider follows (see README.md in this folder): ownership markers and
 * the decisions made from them, credentials from the stack config through `configure`, the
 * implementation located by package specifier, and HTTP with timeouts, retries and clean errors.
 */
export * from "./ownership";
export * from "./credentials";
export * from "./http";
export { providerAt, providerSpecifier, PACKAGE_NAME } from "./moduleLocation";
export { resourceOwner } from "./resourceOwner";
