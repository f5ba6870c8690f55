/**
 * Mocha root hooks (loaded through .mocharc.json's `require`): the shared service instances of
 * the run (shared.ts) are stopped once, after every suite has finished.
 */
import type { RootHookObject } from "mocha";
import { stopSharedServices } from "./shared";

export const mochaHooks: RootHookObject = {
  async afterAll(this: Mocha.Context) {
    this.timeout(180_000);
    await stopSharedServices();
  },
};
