/** The built-in secret generator (Node's crypto) as a dynamic resource, and its pure generation rules. */
export * from "./generate";
export { GeneratedSecret, type GeneratedSecretArgs } from "./resources";
