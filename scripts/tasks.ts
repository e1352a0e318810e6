/**
 * Registers the `ballast:*` Hardhat tasks. Implementations load lazily inside each action: this
 * file is imported by hardhat.config.ts, which must load on a clean clone before TypeChain has
 * generated anything.
 */
import { task } from "hardhat/config";

task("ballast:deploy", "Deploys Ballast to --network and writes deployments/<network>.json").setAction(async (_args, hre) => {
  const { deployTask } = await import("./deployTask");
  await deployTask(hre);
});
