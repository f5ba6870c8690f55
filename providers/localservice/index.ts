/** The local site's minimal service installer (a stand-in for PlainHost on this machine). */
export * from "./spec";
export { LocalService, type LocalServiceArgs } from "./resources";
