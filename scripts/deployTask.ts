/** `ballast:deploy`: deploy or reconcile Ballast on --network and print what happened. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { deployBallast } from "../deploy/deploy";
import { expectedFailure, out, runTask } from "./lib/cli";

export async function deployTask(hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(
    async () => {
      const outcome = await deployBallast(hre, { log: (line) => out(line) });
      const c = outcome.addressBook.contracts;
      out();
      for (const [name, address] of Object.entries({ ...c, feeds: undefined })) if (address) out(`  ${name.padEnd(17)} ${address}`);
      out(`  ${"feeds.USDC".padEnd(17)} ${c.feeds.USDC}`);
      out(`  ${"feeds.WETH".padEnd(17)} ${c.feeds.WETH}`);
      out(`  roles: admin ${outcome.record.roles.admin}, guardian ${outcome.record.roles.guardian}, keeper ${outcome.record.roles.keeper}` +
        (outcome.record.localKeeperAccountIndex === null ? "" : ` (local account #${outcome.record.localKeeperAccountIndex})`));
    },
    expectedFailure,
  );
}
