export * from "./catalog";
export * from "./refused";
export * from "./swot";
