export * from "./deployer";
export { NixOpsDeployer, type NixOpsDeployerArgs } from "./nixopsDeployer";
export { NixosRebuildDeployer, type RebuildDeployerArgs } from "./rebuildDeployer";
