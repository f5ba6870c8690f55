/** Nix rendering: a safe expression builder (expr, strings, render) and the NixOS model. */
export * from "./expr";
export { render, attrName } from "./render";
export { quoteString, indentedString, fitsIndentedString } from "./strings";
export * from "./nixos";
export { appFragment, type AppFragment } from "./appModules";
