export * from "./types";
export * from "./catalog";
export * from "./refused";
export * from "./policy";
